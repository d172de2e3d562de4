// Counter-based Gaussian noise: the value at element i of a stream depends only on (seed, stream, i), never on
// chunk sizes, threads, or the order tensors are written in. Exact algorithm (also in docs/noise.md):
//
//   key     = (seed mod 2^32, floor(seed / 2^32))                  seed: integer in [0, 2^53)
//   stream  = first 8 bytes of sha256(utf8(output tensor name)), little-endian: (s_lo, s_hi)
//   block b = floor(i / 4); (x0, x1, x2, x3) = Philox4x32-10(counter = (b mod 2^32, floor(b / 2^32), s_lo, s_hi), key)
//   u(x)    = (x + 0.5) / 2^32                                     in (0, 1), never 0
//   Box-Muller in float64: r = sqrt(-2 ln u(x0)), t = 2π u(x1) -> z[4b] = r cos t, z[4b+1] = r sin t
//                          r' = sqrt(-2 ln u(x2)), t' = 2π u(x3) -> z[4b+2] = r' cos t', z[4b+3] = r' sin t'
//   noisy value = float32( x + s * z[i] ) evaluated in float64, with s = alpha * sigma (float64), then rounded to the
//   tensor's dtype by round-to-nearest-even.
//
// Math.log/cos/sin in V8 are fdlibm ports computed in software, so the float64 results are the same on every machine.
// |z| <= sqrt(-2 ln(2^-33)) ≈ 6.77: tails beyond that are cut, which is far outside anything noise of std 0.01σ needs.
import { createHash } from 'node:crypto';
import { philox4x32 } from './philox';

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

export interface NoiseStream {
  /** Key words from the seed. */
  k0: number;
  k1: number;
  /** Counter words 2 and 3 (the stream id). */
  s0: number;
  s1: number;
}

const TWO_POW_32 = 4294967296;
const INV_2_32 = 1 / TWO_POW_32;
const TWO_PI = 2 * Math.PI;

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
 */
export function addNormal(
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
        const ra = Math.sqrt(-2 * Math.log(((c0 >>> 0) + 0.5) * INV_2_32));
        const ta = TWO_PI * (((c1 >>> 0) + 0.5) * INV_2_32);
        const rb = Math.sqrt(-2 * Math.log(((c2 >>> 0) + 0.5) * INV_2_32));
        const tb = TWO_PI * (((c3 >>> 0) + 0.5) * INV_2_32);
        if (replace) {
          buf[j] = mean + s * (ra * Math.cos(ta));
          buf[j + 1] = mean + s * (ra * Math.sin(ta));
          buf[j + 2] = mean + s * (rb * Math.cos(tb));
          buf[j + 3] = mean + s * (rb * Math.sin(tb));
        } else {
          buf[j] += s * (ra * Math.cos(ta));
          buf[j + 1] += s * (ra * Math.sin(ta));
          buf[j + 2] += s * (rb * Math.cos(tb));
          buf[j + 3] += s * (rb * Math.sin(tb));
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
  const ra = Math.sqrt(-2 * Math.log((w[0] + 0.5) * INV_2_32));
  const ta = TWO_PI * ((w[1] + 0.5) * INV_2_32);
  const rb = Math.sqrt(-2 * Math.log((w[2] + 0.5) * INV_2_32));
  const tb = TWO_PI * ((w[3] + 0.5) * INV_2_32);
  out[0] = ra * Math.cos(ta);
  out[1] = ra * Math.sin(ta);
  out[2] = rb * Math.cos(tb);
  out[3] = rb * Math.sin(tb);
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
