// The dtype table and float32 conversions. Decoding uses lookup tables (F16: 65,536 entries; F8: 256) and
// typed-array views; encoding rounds to nearest, ties to even. All byte orders are little-endian, as the format
// says; every platform Node ships for is little-endian, which the check below makes explicit.
import type { ErrorDetails } from '../errors';
import { fail } from './rules';
import type { DType } from './types';

export interface DTypeInfo {
  bits: number;
  kind: 'bool' | 'uint' | 'int' | 'float' | 'complex';
  /** Convertible to float32 for math; otherwise carried byte for byte. */
  float32: boolean;
}

export const DTYPES: Record<DType, DTypeInfo> = {
  BOOL: { bits: 8, kind: 'bool', float32: true },
  U8: { bits: 8, kind: 'uint', float32: true },
  I8: { bits: 8, kind: 'int', float32: true },
  U16: { bits: 16, kind: 'uint', float32: true },
  I16: { bits: 16, kind: 'int', float32: true },
  U32: { bits: 32, kind: 'uint', float32: true },
  I32: { bits: 32, kind: 'int', float32: true },
  U64: { bits: 64, kind: 'uint', float32: true },
  I64: { bits: 64, kind: 'int', float32: true },
  F16: { bits: 16, kind: 'float', float32: true },
  BF16: { bits: 16, kind: 'float', float32: true },
  F32: { bits: 32, kind: 'float', float32: true },
  F64: { bits: 64, kind: 'float', float32: true },
  C64: { bits: 64, kind: 'complex', float32: false },
  F8_E4M3: { bits: 8, kind: 'float', float32: true },
  F8_E5M2: { bits: 8, kind: 'float', float32: true },
  F8_E8M0: { bits: 8, kind: 'float', float32: true },
  F8_E4M3FNUZ: { bits: 8, kind: 'float', float32: true },
  F8_E5M2FNUZ: { bits: 8, kind: 'float', float32: true },
  // Packing order of 4- and 6-bit elements inside bytes is not fixed by the format: carried byte for byte.
  F4: { bits: 4, kind: 'float', float32: false },
  F6_E2M3: { bits: 6, kind: 'float', float32: false },
  F6_E3M2: { bits: 6, kind: 'float', float32: false },
};

if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) {
  throw new Error('graft needs a little-endian platform (safetensors data is little-endian)');
}

export function isDType(s: unknown): s is DType {
  return typeof s === 'string' && Object.prototype.hasOwnProperty.call(DTYPES, s);
}

/** Elements × bits / 8, checked: numel and bytes fit in 2^53 and sub-byte dtypes fill whole bytes. */
export function byteLengthOf(dtype: DType, shape: readonly number[], where: Omit<ErrorDetails, 'rule'> = {}): number {
  let numel = 1;
  for (const d of shape) {
    numel *= d;
    if (!Number.isSafeInteger(numel)) throw fail('numelOverflow', `shape [${shape.join(', ')}]`, where);
  }
  const bits = DTYPES[dtype].bits;
  const totalBits = numel * bits;
  if (!Number.isSafeInteger(totalBits)) throw fail('numelOverflow', `shape [${shape.join(', ')}] of ${dtype}`, where);
  if (totalBits % 8 !== 0) throw fail('subByteAlignment', `${numel} elements of ${dtype} (${bits} bits)`, where);
  return totalBits / 8;
}

