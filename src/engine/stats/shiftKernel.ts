// The host half of the fast statistics path: one pass over a chunk's raw little-endian bytes (BF16, F16 or F32)
// that writes the shifted float32 deviations d = fl32(x − k) the ORT sums graph reduces, and finds the smallest
// and largest value on the way. A tiny hand-assembled WebAssembly SIMD module does the pass (8 elements per
// step: widen, shift, subtract, and an integer min/max over order-preserving keys of the raw bits), so the host
// reads each byte once and ORT only ever sees float32 data. Keys: a sign-magnitude code c maps to c when its sign
// bit is clear and to −1 − magnitude when set, which orders codes as their values (−0 just below +0); NaN and
// ±Inf are the extreme keys, so the min/max keys also tell whether a chunk holds any non-finite value.
//
// The subtraction is IEEE float32 round-to-nearest-even, the same as ORT's Sub, and the decode is exact (BF16:
// bits << 16; F16: magnitude bits << 13 times 2^112, exact for normal and subnormal halves), so d is bit-for-bit
// what the previous host-decode + ORT Sub computed.
import type { DType } from '../../core/safetensors/types';

/** Dtypes the kernel handles; others take the generic decode path. */
export type KernelDType = 'BF16' | 'F16' | 'F32';

export function isKernelDType(d: DType): d is KernelDType {
  return d === 'BF16' || d === 'F16' || d === 'F32';
}

// ---- a minimal WebAssembly encoder ----

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
}

function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && !(b & 0x40)) || (n === -1 && b & 0x40)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];
const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const str = (s: string): number[] => [...uleb(s.length), ...[...s].map((c) => c.charCodeAt(0))];

const I32 = 0x7f, F32 = 0x7d, V128 = 0x7b;
const simd = (op: number, ...imm: number[]): number[] => [0xfd, ...uleb(op), ...imm];
const get = (i: number): number[] => [0x20, ...uleb(i)];
const set = (i: number): number[] => [0x21, ...uleb(i)];
const i32c = (v: number): number[] => [0x41, ...sleb(v)];
const mem = (offset = 0): number[] => [0x00, ...uleb(offset)];
const load = (offset = 0): number[] => simd(0x00, ...mem(offset));
const store = (offset = 0): number[] => simd(0x0b, ...mem(offset));
const splat16 = (v: number): number[] => [...i32c(v), ...simd(0x10)];
const splat32 = (v: number): number[] => [...i32c(v), ...simd(0x11)];
const OP = {
  and: 0x4e, or: 0x50, xor: 0x51,
  i16shrS: 0x8c, i16minS: 0x96, i16maxS: 0x98,
  extLoU: 0xa9, extHiU: 0xaa, i32shl: 0xab, i32shrS: 0xac, i32minS: 0xb6, i32maxS: 0xb8,
  f32sub: 0xe5, f32mul: 0xe6, f32splat: 0x13,
} as const;

// Parameters of every kernel: (src, dst, n, k); n is a multiple of 8 (bytes read: n × element size).
const P_SRC = 0, P_DST = 1, P_N = 2, P_K = 3;
// Locals: end (i32), kv, minv, maxv, v, c (v128).
const L_END = 4, L_KV = 5, L_MIN = 6, L_MAX = 7, L_V = 8, L_C = 9;
const LOCALS = vec([[1, I32], [5, V128]]);

