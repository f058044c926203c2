// Pairwise distances and norms of a convolution layer's filters, computed on the tfjs backend.
//
// A filter is one output channel of a Conv2D kernel [kh, kw, cin, cout], flattened in
// (kh, kw, cin) order to a vector of kh·kw·cin weights.

import * as tf from '@tensorflow/tfjs';

import { PeakPruneError } from './errors';
import type { DistanceMetric } from './types';

/** Reshapes a kernel [kh, kw, cin, cout] to one filter per row: [cout, kh·kw·cin]. */
export function filterMatrix(kernel: tf.Tensor4D): tf.Tensor2D {
  if (kernel.rank !== 4) {
    throw new PeakPruneError('invalid-model', `A Conv2D kernel has rank 4, but this one has shape [${kernel.shape.join(', ')}].`);
  }
  const [kh, kw, cin, cout] = kernel.shape;
  return tf.tidy(() => tf.transpose(tf.reshape(kernel, [kh * kw * cin, cout])) as tf.Tensor2D);
}

/**
 * Computes the n × n distances between the rows of x (float32 on the backend).
 *
 * Euclidean: the rows are first centred on their mean (distances do not change, and the smaller
 * norms lose less precision), then d²_ij = g_ii + g_jj − 2·g_ij with g = x·xᵀ. Taking ‖x_i‖² from
 * the diagonal of the same product makes d_ij exactly 0 for identical rows on the tfjs cpu
 * backend, where every entry of g is summed in the same order. Negative d² from rounding are
 * clamped to 0 before the square root, and the diagonal is exactly 0.
 *
 * Cosine: d_ij = 1 − cos(x_i, x_j), computed as ½‖u_i − u_j‖² of the unit rows u, clamped to
 * [0, 2]. A zero row (all weights exactly 0) has distance 1 to every nonzero row and 0 to other
 * zero rows. The diagonal is exactly 0.
 */
export function pairwiseDistanceTensor(x: tf.Tensor2D, metric: DistanceMetric): tf.Tensor2D {
  if (metric !== 'euclidean' && metric !== 'cosine') {
    throw new PeakPruneError('invalid-options', `Unknown distance metric "${String(metric)}"; use euclidean or cosine.`);
  }
  return tf.tidy(() => {
    const offDiagonal = tf.sub(1, tf.eye(x.shape[0]));
    const distances = metric === 'euclidean' ? euclidean(x) : cosine(x);
    return tf.mul(distances, offDiagonal) as tf.Tensor2D;
  });
}

/** Returns ½(g_ii + g_jj) − g_ij for g = x·xᵀ, which is ½‖x_i − x_j‖². Call inside tf.tidy. */
function halfSquaredDistances(x: tf.Tensor2D): tf.Tensor2D {
  const n = x.shape[0];
  const gram = tf.matMul(x, x, false, true);
  const squaredNorms = tf.sum(tf.mul(gram, tf.eye(n)), 1);
  const sum = tf.add(tf.reshape(squaredNorms, [n, 1]), tf.reshape(squaredNorms, [1, n]));
  return tf.sub(tf.mul(sum, 0.5), gram) as tf.Tensor2D;
}

function euclidean(x: tf.Tensor2D): tf.Tensor2D {
  const centred = tf.sub(x, tf.mean(x, 0, true)) as tf.Tensor2D;
  return tf.sqrt(tf.relu(tf.mul(halfSquaredDistances(centred), 2))) as tf.Tensor2D;
}

function cosine(x: tf.Tensor2D): tf.Tensor2D {
  // Dividing each row by its largest |weight| first keeps the squares clear of float32
  // underflow and overflow. Zero rows are divided by 1 and stay zero.
  const rowMax = tf.max(tf.abs(x), 1, true);
  const nonzero = tf.cast(tf.greater(rowMax, 0), 'float32');
  const scaled = tf.div(x, tf.add(rowMax, tf.sub(1, nonzero)));
  const norms = tf.sqrt(tf.sum(tf.square(scaled), 1, true));
  const unit = tf.div(scaled, tf.add(norms, tf.sub(1, nonzero))) as tf.Tensor2D;

  const betweenNonzero = tf.clipByValue(halfSquaredDistances(unit), 0, 2);
  const both = tf.matMul(nonzero, nonzero, false, true);
  const exactlyOne = tf.sub(tf.add(nonzero, tf.transpose(nonzero)), tf.mul(both, 2));
  return tf.add(tf.mul(betweenNonzero, both), exactlyOne) as tf.Tensor2D;
}

/**
 * Computes the filter distances of a Conv2D kernel [kh, kw, cin, cout] as a row-major
 * cout × cout Float64Array. The matrix is read back once, made exactly symmetric by averaging
 * d_ij and d_ji, and every tensor created here is disposed. The kernel itself is not disposed.
 */
export async function layerDistances(kernel: tf.Tensor4D, metric: DistanceMetric): Promise<Float64Array> {
  const matrix = tf.tidy(() => pairwiseDistanceTensor(filterMatrix(kernel), metric));
  let values: Float32Array;
  try {
    values = (await matrix.data()) as Float32Array;
  } finally {
    matrix.dispose();
  }
  const n = kernel.shape[3];
  const dist = Float64Array.from(values);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const mean = (dist[i * n + j] + dist[j * n + i]) / 2;
      dist[i * n + j] = mean;
      dist[j * n + i] = mean;
    }
  }
  return dist;
}

/** Computes the L1 and L2 norm of every filter of a Conv2D kernel [kh, kw, cin, cout]. */
export async function filterNorms(kernel: tf.Tensor4D): Promise<{ l1: Float64Array; l2: Float64Array }> {
  const norms = tf.tidy(() => {
    const rows = filterMatrix(kernel);
    return tf.stack([tf.sum(tf.abs(rows), 1), tf.norm(rows, 'euclidean', 1)]);
  });
  let values: Float32Array;
  try {
    values = (await norms.data()) as Float32Array;
  } finally {
    norms.dispose();
  }
  const n = kernel.shape[3];
  return { l1: Float64Array.from(values.subarray(0, n)), l2: Float64Array.from(values.subarray(n)) };
}
