// Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC'11; the Random123 library),
// written with 32-bit integer arithmetic so that it gives the same words on every machine.
//
// One call maps a 128-bit counter (c0, c1, c2, c3) and a 64-bit key (k0, k1) to four 32-bit words. Ten rounds; in
// each, with M0 = 0xD2511F53 and M1 = 0xCD9E8D57:
//   (hi0, lo0) = M0 * c0,  (hi1, lo1) = M1 * c2          (full 64-bit products)
//   (c0, c1, c2, c3) = (hi1 ^ c1 ^ k0, lo1, hi0 ^ c3 ^ k1, lo0)
// and between rounds the key is bumped: k0 += 0x9E3779B9, k1 += 0xBB67AE85 (mod 2^32).
//
// JavaScript has no 64-bit integer multiply on numbers: the low word is Math.imul, the high word is assembled from
// 16-bit partial products (mulhi below), so everything stays in int32 registers.

const M0 = 0xd2511f53;
const M1 = 0xcd9e8d57;
const M0_HI = M0 >>> 16;
const M0_LO = M0 & 0xffff;
const M1_HI = M1 >>> 16;
const M1_LO = M1 & 0xffff;
const W0 = 0x9e3779b9;
const W1 = 0xbb67ae85;

/**
 * Philox4x32-10 of one counter block. Writes the four output words (as unsigned 32-bit values) into out[0..3]
 * (out defaults to a fresh Uint32Array(4)).
 */
export function philox4x32(
  c0: number, c1: number, c2: number, c3: number, k0: number, k1: number, out: Uint32Array = new Uint32Array(4),
): Uint32Array {
  c0 |= 0; c1 |= 0; c2 |= 0; c3 |= 0; k0 |= 0; k1 |= 0;
  for (let r = 0; r < 10; r++) {
    if (r > 0) {
      k0 = (k0 + W0) | 0;
      k1 = (k1 + W1) | 0;
    }
    const hi0 = mulhi(M0_HI, M0_LO, c0);
    const lo0 = Math.imul(c0, M0);
    const hi1 = mulhi(M1_HI, M1_LO, c2);
    const lo1 = Math.imul(c2, M1);
    c0 = hi1 ^ c1 ^ k0;
    c1 = lo1;
    c2 = hi0 ^ c3 ^ k1;
    c3 = lo0;
  }
  out[0] = c0; out[1] = c1; out[2] = c2; out[3] = c3;
  return out;
}

/** High 32 bits of the 64-bit product (mHi * 2^16 + mLo) * x, x an unsigned 32-bit word; int32 arithmetic only. */
export function mulhi(mHi: number, mLo: number, x: number): number {
  const xL = x & 0xffff, xH = x >>> 16;
  const m1 = Math.imul(mHi, xL) >>> 0, m2 = Math.imul(mLo, xH) >>> 0;
  const mid = (Math.imul(mLo, xL) >>> 16) + (m1 & 0xffff) + (m2 & 0xffff);
  return (Math.imul(mHi, xH) + (m1 >>> 16) + (m2 >>> 16) + (mid >>> 16)) | 0;
}

export { M0, M1, M0_HI, M0_LO, M1_HI, M1_LO, W0, W1 };