/** d = widened 16-bit code of lane half `ext` (on the stack: nothing) → pushes d − k as a v128. */
function body(kind: KernelDType): number[] {
  const sub = (value: number[]): number[] => [...value, ...get(L_KV), ...simd(OP.f32sub)];
  const key16 = [...get(L_V), ...get(L_V), ...i32c(15), ...simd(OP.i16shrS), ...splat16(0x7fff), ...simd(OP.and), ...simd(OP.xor), ...set(L_C)];
  const minmax16 = [...get(L_MIN), ...get(L_C), ...simd(OP.i16minS), ...set(L_MIN), ...get(L_MAX), ...get(L_C), ...simd(OP.i16maxS), ...set(L_MAX)];
  const step = (bytes: number, outBytes: number): number[] => [
    ...get(P_SRC), ...i32c(bytes), 0x6a, ...set(P_SRC),
    ...get(P_DST), ...i32c(outBytes), 0x6a, ...set(P_DST),
  ];
  if (kind === 'BF16') {
    const half = (ext: number): number[] => sub([...get(L_V), ...simd(ext), ...i32c(16), ...simd(OP.i32shl)]);
    return [
      ...get(P_SRC), ...load(), ...set(L_V),
      ...get(P_DST), ...half(OP.extLoU), ...store(0),
      ...get(P_DST), ...half(OP.extHiU), ...store(16),
      ...key16, ...minmax16,
      ...step(16, 32),
    ];
  }
  if (kind === 'F16') {
    // |h| bits << 13 as float32, times 2^112; the sign bit ORed back in.
    const mag = [...get(L_V), ...splat16(0x7fff), ...simd(OP.and)];
    const sgn = [...get(L_V), ...splat16(-0x8000), ...simd(OP.and)];
    const half = (ext: number): number[] => sub([
      ...mag, ...simd(ext), ...i32c(13), ...simd(OP.i32shl), ...splat32(0x77800000), ...simd(OP.f32mul),
      ...sgn, ...simd(ext), ...i32c(16), ...simd(OP.i32shl), ...simd(OP.or),
    ]);
    return [
      ...get(P_SRC), ...load(), ...set(L_V),
      ...get(P_DST), ...half(OP.extLoU), ...store(0),
      ...get(P_DST), ...half(OP.extHiU), ...store(16),
      ...key16, ...minmax16,
      ...step(16, 32),
    ];
  }
  // F32: two vectors of 4 per step.
  const one = (offset: number): number[] => [
    ...get(P_SRC), ...load(offset), ...set(L_V),
    ...get(P_DST), ...sub(get(L_V)), ...store(offset),
    ...get(L_V), ...get(L_V), ...i32c(31), ...simd(OP.i32shrS), ...splat32(0x7fffffff), ...simd(OP.and), ...simd(OP.xor), ...set(L_C),
    ...get(L_MIN), ...get(L_C), ...simd(OP.i32minS), ...set(L_MIN), ...get(L_MAX), ...get(L_C), ...simd(OP.i32maxS), ...set(L_MAX),
  ];
  return [...one(0), ...one(16), ...step(32, 32)];
}

function kernel(kind: KernelDType): number[] {
  const size = kind === 'F32' ? 4 : 2;
  const wide = kind === 'F32';
  const code = [
    ...get(P_K), ...simd(OP.f32splat), ...set(L_KV),
    ...(wide ? splat32(0x7fffffff) : splat16(0x7fff)), ...set(L_MIN),
    ...(wide ? splat32(-0x80000000) : splat16(-0x8000)), ...set(L_MAX),
    ...get(P_SRC), ...get(P_N), ...i32c(size), 0x6c, 0x6a, ...set(L_END),
    0x02, 0x40, // block
    ...get(P_SRC), ...get(L_END), 0x4f, 0x0d, 0x00, // src >= end → exit
    0x03, 0x40, // loop
    ...body(kind),
    ...get(P_SRC), ...get(L_END), 0x49, 0x0d, 0x00, // src < end → again
    0x0b, 0x0b,
    ...i32c(0), ...get(L_MIN), ...store(0),
    ...i32c(0), ...get(L_MAX), ...store(16),
    0x0b,
  ];
  const fn = [...LOCALS, ...code];
  return [...uleb(fn.length), ...fn];
}

const KINDS: KernelDType[] = ['BF16', 'F16', 'F32'];

function moduleBytes(): Uint8Array<ArrayBuffer> {
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec([[0x60, ...vec([[I32], [I32], [I32], [F32]]), 0x00]])),
    ...section(2, vec([[...str('env'), ...str('mem'), 0x02, 0x00, 0x01]])),
    ...section(3, vec(KINDS.map(() => [0x00]))),
    ...section(7, vec(KINDS.map((k, i) => [...str(k), 0x00, i]))),
    ...section(10, vec(KINDS.map(kernel))),
  ];
  return new Uint8Array(bytes);
}

let compiled: WebAssembly.Module | undefined;

/** Result of one pass: the smallest and largest value (null when the chunk holds NaN or ±Inf). */
export interface ShiftPass {
  finite: boolean;
  min: number;
  max: number;
}

const INF_CODE: Record<KernelDType, number> = { BF16: 0x7f80, F16: 0x7c00, F32: 0x7f800000 };
const u32 = new Uint32Array(1);
const f32 = new Float32Array(u32.buffer);

/**
 * A WebAssembly memory holding two read buffers of `readBytes` and one float32 output of `elements`, with the
 * kernels bound to it. Reads land directly in `input(i)`; `shift` writes d into `out`.
 */
export class ShiftKernel {
  readonly out: Float32Array;
  private readonly inputs: Uint8Array[];
  private readonly lanes16: Int16Array;
  private readonly lanes32: Int32Array;
  private readonly fns: Record<KernelDType, (src: number, dst: number, n: number, k: number) => void>;
  private readonly outOffset: number;
  private readonly tail = new Float32Array(8);
  private f16Table: Float32Array | undefined;

