// Reads a LayersModel (Sequential or functional) into one graph of layer calls and tensors.

import * as tf from '@tensorflow/tfjs';

import { PeakPruneError } from '../errors';
import type { LayerConfigEntry, ModelConfig } from '../topology';
import { parseModelConfig } from './config';

type Layer = tf.layers.Layer;

/** One symbolic tensor of the model: a layer output or a model input. */
export interface GraphTensor {
  id: number;
  /** Shape including the batch axis. */
  shape: (number | null)[];
  /** Index into ModelGraph.layers of the layer call that outputs it; -1 for a model input. */
  producer: number;
}

/** One call of a layer. A layer called several times (a shared layer) has one entry per call. */
export interface GraphLayer {
  name: string;
  className: string;
  layer: Layer;
  /** The layer's entry in ModelGraph.config; rebuilding rewrites it in place. */
  entry: LayerConfigEntry;
  /** Tensor ids of the call's inputs and outputs, in call order. */
  inputs: number[];
  outputs: number[];
  /** How many times the layer is called inside the model; above 1 for a shared layer. */
  calls: number;
}

export interface ModelGraph {
  modelName: string;
  kind: 'sequential' | 'functional';
  /** A fresh copy of the model config that callers may rewrite. */
  config: ModelConfig;
  /** Layer calls in topological order: every call comes after the calls that produce its inputs. */
  layers: GraphLayer[];
  tensors: Map<number, GraphTensor>;
  inputs: number[];
  outputs: number[];
}

/**
 * Reads the model's layer calls by walking back from its outputs, so that layers not connected
 * to an output are left out. InputLayers are not listed as layers: their tensors are model inputs.
 */
export function readGraph(model: tf.LayersModel): ModelGraph {
  const config = parseModelConfig(model);
  const entries = new Map(config.layers.map((entry) => [entry.config.name, entry]));
  const graph: ModelGraph = {
    modelName: model.name,
    kind: model instanceof tf.Sequential ? 'sequential' : 'functional',
    config,
    layers: [],
    tensors: new Map(),
    inputs: model.inputs.map((input) => input.id),
    outputs: model.outputs.map((output) => output.id),
  };
  const callIndex = new Map<string, number>();
  const visit = (tensor: tf.SymbolicTensor): void => {
    if (graph.tensors.has(tensor.id)) return;
    const source = tensor.sourceLayer;
    if (source.getClassName() === 'InputLayer' || graph.inputs.includes(tensor.id)) {
      graph.tensors.set(tensor.id, { id: tensor.id, shape: [...tensor.shape], producer: -1 });
      return;
    }
    const node = source.inboundNodes[tensor.nodeIndex];
    const key = `${source.name}\u0000${tensor.nodeIndex}`;
    if (!callIndex.has(key)) {
      node.inputTensors.forEach(visit);
      const entry = entries.get(source.name);
      if (entry === undefined) {
        throw new PeakPruneError('invalid-model', `Layer "${source.name}" is missing from the config of model "${model.name}".`);
      }
      callIndex.set(key, graph.layers.length);
      graph.layers.push({
        name: source.name,
        className: source.getClassName(),
        layer: source,
        entry,
        inputs: node.inputTensors.map((input) => input.id),
        outputs: node.outputTensors.map((output) => output.id),
        calls: 0,
      });
    }
    const producer = callIndex.get(key)!;
    for (const output of node.outputTensors) {
      graph.tensors.set(output.id, { id: output.id, shape: [...output.shape], producer });
    }
  };
  model.outputs.forEach(visit);
  countCalls(graph);
  return graph;
}

function countCalls(graph: ModelGraph): void {
  const counts = new Map<string, number>();
  for (const call of graph.layers) counts.set(call.name, (counts.get(call.name) ?? 0) + 1);
  for (const call of graph.layers) call.calls = counts.get(call.name)!;
}
