// Per-class rules that carry channel atoms from a layer call's inputs to its outputs.

import type { ChannelLayout } from './atoms';
import { channelAxisOf, normalizeAxis, type PropagationContext } from './context';
import { flattenRule, reshapeRule } from './reshape';

/** Convolutions whose output channels (filters) pruning may remove. */
export const PRODUCER_CLASSES: ReadonlySet<string> = new Set(['Conv1D', 'Conv2D', 'SeparableConv2D']);

/** Layers that act on each value alone, or are the identity at inference, so channels pass unchanged. */
const ELEMENTWISE = new Set([
  'ReLU',
  'LeakyReLU',
  'PReLU',
  'ELU',
  'ThresholdedReLU',
  'GaussianNoise',
  'GaussianDropout',
  'AlphaDropout',
  'SpatialDropout1D',
  'SpatialDropout2D',
]);

/** Layers that work on spatial axes only and keep the channel axis their dataFormat names. */
const SPATIAL = new Set([
  'MaxPooling1D',
  'MaxPooling2D',
  'MaxPooling3D',
  'AveragePooling1D',
  'AveragePooling2D',
  'AveragePooling3D',
  'ZeroPadding2D',
  'Cropping2D',
  'UpSampling2D',
]);

const GLOBAL_POOLING = new Set(['GlobalAveragePooling1D', 'GlobalAveragePooling2D', 'GlobalMaxPooling1D', 'GlobalMaxPooling2D']);

/** Merge layers whose output is an element-wise function of inputs of one shape. */
export const ELEMENTWISE_MERGE: ReadonlySet<string> = new Set(['Add', 'Subtract', 'Multiply', 'Average', 'Maximum', 'Minimum']);

/** Applies the rule of the call's layer class. Unknown classes freeze the channels that reach them. */
export function propagateCall(ctx: PropagationContext, index: number): void {
  const call = ctx.graph.layers[index];
  if (call.calls > 1) {
    ctx.freeze(index, `is called ${call.calls} times with shared weights, which pruning does not support yet`);
    return;
  }
  const className = call.className;
  if (PRODUCER_CLASSES.has(className)) return producerRule(ctx, index);
  if (ELEMENTWISE.has(className)) return ctx.setOutputs(call, ctx.inputLayouts(call)[0]);
  if (SPATIAL.has(className)) return spatialRule(ctx, index, false);
  if (GLOBAL_POOLING.has(className)) return spatialRule(ctx, index, true);
  if (ELEMENTWISE_MERGE.has(className)) return mergeRule(ctx, index);
  switch (className) {
    case 'Dense':
      return denseRule(ctx, index);
    case 'DepthwiseConv2D':
      return depthwiseRule(ctx, index);
    case 'BatchNormalization':
      return ctx.setOutputs(call, ctx.inputLayouts(call)[0]);
    case 'Activation':
      return axisSensitiveRule(ctx, index, call.entry.config.activation === 'softmax' ? -1 : undefined, 'applies softmax over the channel axis');
    case 'Softmax':
      return axisSensitiveRule(ctx, index, numberOr(call.entry.config.axis, 1), 'applies softmax over the channel axis');
    case 'LayerNormalization':
      return layerNormRule(ctx, index);
    case 'Dropout':
      return dropoutRule(ctx, index);
    case 'Concatenate':
      return concatenateRule(ctx, index);
    case 'Permute':
      return permuteRule(ctx, index);
    case 'Flatten':
      return flattenRule(ctx, index);
    case 'Reshape':
      return reshapeRule(ctx, index);
    default:
      return ctx.freeze(index, `is of class ${className}, which pruning does not support`);
  }
}

function producerRule(ctx: PropagationContext, index: number): void {
  const call = ctx.graph.layers[index];
  const input = ctx.inputLayouts(call)[0];
  const rank = ctx.tensor(call.inputs[0]).shape.length;
  if (!ctx.isFixed(input) && input!.axis !== channelAxisOf(call, rank)) {
    ctx.freeze(index, 'reads the pruned axis as a spatial axis');
    return;
  }
  ctx.createOutputs(index, true, (outputRank) => channelAxisOf(call, outputRank));
}

function denseRule(ctx: PropagationContext, index: number): void {
  const call = ctx.graph.layers[index];
  const input = ctx.inputLayouts(call)[0];
  const rank = ctx.tensor(call.inputs[0]).shape.length;
  // Dense acts on the last axis; channels along another axis pass through it unchanged.
  if (input !== undefined && input.axis !== rank - 1) return ctx.setOutputs(call, input);
  ctx.createOutputs(index, false);
}

function depthwiseRule(ctx: PropagationContext, index: number): void {
  const call = ctx.graph.layers[index];
  const input = ctx.inputLayouts(call)[0];
  const rank = ctx.tensor(call.inputs[0]).shape.length;
  if (input === undefined || (ctx.isFixed(input) && input.axis !== channelAxisOf(call, rank))) {
    return ctx.createOutputs(index, false, (outputRank) => channelAxisOf(call, outputRank));
  }
  if (input.axis !== channelAxisOf(call, rank)) return ctx.freeze(index, 'reads the pruned axis as a spatial axis');
  // Output channel c·m + k comes from input channel c, so each input atom repeats m times.
  const multiplier = numberOr(call.entry.config.depthMultiplier, 1);
  const atoms = input.atoms.flatMap((atom) => new Array<number>(multiplier).fill(atom));
  ctx.setOutputs(call, { axis: input.axis, atoms });
}

