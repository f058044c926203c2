// State shared by the per-class propagation rules while they walk the graph.

import { AtomTable, type ChannelLayout } from './atoms';
import type { GraphLayer, GraphTensor, ModelGraph } from './read';

/** A layer that keeps every channel reaching it, with the reason. */
export interface FrozenLayer {
  name: string;
  className: string;
  reason: string;
}

export class PropagationContext {
  readonly atoms = new AtomTable();
  /** Channel layout of each tensor; undefined when its channel count is unknown. */
  readonly layouts = new Map<number, ChannelLayout | undefined>();
  readonly frozenLayers: FrozenLayer[] = [];
  /** Reason of every frozen layer call by layer name, whether or not a prunable channel reaches it. */
  readonly callReasons = new Map<string, string>();

  constructor(readonly graph: ModelGraph) {}

  tensor(id: number): GraphTensor {
    return this.graph.tensors.get(id)!;
  }

  layout(id: number): ChannelLayout | undefined {
    return this.layouts.get(id);
  }

  inputLayouts(call: GraphLayer): (ChannelLayout | undefined)[] {
    return call.inputs.map((id) => this.layout(id));
  }

  /** Gives every output of the call the same layout. */
  setOutputs(call: GraphLayer, layout: ChannelLayout | undefined): void {
    for (const id of call.outputs) this.layouts.set(id, layout);
  }

  /**
   * Gives each output new atoms along its last axis: prunable filters for a convolution, fixed
   * channels otherwise. A tensor whose last dimension is unknown gets no layout.
   */
  createOutputs(callIndex: number, prunable: boolean, axisOf?: (rank: number) => number): void {
    const call = this.graph.layers[callIndex];
    for (const id of call.outputs) {
      const shape = this.tensor(id).shape;
      const axis = axisOf?.(shape.length) ?? shape.length - 1;
      const size = shape[axis];
      if (shape.length < 2 || size === null) {
        this.layouts.set(id, undefined);
        continue;
      }
      const reason = `its channels are coupled with the output of layer "${call.name}" (${call.className}), which keeps all its channels`;
      this.layouts.set(id, { axis, atoms: this.atoms.create(callIndex, size, prunable, reason) });
    }
  }

  /**
   * Freezes every channel reaching the call and gives its outputs fixed channels. The layer is
   * listed as frozen only when some prunable channel reaches it.
   */
  freeze(callIndex: number, reason: string): void {
    const call = this.graph.layers[callIndex];
    let reachesPrunable = false;
    for (const layout of this.inputLayouts(call)) {
      for (const atom of layout?.atoms ?? []) {
        if (this.atoms.sources[atom].prunable) reachesPrunable = true;
        this.atoms.freeze(atom, `its channels reach layer "${call.name}" (${call.className}), which ${reason}`);
      }
    }
    this.callReasons.set(call.name, reason);
    const listed = this.frozenLayers.some((layer) => layer.name === call.name);
    if (reachesPrunable && !listed) this.frozenLayers.push({ name: call.name, className: call.className, reason });
    this.createOutputs(callIndex, false);
  }

  /** True when no channel of the layout can ever be removed, as for a model input. */
  isFixed(layout: ChannelLayout | undefined): boolean {
    return layout === undefined || layout.atoms.every((atom) => !this.atoms.sources[atom].prunable);
  }

  /** Freezes the channels of a tensor without listing a layer, for model outputs. */
  freezeTensor(id: number, reason: string): void {
    for (const atom of this.layout(id)?.atoms ?? []) this.atoms.freeze(atom, reason);
  }
}

/** Turns a Keras axis (counted with the batch axis, negative from the end) into a non-negative index. */
export function normalizeAxis(axis: number, rank: number): number {
  return axis < 0 ? rank + axis : axis;
}

/** Channel axis of a layer with a dataFormat option, for an input of the given rank. */
export function channelAxisOf(call: GraphLayer, rank: number): number {
  return call.entry.config.dataFormat === 'channelsFirst' ? 1 : rank - 1;
}
