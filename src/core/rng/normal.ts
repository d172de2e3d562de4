// Counter-based Gaussian noise: the value at element i of a stream depends only on (seed, stream, i), never on
// chunk sizes, threads, or the order tensors are written in. Exact algorithm (also in docs/noise.md):
//
//   key     = (seed mod 2^32, floor(seed / 2^32))                  seed: integer in [0, 2^53)
//   stream  = first 8 bytes of sha256(utf8(output tensor name)), little-endian: (s_lo, s_hi)
//   block b = floor(i / 4); (x0, x1, x2, x3) = Philox4x32-10(counter = (b mod 2^32, floor(b / 2^32), s_lo, s_hi), key)
//   z[4b + l] = Φ⁻¹ of word x_l (one 32-bit uniform per normal), by Acklam's rational approximation evaluated in
//              float64 with a fixed operation order — see normalFromWord below, and docs/noise.md for the table.
//   noisy value = float32( x + s * z[i] ) evaluated in float64, with s = alpha * sigma (float64), then rounded to the
//   tensor's dtype by round-to-nearest-even.
//
// Only +, −, ×, ÷, sqrt (IEEE-754 float64, correctly rounded, no fused multiply-add) and 32-bit integer operations
// are used — no Math.log/exp/sin — so a WebAssembly kernel (noiseKernel.ts) computes the very same bits, and so does
// any other language. |z| ≤ 6.33796 (the word 0 or 2^32−1): tails beyond Φ⁻¹(2^−33) are cut, far outside anything
// noise of std 0.01σ needs.
//
// This file is the reference implementation (and the path for partial blocks at the ends of a range); addNormal hands
// whole blocks to the WebAssembly SIMD kernel when it is available. test/core/rng checks both give identical bytes.
import { createHash } from 'node:crypto';
import { philox4x32 } from './philox';
import { kernelAddNormal, setNoiseThreads as kernelThreads } from './noiseKernel';

// Philox constants, repeated here as module locals: imported bindings compile to property reads under CommonJS
// interop, which in this hot loop cost 20x.
const M0 = 0xd2511f53 | 0;
const M1 = 0xcd9e8d57 | 0;
const M0_HI = 0xd251;
const M0_LO = 0x1f53;
const M1_HI = 0xcd9e;
const M1_LO = 0x8d57;
const W0 = 0x9e3779b9 | 0;
const W1 = 0xbb67ae85 | 0;

// Acklam's inverse normal CDF (P. J. Acklam, 2003; relative error < 1.15e-9): central region |p − ½| ≤ 0.47575,
// z = q·A(q²)/B(q²) with q = p − ½; tails z = ±C(r)/D(r) with r = sqrt(−2 ln min(p, 1−p)).
const A1 = -3.969683028665376e+01, A2 = 2.209460984245205e+02, A3 = -2.759285104469687e+02;
const A4 = 1.383577518672690e+02, A5 = -3.066479806614716e+01, A6 = 2.506628277459239e+00;
const B1 = -5.447609879822406e+01, B2 = 1.615858368580409e+02, B3 = -1.556989798598866e+02;
const B4 = 6.680131188771972e+01, B5 = -1.328068155288572e+01;
const C1 = -7.784894002430293e-03, C2 = -3.223964580411365e-01, C3 = -2.400758277161838e+00;
const C4 = -2.549732539343734e+00, C5 = 4.374664141464968e+00, C6 = 2.938163982698783e+00;
const D1 = 7.784695709041462e-03, D2 = 3.224671290700398e-01, D3 = 2.445134137142996e+00, D4 = 3.754408661907416e+00;
const Q_CENTRAL = 0.47575;
// ln m for m in [√½, √2]: s = (m−1)/(m+1), ln m = s·(2 + s²·(2/3 + s²·(2/5 + … + s²·2/17))) (|error| < 1e-15).
const L0 = 2, L1 = 2 / 3, L2 = 2 / 5, L3 = 2 / 7, L4 = 2 / 9, L5 = 2 / 11, L6 = 2 / 13, L7 = 2 / 15, L8 = 2 / 17;
const SQRT2 = 1.4142135623730951;
const LN2 = 0.6931471805599453;
const INV_2_32 = 1 / 4294967296;

/** The constants of the transform, for the WebAssembly kernel (same float64 values, bit for bit). */
export const TRANSFORM = {
  A: [A1, A2, A3, A4, A5, A6], B: [B1, B2, B3, B4, B5], C: [C1, C2, C3, C4, C5, C6], D: [D1, D2, D3, D4],
  L: [L0, L1, L2, L3, L4, L5, L6, L7, L8], Q_CENTRAL, SQRT2, LN2, INV_2_32,
} as const;

