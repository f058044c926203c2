// Flatten and Reshape: the channel atoms of every element are laid out in the new shape, and the
// axis along which they still line up becomes the output's channel axis.

import type { ChannelLayout } from './atoms';
import type { PropagationContext } from './context';

/** Largest tensor (values per example) whose atoms are laid out element by element. */
const MAX_GRID_SIZE = 1 << 24;

export function flattenRule(ctx: PropagationContext, index: number): void {
  const call = ctx.graph.layers[index];
  const input = ctx.inputLayouts(call)[0];
  if (input === undefined) return ctx.createOutputs(index, false);
  const shape = ctx.tensor(call.inputs[0]).shape.slice(1);
  if (!isKnown(shape)) return ctx.freeze(index, 'flattens an input of unknown size');
  let dims = shape;
  let axis = input.axis - 1;
  // With dataFormat channelsFirst, Flatten moves axis 1 to the end before flattening.
  if (call.entry.config.dataFormat === 'channelsFirst' && dims.length > 1) {
    dims = [...dims.slice(1), dims[0]];
    axis = axis === 0 ? dims.length - 1 : axis - 1;
  }
  const grid = expandGrid(dims, axis, input.atoms);
  if (grid === undefined) return ctx.freeze(index, 'flattens a tensor too large to track channel by channel');
  ctx.setOutputs(call, { axis: 1, atoms: Array.from(grid) });
}

export function reshapeRule(ctx: PropagationContext, index: number): void {
  const call = ctx.graph.layers[index];
  const input = ctx.inputLayouts(call)[0];
  if (input === undefined) return ctx.createOutputs(index, false);
  const inputShape = ctx.tensor(call.inputs[0]).shape.slice(1);
  const outputShape = ctx.tensor(call.outputs[0]).shape.slice(1);
  if (!isKnown(inputShape) || !isKnown(outputShape)) return ctx.freeze(index, 'reshapes a tensor of unknown size');
  const grid = expandGrid(inputShape, input.axis - 1, input.atoms);
  if (grid === undefined) return ctx.freeze(index, 'reshapes a tensor too large to track channel by channel');
  const layout = lineUp(grid, outputShape);
  if (layout === undefined) return ctx.freeze(index, 'spreads each channel over several output axes');
  ctx.setOutputs(call, layout);
}

/** Returns the atom of every element of a row-major tensor of shape `dims` with atoms along `axis`. */
function expandGrid(dims: number[], axis: number, atoms: number[]): Int32Array | undefined {
  const size = dims.reduce((product, dim) => product * dim, 1);
  if (size > MAX_GRID_SIZE) return undefined;
  const stride = dims.slice(axis + 1).reduce((product, dim) => product * dim, 1);
  const grid = new Int32Array(size);
  for (let e = 0; e < size; e++) grid[e] = atoms[Math.floor(e / stride) % dims[axis]];
  return grid;
}

/**
 * Finds an axis of `dims` (the last first) such that each element's atom depends only on its
 * coordinate along that axis, and returns the layout along it (counted with the batch axis).
 */
function lineUp(grid: Int32Array, dims: number[]): ChannelLayout | undefined {
  for (let axis = dims.length - 1; axis >= 0; axis--) {
    const stride = dims.slice(axis + 1).reduce((product, dim) => product * dim, 1);
    const atoms = Array.from({ length: dims[axis] }, (_, j) => grid[j * stride]);
    let fits = true;
    for (let e = 0; e < grid.length && fits; e++) fits = grid[e] === atoms[Math.floor(e / stride) % dims[axis]];
    if (fits) return { axis: axis + 1, atoms };
  }
  return undefined;
}

function isKnown(shape: (number | null)[]): shape is number[] {
  return shape.every((dim) => dim !== null);
}