/** Bytes of the smallest run of whole elements that starts and ends on a byte boundary (F6: 3 bytes = 4 elements). */
export function alignmentBytes(dtype: DType): number {
  const bits = DTYPES[dtype].bits;
  const g = gcd(bits, 8);
  return (bits * 8) / g / 8;
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

// ---- minifloat formats (sign, exponent, mantissa) ----

interface MiniFloat {
  exp: number;
  man: number;
  bias: number;
  /** Largest finite code without the sign bit. */
  maxCode: number;
  /** Code of +infinity, or -1 when the format has none (overflow then saturates to maxCode). */
  infCode: number;
  /** Canonical NaN code. */
  nanCode: number;
  /** FNUZ formats: 0x80 is NaN, so there is no negative zero. */
  unsignedZero: boolean;
}

const F16_FMT: MiniFloat = { exp: 5, man: 10, bias: 15, maxCode: 0x7bff, infCode: 0x7c00, nanCode: 0x7e00, unsignedZero: false };
const MINI: Partial<Record<DType, MiniFloat>> = {
  // OCP 8-bit floats: E4M3 "fn" has no infinity, NaN = S.1111.111, max 448; E5M2 is IEEE-like.
  F8_E4M3: { exp: 4, man: 3, bias: 7, maxCode: 0x7e, infCode: -1, nanCode: 0x7f, unsignedZero: false },
  F8_E5M2: { exp: 5, man: 2, bias: 15, maxCode: 0x7b, infCode: 0x7c, nanCode: 0x7e, unsignedZero: false },
  // The "fnuz" variants (Graphcore/AMD): bias one larger, only NaN is 0x80, no infinity, no -0.
  F8_E4M3FNUZ: { exp: 4, man: 3, bias: 8, maxCode: 0x7f, infCode: -1, nanCode: 0x80, unsignedZero: true },
  F8_E5M2FNUZ: { exp: 5, man: 2, bias: 16, maxCode: 0x7f, infCode: -1, nanCode: 0x80, unsignedZero: true },
};

function miniDecodeTable(f: MiniFloat): Float32Array {
  const n = 1 << (1 + f.exp + f.man);
  const t = new Float32Array(n);
  const signBit = n >> 1;
  for (let c = 0; c < n; c++) {
    const mag = c & (signBit - 1);
    const sign = c & signBit ? -1 : 1;
    const e = mag >> f.man;
    const m = mag & ((1 << f.man) - 1);
    let v: number;
    if (f.unsignedZero && c === signBit) v = NaN;
    else if (mag > f.maxCode && f.infCode < 0) v = NaN;
    else if (f.infCode >= 0 && mag === f.infCode) v = sign * Infinity;
    else if (f.infCode >= 0 && mag > f.infCode) v = NaN;
    else if (e === 0) v = sign * m * 2 ** (1 - f.bias - f.man);
    else v = sign * (1 + m / (1 << f.man)) * 2 ** (e - f.bias);
    t[c] = v;
  }
  return t;
}

const f32bits = new Uint32Array(1);
const f32val = new Float32Array(f32bits.buffer);

/** float32 → minifloat code, round to nearest even. Finite overflow gives infinity where the format has one, else
 *  saturates to the largest finite value (OCP "satfinite"); NaN and ±infinity without an infinity code give NaN. */
function miniEncode(x: number, f: MiniFloat): number {
  f32val[0] = x;
  const bits = f32bits[0];
  const signMask = 1 << (f.exp + f.man);
  const sign = (bits >>> 31) * signMask;
  const abs = bits & 0x7fffffff;
  if (abs >= 0x7f800000) {
    if (abs > 0x7f800000 || f.infCode < 0) return f.nanCode;
    return sign | f.infCode;
  }
  const e32 = (abs >>> 23) - 127;
  const emin = 1 - f.bias;
  let code: number;
  if (e32 >= emin) {
    const shift = 23 - f.man;
    const mant = abs & 0x7fffff;
    let q = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const half = 1 << (shift - 1);
    if (rem > half || (rem === half && q & 1)) q++;
    // A mantissa carry moves into the exponent field by plain addition.
    code = ((e32 + f.bias) << f.man) + q;
  } else {
    // Subnormal in the target: scale so one unit is the smallest subnormal, then round (exact in float64).
    const v = Math.abs(f32val[0]) * 2 ** (f.man - emin);
    const r = Math.floor(v);
    const d = v - r;
    code = d > 0.5 || (d === 0.5 && r & 1) ? r + 1 : r;
  }
  if (code > f.maxCode) code = f.infCode >= 0 ? f.infCode : f.maxCode;
  if (code === 0 && f.unsignedZero) return 0;
  return sign | code;
}

let f16Table: Float32Array | undefined;
const miniTables = new Map<DType, Float32Array>();
let e8m0Table: Float32Array | undefined;

function tableFor(dtype: DType): Float32Array {
  if (dtype === 'F16') return (f16Table ??= miniDecodeTable(F16_FMT));
  if (dtype === 'F8_E8M0') {
    // Scale format of OCP MX: unsigned, value 2^(e-127), 0xff is NaN.
    if (!e8m0Table) {
      e8m0Table = new Float32Array(256);
      for (let c = 0; c < 256; c++) e8m0Table[c] = c === 255 ? NaN : 2 ** (c - 127);
    }
    return e8m0Table;
  }
  let t = miniTables.get(dtype);
  if (!t) miniTables.set(dtype, (t = miniDecodeTable(MINI[dtype]!)));
  return t;
}

// Typed-array views need element-aligned byte offsets; unaligned input is copied into this grow-only scratch.
let scratch = new ArrayBuffer(1 << 16);
function aligned(src: Uint8Array, bytes: number, size: number): { buffer: ArrayBufferLike; offset: number } {
  if (src.byteOffset % size === 0) return { buffer: src.buffer, offset: src.byteOffset };
  if (scratch.byteLength < bytes) scratch = new ArrayBuffer(Math.max(bytes, scratch.byteLength * 2));
  new Uint8Array(scratch, 0, bytes).set(src.subarray(0, bytes));
  return { buffer: scratch, offset: 0 };
}

function view<T>(src: Uint8Array, count: number, size: number, Ctor: new (b: ArrayBufferLike, o: number, n: number) => T): T {
  const a = aligned(src, count * size, size);
  return new Ctor(a.buffer, a.offset, count);
}

function checkConvertible(dtype: DType, have: number, need: number, what: string): void {
  if (!DTYPES[dtype].float32) throw fail('notConvertible', dtype);
  if (have < need) throw new RangeError(`${what}: buffer holds ${have} bytes, ${need} needed`);
}

/** Decodes `count` elements of `dtype` from `src` (little-endian) into `out` as float32. */
export function decodeToFloat32(dtype: DType, src: Uint8Array, out: Float32Array, count: number): void {
  const size = DTYPES[dtype].bits / 8;
  checkConvertible(dtype, src.length, count * size, 'decodeToFloat32');
  if (out.length < count) throw new RangeError(`decodeToFloat32: output holds ${out.length} elements, ${count} needed`);
  switch (dtype) {
    case 'F32': out.set(view(src, count, 4, Float32Array)); return;
    case 'F64': out.set(view(src, count, 8, Float64Array)); return;
    case 'BF16': {
      const s = view(src, count, 2, Uint16Array);
      const o = new Uint32Array(out.buffer, out.byteOffset, count);
      for (let i = 0; i < count; i++) o[i] = s[i] << 16;
      return;
    }
    case 'F16': {
      const s = view(src, count, 2, Uint16Array);
      const t = tableFor('F16');
      for (let i = 0; i < count; i++) out[i] = t[s[i]];
      return;
    }
    case 'F8_E4M3': case 'F8_E5M2': case 'F8_E8M0': case 'F8_E4M3FNUZ': case 'F8_E5M2FNUZ': {
      const t = tableFor(dtype);
      for (let i = 0; i < count; i++) out[i] = t[src[i]];
      return;
    }
    case 'BOOL': for (let i = 0; i < count; i++) out[i] = src[i] ? 1 : 0; return;
    case 'U8': out.set(src.subarray(0, count)); return;
    case 'I8': out.set(new Int8Array(src.buffer, src.byteOffset, count)); return;
    case 'U16': out.set(view(src, count, 2, Uint16Array)); return;
    case 'I16': out.set(view(src, count, 2, Int16Array)); return;
    case 'U32': out.set(view(src, count, 4, Uint32Array)); return;
    case 'I32': out.set(view(src, count, 4, Int32Array)); return;
    case 'U64': case 'I64': {
      // Two 32-bit halves avoid BigInt: exact below 2^53, correctly rounded by float32 above.
      const s = view(src, count * 2, 4, Uint32Array);
      const signed = dtype === 'I64';
      for (let i = 0; i < count; i++) {
        const hi = signed ? s[2 * i + 1] | 0 : s[2 * i + 1];
        out[i] = hi * 4294967296 + s[2 * i];
      }
      return;
    }
    default: throw fail('notConvertible', dtype);
  }
}

function rne(x: number): number {
  const r = Math.floor(x);
  const d = x - r;
  return d > 0.5 || (d === 0.5 && r % 2 !== 0) ? r + 1 : r;
}

function intEncoder(min: number, max: number): (x: number) => number {
  return (x) => (x !== x ? 0 : x <= min ? min : x >= max ? max : rne(x));
}

/** Encodes `count` float32 values into `dtype` bytes: floats round to nearest even; integers round to nearest even
 *  and saturate (NaN → 0); BOOL is x ≠ 0. */
export function encodeFromFloat32(dtype: DType, src: Float32Array, out: Uint8Array, count: number): void {
  const size = DTYPES[dtype].bits / 8;
  checkConvertible(dtype, out.length, count * size, 'encodeFromFloat32');
  if (src.length < count) throw new RangeError(`encodeFromFloat32: input holds ${src.length} elements, ${count} needed`);
  // Write into an aligned view of `out` directly when possible, else into scratch and copy back.
  const direct = out.byteOffset % size === 0;
  const bytes = count * size;
  if (!direct && scratch.byteLength < bytes) scratch = new ArrayBuffer(Math.max(bytes, scratch.byteLength * 2));
  const buf = direct ? out.buffer : scratch;
  const off = direct ? out.byteOffset : 0;
  switch (dtype) {
    case 'F32': new Float32Array(buf, off, count).set(src.subarray(0, count)); break;
    case 'F64': new Float64Array(buf, off, count).set(src.subarray(0, count)); break;
    case 'BF16': {
      const s = new Uint32Array(src.buffer, src.byteOffset, count);
      const o = new Uint16Array(buf, off, count);
      for (let i = 0; i < count; i++) {
        const u = s[i];
        if ((u & 0x7fffffff) > 0x7f800000) o[i] = (u >>> 16) | 0x40; // keep NaN a (quiet) NaN
        else o[i] = (u + 0x7fff + ((u >>> 16) & 1)) >>> 16;
      }
      break;
    }
    case 'F16': {
      const o = new Uint16Array(buf, off, count);
      for (let i = 0; i < count; i++) o[i] = miniEncode(src[i], F16_FMT);
      break;
    }
    case 'F8_E4M3': case 'F8_E5M2': case 'F8_E4M3FNUZ': case 'F8_E5M2FNUZ': {
      const f = MINI[dtype]!;
      const o = new Uint8Array(buf, off, count);
      for (let i = 0; i < count; i++) o[i] = miniEncode(src[i], f);
      break;
    }
    case 'F8_E8M0': {
      // As PyTorch's float8_e8m0fnu: the sign is ignored, the exponent is rounded to nearest even on the
      // mantissa bits, NaN and infinity give NaN (0xff).
      const s = new Uint32Array(src.buffer, src.byteOffset, count);
      const o = new Uint8Array(buf, off, count);
      for (let i = 0; i < count; i++) {
        const u = s[i];
        let e = (u >>> 23) & 0xff;
        if (e !== 0xff && u & 0x400000 && (u & 0x3fffff || e > 0)) e++;
        o[i] = e;
      }
      break;
    }
    case 'BOOL': { const o = new Uint8Array(buf, off, count); for (let i = 0; i < count; i++) o[i] = src[i] !== 0 ? 1 : 0; break; }
    case 'U8': fillInt(new Uint8Array(buf, off, count), src, count, intEncoder(0, 255)); break;
    case 'I8': fillInt(new Int8Array(buf, off, count), src, count, intEncoder(-128, 127)); break;
    case 'U16': fillInt(new Uint16Array(buf, off, count), src, count, intEncoder(0, 65535)); break;
    case 'I16': fillInt(new Int16Array(buf, off, count), src, count, intEncoder(-32768, 32767)); break;
    case 'U32': fillInt(new Uint32Array(buf, off, count), src, count, intEncoder(0, 4294967295)); break;
    case 'I32': fillInt(new Int32Array(buf, off, count), src, count, intEncoder(-2147483648, 2147483647)); break;
    case 'U64': case 'I64': {
      const o = new BigInt64Array(buf, off, count);
      const lim = dtype === 'U64' ? [0, 2 ** 64 - 1] : [-(2 ** 63), 2 ** 63 - 1];
      const enc = intEncoder(lim[0], lim[1]);
      for (let i = 0; i < count; i++) {
        const v = enc(src[i]);
        // 2^64-1 and 2^63-1 are not doubles: clamp in BigInt.
        o[i] = dtype === 'U64' ? BigInt.asIntN(64, v >= 2 ** 64 ? 2n ** 64n - 1n : BigInt(v)) : v >= 2 ** 63 ? 2n ** 63n - 1n : BigInt(v);
      }
      break;
    }
    default: throw fail('notConvertible', dtype);
  }
  if (!direct) out.set(new Uint8Array(scratch, 0, bytes));
}

function fillInt(o: { [i: number]: number }, src: Float32Array, count: number, enc: (x: number) => number): void {
  for (let i = 0; i < count; i++) o[i] = enc(src[i]);
}