/**
 * The standard normal of one Philox word x (unsigned 32-bit): Φ⁻¹(p) with p = (x + ½) / 2^32, by the exact float64
 * recipe of docs/noise.md. Exactly odd: the word 2^32−1−x gives −z.
 */
export function normalFromWord(x: number): number {
  const v = (x ^ 0x80000000) | 0; // x − 2^31 as a signed integer
  const q = (v + 0.5) * INV_2_32; // p − ½, exact
  if (Math.abs(q) <= Q_CENTRAL) {
    const r = q * q;
    return (((((A1 * r + A2) * r + A3) * r + A4) * r + A5) * r + A6) * q / (((((B1 * r + B2) * r + B3) * r + B4) * r + B5) * r + 1);
  }
  return tailNormal(v);
}

/** The tail branch of normalFromWord, from v = x − 2^31 (signed). */
export function tailNormal(v: number): number {
  const w = v ^ ((v >> 31) ^ 0x7fffffff); // min(x, 2^32−1−x), in [0, 2^31)
  const n = 2 * w + 1; // min(p, 1−p) = n / 2^33, n odd
  let e = 31 - Math.clz32(n);
  let m = n / 2 ** e; // n = m·2^e, m in [1, 2), exact
  if (m > SQRT2) { m *= 0.5; e += 1; }
  const s = (m - 1) / (m + 1);
  const s2 = s * s;
  const lnm = s * (L0 + s2 * (L1 + s2 * (L2 + s2 * (L3 + s2 * (L4 + s2 * (L5 + s2 * (L6 + s2 * (L7 + s2 * L8))))))));
  const ln = (e - 33) * LN2 + lnm;
  const r = Math.sqrt(-2 * ln);
  const t = (((((C1 * r + C2) * r + C3) * r + C4) * r + C5) * r + C6) / ((((D1 * r + D2) * r + D3) * r + D4) * r + 1);
  return v < 0 ? t : -t;
}

export interface NoiseStream {
  /** Key words from the seed. */
  k0: number;
  k1: number;
  /** Counter words 2 and 3 (the stream id). */
  s0: number;
  s1: number;
}

const TWO_POW_32 = 4294967296;

/** The 64-bit stream id of a name: first 8 bytes of its sha256, little-endian, as [lo, hi] words. */
export function streamId(name: string): [number, number] {
  const h = createHash('sha256').update(name, 'utf8').digest();
  return [h.readUInt32LE(0), h.readUInt32LE(4)];
}

/** Hex of the stream id (as written in plans). */
export function streamIdHex(name: string): string {
  const [lo, hi] = streamId(name);
  return hi.toString(16).padStart(8, '0') + lo.toString(16).padStart(8, '0');
}

export function makeStream(seed: number, name: string): NoiseStream {
  if (!Number.isSafeInteger(seed) || seed < 0) throw new RangeError(`seed must be an integer in [0, 2^53), got ${seed}`);
  const [s0, s1] = streamId(name);
  return { k0: seed >>> 0, k1: Math.floor(seed / TWO_POW_32) >>> 0, s0, s1 };
}

/**
 * Adds s * z[start + j] to buf[j] for j < count (z: the stream's standard normals), storing float32.
 * With `replace`, writes mean + s * z instead of adding (fresh initialisation).
 * Whole blocks go to the WebAssembly kernel (when available); the bytes are those of addNormalJs.
 */
export function addNormal(
  buf: Float32Array, count: number, s: number, st: NoiseStream, start: number, replace = false, mean = 0,
): void {
  // Head: up to the first block boundary.
  let j = 0;
  const head = Math.min(count, (4 - (start % 4)) % 4);
  if (head > 0) { addNormalJs(buf.subarray(0, head), head, s, st, start, replace, mean); j = head; }
  const blocks = Math.floor((count - j) / 4);
  if (blocks >= 4) j += 4 * kernelAddNormal(TRANSFORM, buf, j, blocks, s, st, (start + j) / 4, replace, mean);
  if (j < count) addNormalJs(buf.subarray(j, count), count - j, s, st, start + j, replace, mean);
}

/**
 * Threads that fill noise: this one plus n − 1 worker threads sharing the kernel's memory (default 1, or the
 * environment's GRAFT_NOISE_THREADS). The bytes never depend on it. Returns the number in effect (1 without the
 * WebAssembly kernel).
 */
export function setNoiseThreads(n: number): number {
  return kernelThreads(n, TRANSFORM);
}