  constructor(readonly elements: number, readonly readBytes: number) {
    const align = (n: number) => Math.ceil(n / 64) * 64;
    const inOffsets = [64, 64 + align(readBytes)];
    this.outOffset = 64 + 2 * align(readBytes);
    const total = this.outOffset + align(elements * 4);
    const memory = new WebAssembly.Memory({ initial: Math.ceil(total / 65536) });
    compiled ??= new WebAssembly.Module(moduleBytes());
    const inst = new WebAssembly.Instance(compiled, { env: { mem: memory } });
    this.fns = inst.exports as unknown as ShiftKernel['fns'];
    const buf = memory.buffer;
    this.inputs = inOffsets.map((o) => new Uint8Array(buf, o, readBytes));
    this.out = new Float32Array(buf, this.outOffset, elements);
    this.lanes16 = new Int16Array(buf, 0, 16);
    this.lanes32 = new Int32Array(buf, 0, 8);
  }

  input(i: number): Uint8Array {
    return this.inputs[i];
  }

  /**
   * d[i] = fl32(x[i] − k) for the `count` elements of `dtype` at the start of `src` (a view returned by
   * `input()`), into `out`; returns the chunk's min and max, or finite: false when it holds NaN or ±Inf (then
   * `out` is not meaningful). `k` must be a float32 value.
   */
  shift(dtype: KernelDType, src: Uint8Array, count: number, k: number): ShiftPass {
    const size = dtype === 'F32' ? 4 : 2;
    const whole = count - (count % 8);
    const wide = dtype === 'F32';
    if (src.buffer !== this.out.buffer) throw new RangeError('ShiftKernel.shift: src must be a view of input()');
    let lo: number, hi: number;
    if (whole > 0) {
      this.fns[dtype](src.byteOffset, this.outOffset, whole, k);
      lo = Infinity; hi = -Infinity;
      const lanes = wide ? this.lanes32 : this.lanes16;
      const n = wide ? 4 : 8;
      for (let i = 0; i < n; i++) {
        if (lanes[i] < lo) lo = lanes[i];
        if (lanes[n + i] > hi) hi = lanes[n + i];
      }
    } else {
      lo = wide ? 0x7fffffff : 0x7fff;
      hi = wide ? -0x80000000 : -0x8000;
    }
    // The last count % 8 elements in plain code, the same arithmetic.
    const bytes = new DataView(src.buffer, src.byteOffset, count * size);
    for (let i = whole; i < count; i++) {
      const c = wide ? bytes.getInt32(i * 4, true) : (bytes.getUint16(i * 2, true) << 16) >> 16;
      const key = wide ? c ^ ((c >> 31) & 0x7fffffff) : c ^ ((c >> 15) & 0x7fff);
      if (key < lo) lo = key;
      if (key > hi) hi = key;
      this.tail[0] = this.value(dtype, key);
      this.tail[1] = k;
      this.out[i] = this.tail[0] - this.tail[1];
    }
    const inf = INF_CODE[dtype];
    if (hi >= inf || lo <= -1 - inf) return { finite: false, min: NaN, max: NaN };
    return { finite: true, min: this.value(dtype, lo), max: this.value(dtype, hi) };
  }

  /** The first finite value among the first `limit` elements of `src` (0 when none): the default shift. */
  firstFinite(dtype: KernelDType, src: Uint8Array, count: number, limit = 4096): number {
    const bytes = new DataView(src.buffer, src.byteOffset, src.byteLength);
    const size = dtype === 'F32' ? 4 : 2;
    for (let i = 0; i < count && i < limit; i++) {
      const c = size === 4 ? bytes.getInt32(i * 4, true) : (bytes.getUint16(i * 2, true) << 16) >> 16;
      const v = this.value(dtype, size === 4 ? c ^ ((c >> 31) & 0x7fffffff) : c ^ ((c >> 15) & 0x7fff));
      if (Number.isFinite(v)) return v;
    }
    return 0;
  }

  /** The value of an order key. */
  private value(dtype: KernelDType, key: number): number {
    if (dtype === 'F32') {
      u32[0] = key >= 0 ? key : (0x80000000 | (-1 - key)) >>> 0;
      return f32[0];
    }
    const code = key >= 0 ? key : 0x8000 | (-1 - key);
    if (dtype === 'BF16') {
      u32[0] = code << 16;
      return f32[0];
    }
    return (this.f16Table ??= f16Values())[code];
  }
}

function f16Values(): Float32Array {
  const t = new Float32Array(65536);
  for (let c = 0; c < 65536; c++) {
    const e = (c >> 10) & 0x1f, m = c & 0x3ff, s = c & 0x8000 ? -1 : 1;
    t[c] = e === 0x1f ? (m ? NaN : s * Infinity) : e === 0 ? s * m * 2 ** -24 : s * (1 + m / 1024) * 2 ** (e - 15);
  }
  return t;
}
