// Inlines nested models (a model used as a layer) into one functional model, so that the layers
// inside them can be analysed and pruned like any other.

import * as tf from '@tensorflow/tfjs';

type Layer = tf.layers.Layer;

/**
 * Returns a functional model in which every nested model is replaced by copies of its layers, with
 * the same names and weights, or undefined when the model has no nested model. The copy is
 * independent of `model`; the caller disposes it. Returns undefined as well when inlining is not
 * possible (a nested model called twice, or layer names that repeat across levels), and the
 * nested models then stay frozen.
 */
export function inlineNestedModels(model: tf.LayersModel): tf.LayersModel | undefined {
  if (!model.layers.some((layer) => layer instanceof tf.LayersModel)) return undefined;
  const copies: [Layer, Layer][] = [];
  let flat: tf.LayersModel | undefined;
  try {
    const inputs = model.inputs.map((input) => tf.input({ shape: input.shape.slice(1), dtype: input.dtype, name: input.sourceLayer.name }));
    const outputs = inlineContainer(model, inputs, new Map(), copies, new Set());
    flat = tf.model({ inputs, outputs, name: model.name });
    tf.tidy(() => {
      for (const [source, copy] of copies) copy.setWeights(source.getWeights());
    });
    return flat;
  } catch (error) {
    flat?.dispose();
    if (error instanceof InlineError || (error instanceof Error && /unique|same name/i.test(error.message))) return undefined;
    throw error;
  }
}

/**
 * Runs `use` on the model with its nested models inlined, or on the model itself when it has none,
 * and disposes the inlined copy afterwards, also when `use` throws or its promise rejects.
 */
export function withInlinedModel<T>(model: tf.LayersModel, use: (flat: tf.LayersModel) => T): T {
  const flat = inlineNestedModels(model);
  if (flat === undefined) return use(model);
  let result: T;
  try {
    result = use(flat);
  } catch (error) {
    flat.dispose();
    throw error;
  }
  if (result instanceof Promise) return result.finally(() => flat.dispose()) as T;
  flat.dispose();
  return result;
}

/** A model that cannot be inlined; its nested models then stay frozen. */
class InlineError extends Error {}

/** Creates a new layer of the same registered class and config, without weights yet. */
function copyLayer(layer: Layer): Layer {
  const entry = tf.serialization.SerializationMap.getMap().classNameMap[layer.getClassName()];
  if (entry === undefined) throw new InlineError(`Layer class ${layer.getClassName()} is not registered.`);
  const [constructor, fromConfig] = entry;
  return fromConfig(constructor, layer.getConfig()) as unknown as Layer;
}

/** Applies copies of the container's layers to `inputs` and returns the copies of its outputs. */
function inlineContainer(
  container: tf.LayersModel,
  inputs: tf.SymbolicTensor[],
  mapped: Map<number, tf.SymbolicTensor>,
  copies: [Layer, Layer][],
  inlined: Set<Layer>,
): tf.SymbolicTensor[] {
  container.inputs.forEach((input, i) => mapped.set(input.id, inputs[i]));
  const visit = (tensor: tf.SymbolicTensor): tf.SymbolicTensor => {
    const known = mapped.get(tensor.id);
    if (known !== undefined) return known;
    const source = tensor.sourceLayer;
    const node = source.inboundNodes[tensor.nodeIndex];
    const nodeInputs = node.inputTensors.map(visit);
    if (inlined.has(source)) throw new InlineError(`Layer "${source.name}" is called more than once.`);
    inlined.add(source);
    let results: tf.SymbolicTensor[];
    if (source instanceof tf.LayersModel) {
      results = inlineContainer(source, nodeInputs, mapped, copies, inlined);
    } else {
      const copy = copyLayer(source);
      const applied = copy.apply(nodeInputs.length === 1 ? nodeInputs[0] : nodeInputs) as tf.SymbolicTensor | tf.SymbolicTensor[];
      results = Array.isArray(applied) ? applied : [applied];
      copies.push([source, copy]);
    }
    node.outputTensors.forEach((output, i) => mapped.set(output.id, results[i]));
    return mapped.get(tensor.id)!;
  };
  return container.outputs.map(visit);
}