function spatialRule(ctx: PropagationContext, index: number, global: boolean): void {
  const call = ctx.graph.layers[index];
  const input = ctx.inputLayouts(call)[0];
  const rank = ctx.tensor(call.inputs[0]).shape.length;
  if (input === undefined || (ctx.isFixed(input) && input.axis !== channelAxisOf(call, rank))) {
    return ctx.createOutputs(index, false, (outputRank) => (global ? 1 : channelAxisOf(call, outputRank)));
  }
  if (input.axis !== channelAxisOf(call, rank)) return ctx.freeze(index, 'works across the pruned axis as a spatial axis');
  ctx.setOutputs(call, global ? { axis: 1, atoms: input.atoms } : input);
}

function axisSensitiveRule(ctx: PropagationContext, index: number, axis: number | undefined, reason: string): void {
  const call = ctx.graph.layers[index];
  const input = ctx.inputLayouts(call)[0];
  const rank = ctx.tensor(call.inputs[0]).shape.length;
  if (axis !== undefined && input !== undefined && normalizeAxis(axis, rank) === input.axis) return ctx.freeze(index, reason);
  ctx.setOutputs(call, input);
}

function layerNormRule(ctx: PropagationContext, index: number): void {
  const call = ctx.graph.layers[index];
  const input = ctx.inputLayouts(call)[0];
  const rank = ctx.tensor(call.inputs[0]).shape.length;
  const configured = call.entry.config.axis;
  const axes = (Array.isArray(configured) ? configured : [configured ?? -1]).map((a) => normalizeAxis(Number(a), rank));
  if (input !== undefined && axes.includes(input.axis)) return ctx.freeze(index, 'normalizes over the channel axis');
  ctx.setOutputs(call, input);
}

function dropoutRule(ctx: PropagationContext, index: number): void {
  const call = ctx.graph.layers[index];
  const input = ctx.inputLayouts(call)[0];
  const noiseShape = call.entry.config.noiseShape;
  if (input !== undefined && Array.isArray(noiseShape) && noiseShape[input.axis] !== 1 && noiseShape[input.axis] !== null) {
    return ctx.freeze(index, 'has a noiseShape that fixes the channel count');
  }
  ctx.setOutputs(call, input);
}

/** Couples the inputs of an element-wise merge position by position, so they keep the same channels. */
function mergeRule(ctx: PropagationContext, index: number): void {
  const call = ctx.graph.layers[index];
  const inputs = ctx.inputLayouts(call);
  const shapes = call.inputs.map((id) => ctx.tensor(id).shape);
  const sameShape = shapes.every((shape) => shape.length === shapes[0].length && shape.every((d, i) => d === shapes[0][i]));
  if (!sameShape) return ctx.freeze(index, 'merges inputs of different shapes (broadcasting)');
  if (!coupleLayouts(ctx, inputs)) return ctx.freeze(index, 'merges inputs whose channels lie along different axes');
  ctx.setOutputs(call, inputs[0]);
}

/** Unites the atoms of layouts position by position. Returns false when they do not line up. */
function coupleLayouts(ctx: PropagationContext, layouts: (ChannelLayout | undefined)[]): boolean {
  const first = layouts[0];
  if (first === undefined) return layouts.every((layout) => layout === undefined);
  for (const layout of layouts) {
    if (layout === undefined || layout.axis !== first.axis || layout.atoms.length !== first.atoms.length) return false;
  }
  for (const layout of layouts.slice(1)) layout!.atoms.forEach((atom, i) => ctx.atoms.union(first.atoms[i], atom));
  return true;
}

function concatenateRule(ctx: PropagationContext, index: number): void {
  const call = ctx.graph.layers[index];
  const inputs = ctx.inputLayouts(call);
  const rank = ctx.tensor(call.outputs[0]).shape.length;
  const axis = normalizeAxis(numberOr(call.entry.config.axis, -1), rank);
  if (inputs.every((layout) => layout?.axis === axis)) {
    // Offsets follow input order; a tensor concatenated twice contributes its atoms twice.
    return ctx.setOutputs(call, { axis, atoms: inputs.flatMap((layout) => layout!.atoms) });
  }
  if (inputs.some((layout) => layout?.axis === axis) || !coupleLayouts(ctx, inputs)) {
    return ctx.freeze(index, 'joins inputs whose channels lie along different axes');
  }
  ctx.setOutputs(call, inputs[0]);
}

function permuteRule(ctx: PropagationContext, index: number): void {
  const call = ctx.graph.layers[index];
  const input = ctx.inputLayouts(call)[0];
  const dims = call.entry.config.dims;
  if (input === undefined || !Array.isArray(dims)) return ctx.setOutputs(call, input);
  // Output axis k + 1 is input axis dims[k]; both count the batch axis as 0.
  ctx.setOutputs(call, { axis: dims.indexOf(input.axis) + 1, atoms: input.atoms });
}

function numberOr(value: unknown, fallback: number): number {
  return typeof value === 'number' ? value : fallback;
}
