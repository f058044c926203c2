// Channel atoms: one id per channel created by a layer, merged by union-find when layers couple them.

/** Origin of a channel atom: a prunable layer's filter, or a fixed source such as a model input. */
export interface AtomSource {
  /** Index of the producing layer call, or -1 for a model input. */
  call: number;
  /** Filter (output channel) index in the producer. */
  index: number;
  /** False for channels no plan may remove: model inputs, Dense outputs, outputs of unsupported layers. */
  prunable: boolean;
}

/**
 * A union-find over channel atoms. Two atoms in one set must be kept or removed together. A set
 * is frozen when any of its atoms is frozen; the first reason given is kept.
 */
export class AtomTable {
  private readonly parent: number[] = [];
  private readonly frozen: (string | undefined)[] = [];
  readonly sources: AtomSource[] = [];

  /** Creates `count` new atoms, each in its own set, and returns their ids in filter order. */
  create(call: number, count: number, prunable: boolean, frozenReason?: string): number[] {
    const ids: number[] = [];
    for (let index = 0; index < count; index++) {
      const id = this.parent.length;
      this.parent.push(id);
      this.frozen.push(prunable ? undefined : frozenReason);
      this.sources.push({ call, index, prunable });
      ids.push(id);
    }
    return ids;
  }

  get size(): number {
    return this.parent.length;
  }

  find(atom: number): number {
    let root = atom;
    while (this.parent[root] !== root) root = this.parent[root];
    let current = atom;
    while (this.parent[current] !== root) {
      const next = this.parent[current];
      this.parent[current] = root;
      current = next;
    }
    return root;
  }

  union(a: number, b: number): void {
    const rootA = this.find(a);
    const rootB = this.find(b);
    if (rootA === rootB) return;
    const [keep, merged] = rootA < rootB ? [rootA, rootB] : [rootB, rootA];
    this.parent[merged] = keep;
    this.frozen[keep] ??= this.frozen[merged];
  }

  freeze(atom: number, reason: string): void {
    const root = this.find(atom);
    this.frozen[root] ??= reason;
  }

  /** Reason the atom's set cannot be removed, or undefined when it can. */
  frozenReason(atom: number): string | undefined {
    return this.frozen[this.find(atom)];
  }
}

/**
 * Channels of one tensor: the axis (counted with the batch axis) along which channels lie, and
 * the atom at each position of that axis. The same atom may sit at several positions, as after
 * a depthwise multiplier, Flatten, or a tensor concatenated with itself.
 */
export interface ChannelLayout {
  axis: number;
  atoms: number[];
}
