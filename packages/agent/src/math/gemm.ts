/**
 * Dense matrix products on plain typed arrays, for networks small enough that a tensor op's fixed cost (tens of
 * microseconds in tfjs) outweighs its arithmetic (a 64-unit layer on a 128-row minibatch is 0.5M multiply-adds;
 * one training step through tfjs is ~75 ops). Products accumulate in float64 (JavaScript numbers) and store float32.
 */

export type FloatArray = Float32Array | Float64Array;

/**
 * C = A · Bᵀ (+ bias per column), with A: M × K, B: N × K, C: M × N, all row-major. Both operands are read along
 * their contiguous K axis; 2 rows of A × 4 rows of B share each load in 8 running sums.
 */
export function gemmNT(
  a: FloatArray,
  b: FloatArray,
  c: FloatArray,
  m: number,
  n: number,
  k: number,
  bias?: FloatArray,
): void {
  let i = 0;
  for (; i + 1 < m; i += 2) {
    const a0 = i * k;
    const a1 = a0 + k;
    const c0 = i * n;
    const c1 = c0 + n;
    let j = 0;
    for (; j + 3 < n; j += 4) {
      const b0 = j * k;
      const b1 = b0 + k;
      const b2 = b1 + k;
      const b3 = b2 + k;
      let s00 = 0,
        s01 = 0,
        s02 = 0,
        s03 = 0,
        s10 = 0,
        s11 = 0,
        s12 = 0,
        s13 = 0;
      for (let p = 0; p < k; p++) {
        const x0 = a[a0 + p];
        const x1 = a[a1 + p];
        const y0 = b[b0 + p];
        const y1 = b[b1 + p];
        const y2 = b[b2 + p];
        const y3 = b[b3 + p];
        s00 += x0 * y0;
        s01 += x0 * y1;
        s02 += x0 * y2;
        s03 += x0 * y3;
        s10 += x1 * y0;
        s11 += x1 * y1;
        s12 += x1 * y2;
        s13 += x1 * y3;
      }
      const d0 = bias ? bias[j] : 0;
      const d1 = bias ? bias[j + 1] : 0;
      const d2 = bias ? bias[j + 2] : 0;
      const d3 = bias ? bias[j + 3] : 0;
      c[c0 + j] = s00 + d0;
      c[c0 + j + 1] = s01 + d1;
      c[c0 + j + 2] = s02 + d2;
      c[c0 + j + 3] = s03 + d3;
      c[c1 + j] = s10 + d0;
      c[c1 + j + 1] = s11 + d1;
      c[c1 + j + 2] = s12 + d2;
      c[c1 + j + 3] = s13 + d3;
    }
    for (; j < n; j++) {
      const bj = j * k;
      let s0 = 0;
      let s1 = 0;
      for (let p = 0; p < k; p++) {
        s0 += a[a0 + p] * b[bj + p];
        s1 += a[a1 + p] * b[bj + p];
      }
      const d = bias ? bias[j] : 0;
      c[c0 + j] = s0 + d;
      c[c1 + j] = s1 + d;
    }
  }
  for (; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += a[i * k + p] * b[j * k + p];
      c[i * n + j] = s + (bias ? bias[j] : 0);
    }
  }
}

/** out = inᵀ: `rows × cols` row-major in, `cols × rows` out. */
export function transpose(input: FloatArray, out: FloatArray, rows: number, cols: number): void {
  for (let r = 0; r < rows; r++) {
    const row = r * cols;
    for (let c = 0; c < cols; c++) out[c * rows + r] = input[row + c];
  }
}
