// Classical multidimensional scaling (Torgerson's MDS) of a dense distance matrix into two
// dimensions, in float64, plus the figures that measure how faithful the embedding is.
//
// With D² the squared distances and J = I − 11ᵀ/n the centring matrix, B = −½·J·D²·J is the
// Gram matrix of centred points whose distances are D. The embedding is x_k = √λ_k · v_k for the
// two largest eigenpairs (λ_k, v_k) of B. Points that are exactly 2-D come back up to a rotation,
// a reflection and a translation.

import { PeakPruneError } from './errors';
import { mulberry32 } from './random';

/** A 2-D embedding of n points. */
export interface Embedding {
  n: number;
  x: Float64Array;
  y: Float64Array;
  /** The two largest eigenvalues of B, descending. A negative one is reported, but its axis is set to 0. */
  eigenvalues: [number, number];
  /**
   * (max(λ₁, 0) + max(λ₂, 0)) / trace(B): the share of the total squared spread kept by the two
   * axes. trace(B) is the sum of all eigenvalues, so this is exact for Euclidean distances, where
   * B has no negative eigenvalues. 1 when every distance is 0.
   */
  explainedVariance: number;
  /** Kruskal's stress-1: √(Σ (d_ij − d̂_ij)² / Σ d_ij²) over i < j, where d̂ are the 2-D distances. 0 when every distance is 0. */
  stress: number;
}

/** Vectors kept in the subspace iteration. More than 2 speed up convergence when λ₂ ≈ λ₃. */
const BLOCK_SIZE = 6;
/**
 * NOTE: when λ₂ and the next eigenvalues nearly coincide, iteration stops here before the axes
 * settle. The result is then some orthogonal pair of directions from that near-equal subspace,
 * and the stress and explained variance describe the axes returned.
 */
const MAX_ITERATIONS = 300;
/** Iteration stops when no Ritz value of the top two changes by more than this fraction of λ₁. */
const TOLERANCE = 1e-10;

/**
 * Embeds n points into 2-D by classical MDS of their n × n row-major distance matrix.
 *
 * The matrix must be symmetric with finite, non-negative entries. The diagonal is ignored.
 * The top eigenpairs come from orthogonal (subspace) iteration with a Rayleigh–Ritz step,
 * started from a fixed seed, so the result is deterministic. Cost is O(n²) per iteration.
 */
export function classicalMds(dist: Float64Array, n: number): Embedding {
  checkDistances(dist, n);
  const gram = doubleCentredGram(dist, n);
  const { values, vectors } = topEigenpairs(gram, n, Math.min(BLOCK_SIZE, n));

  const x = new Float64Array(n);
  const y = new Float64Array(n);
  const scaleX = Math.sqrt(Math.max(values[0] ?? 0, 0));
  const scaleY = Math.sqrt(Math.max(values[1] ?? 0, 0));
  for (let i = 0; i < n; i++) {
    x[i] = scaleX * (vectors[0]?.[i] ?? 0);
    y[i] = scaleY * (vectors[1]?.[i] ?? 0);
  }

  let trace = 0;
  for (let i = 0; i < n; i++) trace += gram[i * n + i];
  const kept = Math.max(values[0] ?? 0, 0) + Math.max(values[1] ?? 0, 0);
  const explainedVariance = trace > 0 ? Math.min(1, kept / trace) : 1;
  return { n, x, y, eigenvalues: [values[0] ?? 0, values[1] ?? 0], explainedVariance, stress: kruskalStress(dist, n, x, y) };
}

/** Computes Kruskal's stress-1 of 2-D coordinates against the distances they stand for. */
export function kruskalStress(dist: Float64Array, n: number, x: Float64Array, y: Float64Array): number {
  let residual = 0;
  let total = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const d = dist[i * n + j];
      const embedded = Math.hypot(x[i] - x[j], y[i] - y[j]);
      residual += (d - embedded) ** 2;
      total += d * d;
    }
  }
  return total > 0 ? Math.sqrt(residual / total) : 0;
}

/** Builds B = −½·J·D²·J by subtracting row, column and grand means of D². */
function doubleCentredGram(dist: Float64Array, n: number): Float64Array {
  const gram = new Float64Array(n * n);
  const rowMean = new Float64Array(n);
  let grandMean = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const squared = i === j ? 0 : dist[i * n + j] ** 2;
      gram[i * n + j] = squared;
      rowMean[i] += squared / n;
    }
    grandMean += rowMean[i] / n;
  }
  // D² is symmetric, so the column means equal the row means.
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) gram[i * n + j] = -0.5 * (gram[i * n + j] - rowMean[i] - rowMean[j] + grandMean);
  }
  return gram;
}

/**
 * Returns the `block` eigenpairs of the symmetric matrix a of largest eigenvalue, descending,
 * by orthogonal iteration: Q ← orth(A·Q), then Rayleigh–Ritz on QᵀAQ.
 */
function topEigenpairs(a: Float64Array, n: number, block: number): { values: number[]; vectors: Float64Array[] } {
  const random = mulberry32(0x5eed);
  let basis: Float64Array[] = Array.from({ length: block }, () => Float64Array.from({ length: n }, () => random() - 0.5));
  basis = orthonormalize(basis);
  let previous: number[] = [];
  let ritz = rayleighRitz(a, n, basis);

  for (let iteration = 0; iteration < MAX_ITERATIONS; iteration++) {
    basis = orthonormalize(ritz.vectors.map((v) => multiply(a, n, v)));
    ritz = rayleighRitz(a, n, basis);
    const scale = Math.max(Math.abs(ritz.values[0]), Number.MIN_VALUE);
    const settled = previous.length > 0 && [0, 1].every((k) => k >= block || Math.abs(ritz.values[k] - previous[k]) <= TOLERANCE * scale);
    if (settled) break;
    previous = ritz.values;
  }
  return ritz;
}

