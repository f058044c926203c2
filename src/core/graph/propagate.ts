// Propagates channel atoms through the whole graph and groups the convolutions whose filters
// must be removed together.

import type * as tf from '@tensorflow/tfjs';

import { PropagationContext, type FrozenLayer } from './context';
import { readGraph, type ModelGraph } from './read';
import { propagateCall } from './rules';

/**
 * Convolutions whose output channels are coupled (through Add, Multiply and the like) and so are
 * pruned as one unit. The unit is named after its lead, the first member in graph order whose
 * filters cover every channel of the group once. Channel i of the group is the lead's filter i.
 */
export interface CoupledGroup {
  name: string;
  /** Member layer names in graph order, the lead included. */
  members: string[];
  /** Call index of each member in the graph. */
  memberCalls: number[];
  channels: number;
  /** For each member, the group channel of each of its filters. */
  memberChannels: number[][];
  /** Root atom of each group channel. */
  roots: number[];
  /** Reason none of the group's channels can be removed; undefined when they can. */
  frozenReason?: string;
}

export interface ChannelGraph {
  graph: ModelGraph;
  context: PropagationContext;
  groups: CoupledGroup[];
  frozenLayers: FrozenLayer[];
}

/** Reads the model's graph, carries channels through every layer and returns the coupled groups. */
export function analyzeChannels(model: tf.LayersModel): ChannelGraph {
  const graph = readGraph(model);
  const context = new PropagationContext(graph);
  for (const id of graph.inputs) {
    const shape = graph.tensors.get(id)!.shape;
    const size = shape[shape.length - 1];
    const reason = 'its channels are coupled with a model input';
    context.layouts.set(id, size === null || shape.length < 2 ? undefined : { axis: shape.length - 1, atoms: context.atoms.create(-1, size, false, reason) });
  }
  graph.layers.forEach((_, index) => propagateCall(context, index));
  for (const id of graph.outputs) freezeOutput(context, id);
  return { graph, context, groups: buildGroups(context), frozenLayers: context.frozenLayers };
}

function freezeOutput(context: PropagationContext, id: number): void {
  const producer = context.graph.tensors.get(id)!.producer;
  const name = producer < 0 ? 'a model input' : `layer "${context.graph.layers[producer].name}"`;
  const atoms = context.layout(id)?.atoms ?? [];
  if (producer >= 0 && atoms.some((atom) => context.atoms.sources[atom].prunable && context.atoms.frozenReason(atom) === undefined)) {
    const call = context.graph.layers[producer];
    context.frozenLayers.push({ name: call.name, className: call.className, reason: 'gives a model output, which keeps all its channels' });
  }
  context.freezeTensor(id, `its channels reach a model output through ${name}`);
}

/** Groups the prunable convolutions that share atom sets, in graph order of their first member. */
function buildGroups(context: PropagationContext): CoupledGroup[] {
  const { atoms } = context;
  const producers = producerCalls(context);
  const ownerOfRoot = new Map<number, number>();
  const parent = producers.map((_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i])));
  producers.forEach(({ atomIds }, i) => {
    for (const atom of atomIds) {
      const root = atoms.find(atom);
      const owner = ownerOfRoot.get(root);
      if (owner === undefined) ownerOfRoot.set(root, i);
      else parent[find(i)] = find(owner);
    }
  });
  const components = new Map<number, number[]>();
  producers.forEach((_, i) => components.set(find(i), [...(components.get(find(i)) ?? []), i]));
  return [...components.values()].map((members) => makeGroup(context, members.map((i) => producers[i])));
}

interface ProducerCall {
  call: number;
  atomIds: number[];
}

function producerCalls(context: PropagationContext): ProducerCall[] {
  const result: ProducerCall[] = [];
  context.graph.layers.forEach((call, index) => {
    const layout = context.layout(call.outputs[0]);
    if (layout === undefined || layout.atoms.length === 0) return;
    const own = layout.atoms.every((atom) => context.atoms.sources[atom].call === index && context.atoms.sources[atom].prunable);
    if (own) result.push({ call: index, atomIds: layout.atoms });
  });
  return result;
}

function makeGroup(context: PropagationContext, members: ProducerCall[]): CoupledGroup {
  const { atoms, graph } = context;
  const rootsOf = (member: ProducerCall) => member.atomIds.map((atom) => atoms.find(atom));
  const allRoots = new Set(members.flatMap(rootsOf));
  const lead = members.find((member) => new Set(rootsOf(member)).size === allRoots.size && member.atomIds.length === allRoots.size);
  const names = members.map((member) => graph.layers[member.call].name);
  const group: CoupledGroup = {
    name: names[0],
    members: names,
    memberCalls: members.map((member) => member.call),
    channels: 0,
    memberChannels: [],
    roots: [],
  };
  if (lead === undefined) {
    group.frozenReason = `the channels of ${names.join(', ')} are coupled only in part, so no layer covers the whole group`;
    return group;
  }
  const roots = rootsOf(lead);
  const channelOfRoot = new Map(roots.map((root, i) => [root, i]));
  group.name = graph.layers[lead.call].name;
  group.channels = roots.length;
  group.roots = roots;
  group.memberChannels = members.map((member) => rootsOf(member).map((root) => channelOfRoot.get(root)!));
  group.frozenReason = roots.map((root) => atoms.frozenReason(root)).find((reason) => reason !== undefined);
  return group;
}