/** addNormal in plain JavaScript (the reference; also the fallback without WebAssembly SIMD). */
export function addNormalJs(
  buf: Float32Array, count: number, s: number, st: NoiseStream, start: number, replace = false, mean = 0,
): void {
  const { s0, s1 } = st;
  const key0 = st.k0 | 0, key1 = st.k1 | 0;
  let j = 0;
  let i = start;
  const z = new Float64Array(4);
  // A partial first block: compute it and take the tail.
  while (j < count) {
    const b = Math.floor(i / 4);
    const lane = i - b * 4;
    if (lane === 0 && count - j >= 4) {
      // Fast path: whole blocks, Philox inlined.
      const nBlocks = Math.floor((count - j) / 4);
      let bLo = b >>> 0;
      let bHi = Math.floor(b / TWO_POW_32) >>> 0;
      for (let q = 0; q < nBlocks; q++) {
        let c0 = bLo | 0, c1 = bHi | 0, c2 = s0 | 0, c3 = s1 | 0, k0 = key0, k1 = key1;
        for (let r = 0; r < 10; r++) {
          // hi32(M0 * c0) and hi32(M1 * c2) from 16-bit halves, all in int32 arithmetic.
          let xL = c0 & 0xffff, xH = c0 >>> 16;
          let m1 = Math.imul(M0_HI, xL) >>> 0, m2 = Math.imul(M0_LO, xH) >>> 0;
          let mid = (Math.imul(M0_LO, xL) >>> 16) + (m1 & 0xffff) + (m2 & 0xffff);
          const hi0 = (Math.imul(M0_HI, xH) + (m1 >>> 16) + (m2 >>> 16) + (mid >>> 16)) | 0;
          const lo0 = Math.imul(c0, M0);
          xL = c2 & 0xffff; xH = c2 >>> 16;
          m1 = Math.imul(M1_HI, xL) >>> 0; m2 = Math.imul(M1_LO, xH) >>> 0;
          mid = (Math.imul(M1_LO, xL) >>> 16) + (m1 & 0xffff) + (m2 & 0xffff);
          const hi1 = (Math.imul(M1_HI, xH) + (m1 >>> 16) + (m2 >>> 16) + (mid >>> 16)) | 0;
          const lo1 = Math.imul(c2, M1);
          c0 = hi1 ^ c1 ^ k0;
          c1 = lo1;
          c2 = hi0 ^ c3 ^ k1;
          c3 = lo0;
          k0 = (k0 + W0) | 0;
          k1 = (k1 + W1) | 0;
        }
        const z0 = normalFromWord(c0), z1 = normalFromWord(c1), z2 = normalFromWord(c2), z3 = normalFromWord(c3);
        if (replace) {
          buf[j] = mean + s * z0;
          buf[j + 1] = mean + s * z1;
          buf[j + 2] = mean + s * z2;
          buf[j + 3] = mean + s * z3;
        } else {
          buf[j] += s * z0;
          buf[j + 1] += s * z1;
          buf[j + 2] += s * z2;
          buf[j + 3] += s * z3;
        }
        j += 4;
        bLo = (bLo + 1) >>> 0;
        if (bLo === 0) bHi = (bHi + 1) >>> 0;
      }
      i = start + j;
      continue;
    }
    normalBlock(st, b, z);
    for (let l = lane; l < 4 && j < count; l++, j++, i++) {
      if (replace) buf[j] = mean + s * z[l];
      else buf[j] += s * z[l];
    }
  }
}

/** The four standard normals of block b (elements 4b..4b+3) of a stream. */
export function normalBlock(st: NoiseStream, b: number, out: Float64Array = new Float64Array(4)): Float64Array {
  const w = philoxWords(st, b);
  out[0] = normalFromWord(w[0]);
  out[1] = normalFromWord(w[1]);
  out[2] = normalFromWord(w[2]);
  out[3] = normalFromWord(w[3]);
  return out;
}

const words = new Uint32Array(4);
/** The Philox words of block b of a stream (a shared buffer: copy before the next call). */
export function philoxWords(st: NoiseStream, b: number): Uint32Array {
  return philox4x32(b >>> 0, Math.floor(b / TWO_POW_32) >>> 0, st.s0, st.s1, st.k0, st.k1, words);
}
/** Standard normals z[start .. start+count) of a stream, in float64 (tests, previews). */
export function normals(st: NoiseStream, start: number, count: number): Float64Array {
  const out = new Float64Array(count);
  const z = new Float64Array(4);
  for (let j = 0; j < count; j++) {
    const i = start + j;
    if (j === 0 || i % 4 === 0) normalBlock(st, Math.floor(i / 4), z);
    out[j] = z[i % 4];
  }
  return out;
}

/** Uniform u32 word number i of a stream (word 4b+l is lane l of block b). */
export function uniformWord(st: NoiseStream, i: number): number {
  return philoxWords(st, Math.floor(i / 4))[i % 4];
}