/** Projects a onto the basis, diagonalises the small matrix and returns its Ritz pairs, largest value first. */
function rayleighRitz(a: Float64Array, n: number, basis: Float64Array[]): { values: number[]; vectors: Float64Array[] } {
  const k = basis.length;
  const images = basis.map((v) => multiply(a, n, v));
  const small = new Float64Array(k * k);
  for (let r = 0; r < k; r++) {
    for (let c = 0; c < k; c++) small[r * k + c] = dot(basis[r], images[c]);
  }
  const { values, vectors } = jacobiEigen(small, k);
  const order = values.map((_, i) => i).sort((p, q) => values[q] - values[p]);
  return {
    values: order.map((i) => values[i]),
    vectors: order.map((i) => {
      const v = new Float64Array(n);
      for (let r = 0; r < k; r++) {
        const weight = vectors[r * k + i];
        for (let j = 0; j < n; j++) v[j] += weight * basis[r][j];
      }
      return v;
    }),
  };
}

/**
 * Diagonalises a small symmetric k × k matrix by cyclic Jacobi rotations. Returns the eigenvalues
 * and the eigenvectors as the columns of a row-major k × k matrix.
 */
export function jacobiEigen(matrix: Float64Array, k: number): { values: number[]; vectors: Float64Array } {
  const a = Float64Array.from(matrix);
  const v = new Float64Array(k * k);
  for (let i = 0; i < k; i++) v[i * k + i] = 1;

  const total = a.reduce((sum, entry) => sum + entry * entry, 0);
  for (let sweep = 0; sweep < 100; sweep++) {
    let offDiagonal = 0;
    for (let p = 0; p < k; p++) for (let q = p + 1; q < k; q++) offDiagonal += a[p * k + q] ** 2;
    if (offDiagonal <= 1e-30 * total) break;
    for (let p = 0; p < k; p++) {
      for (let q = p + 1; q < k; q++) rotate(a, v, k, p, q);
    }
  }
  return { values: Array.from({ length: k }, (_, i) => a[i * k + i]), vectors: v };
}

/** Applies the Jacobi rotation that zeroes a[p][q] to a (both sides) and to the eigenvector matrix v. */
function rotate(a: Float64Array, v: Float64Array, k: number, p: number, q: number): void {
  const apq = a[p * k + q];
  if (apq === 0) return;
  const theta = (a[q * k + q] - a[p * k + p]) / (2 * apq);
  const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
  const c = 1 / Math.sqrt(t * t + 1);
  const s = t * c;
  for (let r = 0; r < k; r++) {
    const arp = a[r * k + p];
    const arq = a[r * k + q];
    a[r * k + p] = c * arp - s * arq;
    a[r * k + q] = s * arp + c * arq;
  }
  for (let r = 0; r < k; r++) {
    const apr = a[p * k + r];
    const aqr = a[q * k + r];
    a[p * k + r] = c * apr - s * aqr;
    a[q * k + r] = s * apr + c * aqr;
  }
  for (let r = 0; r < k; r++) {
    const vrp = v[r * k + p];
    const vrq = v[r * k + q];
    v[r * k + p] = c * vrp - s * vrq;
    v[r * k + q] = s * vrp + c * vrq;
  }
}

/**
 * Orthonormalises vectors by modified Gram–Schmidt. A vector that becomes (numerically) zero
 * is replaced by a unit axis vector orthogonal to the others, so the basis keeps its size.
 */
function orthonormalize(vectors: Float64Array[]): Float64Array[] {
  const result: Float64Array[] = [];
  const n = vectors[0]?.length ?? 0;
  for (const vector of vectors) {
    let candidate = Float64Array.from(vector);
    let norm = removeComponents(candidate, result);
    for (let axis = 0; norm < 1e-12 && axis < n; axis++) {
      candidate = new Float64Array(n);
      candidate[axis] = 1;
      norm = removeComponents(candidate, result);
    }
    for (let i = 0; i < n; i++) candidate[i] /= norm;
    result.push(candidate);
  }
  return result;
}

/** Subtracts from v its projection on each orthonormal vector and returns the remaining norm. */
function removeComponents(v: Float64Array, orthonormal: readonly Float64Array[]): number {
  for (const u of orthonormal) {
    const projection = dot(u, v);
    for (let i = 0; i < v.length; i++) v[i] -= projection * u[i];
  }
  return Math.sqrt(dot(v, v));
}

function multiply(a: Float64Array, n: number, v: Float64Array): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (let j = 0; j < n; j++) sum += a[i * n + j] * v[j];
    out[i] = sum;
  }
  return out;
}

function dot(a: Float64Array, b: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i] * b[i];
  return sum;
}

function checkDistances(dist: Float64Array, n: number): void {
  if (!Number.isInteger(n) || n < 1 || dist.length !== n * n) {
    throw new PeakPruneError('internal', `The distance matrix has ${dist.length} entries; expected ${n} × ${n}.`);
  }
  for (let k = 0; k < dist.length; k++) {
    if (!(dist[k] >= 0) || dist[k] === Infinity) {
      throw new PeakPruneError('invalid-model', `Distance d(${Math.floor(k / n)}, ${k % n}) = ${dist[k]} is not a finite non-negative number; check the layer's weights for NaN or infinity.`);
    }
  }
}
