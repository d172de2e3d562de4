// A tiny WebAssembly assembler: just what the noise kernel (noiseKernel.ts) needs. Expressions are byte arrays
// built bottom-up (operands first, then the opcode), so kernels read like nested calls. Opcode numbers are from the
// WebAssembly core specification 2.0 (binary format, §5.4), SIMD included.

export type Code = number[];

export const I32 = 0x7f;
export const I64 = 0x7e;
export const F64 = 0x7c;
export const V128 = 0x7b;

export function uleb(n: number): Code {
  const out: Code = [];
  do {
    let b = n & 0x7f;
    n = Math.floor(n / 128);
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

export function sleb(n: number): Code {
  const out: Code = [];
  n |= 0;
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

const cat = (...parts: Code[]): Code => ([] as number[]).concat(...parts);
const str = (s: string): Code => cat(uleb(s.length), [...Buffer.from(s, 'utf8')]);
const vec = (items: Code[]): Code => cat(uleb(items.length), ...items);
const section = (id: number, body: Code): Code => cat([id], uleb(body.length), body);

// ---- scalar instructions ----
export const get = (l: number): Code => [0x20, ...uleb(l)];
export const set = (l: number, v: Code): Code => cat(v, [0x21], uleb(l));
export const i32c = (n: number): Code => [0x41, ...sleb(n)];
export function f64c(x: number): Code {
  const b = Buffer.alloc(8);
  b.writeDoubleLE(x, 0);
  return [0x44, ...b];
}
const bin = (op: number) => (a: Code, b: Code): Code => cat(a, b, [op]);
const un = (op: number) => (a: Code): Code => cat(a, [op]);
export const i32 = {
  add: bin(0x6a), sub: bin(0x6b), mul: bin(0x6c), and: bin(0x71), or: bin(0x72), xor: bin(0x73),
  shl: bin(0x74), shrS: bin(0x75), shrU: bin(0x76), clz: un(0x67), eqz: un(0x45),
  ltS: bin(0x48), ltU: bin(0x49), gtS: bin(0x4a), geS: bin(0x4e), geU: bin(0x4f), ne: bin(0x47),
};
export const f64 = {
  abs: un(0x99), neg: un(0x9a), sqrt: un(0x9f), add: bin(0xa0), sub: bin(0xa1), mul: bin(0xa2), div: bin(0xa3),
  gt: bin(0x64), le: bin(0x65), fromI32S: un(0xb7), fromI32U: un(0xb8),
};

// ---- memory (memarg: natural alignment hint, offset) ----
export const mem = {
  i32load: (addr: Code, off = 0): Code => cat(addr, [0x28, 2], uleb(off)),
  f32load: (addr: Code, off = 0): Code => cat(addr, [0x2a, 2], uleb(off)),
  i32store: (addr: Code, v: Code, off = 0): Code => cat(addr, v, [0x36, 2], uleb(off)),
  f32store: (addr: Code, v: Code, off = 0): Code => cat(addr, v, [0x38, 2], uleb(off)),
};
export const f64FromF32 = (a: Code): Code => cat(a, [0xbb]);
export const f32FromF64 = (a: Code): Code => cat(a, [0xb6]);

// ---- control ----
/** `if (cond) { then } else { other }`, no result. */
export const ifElse = (cond: Code, then: Code, other?: Code): Code =>
  cat(cond, [0x04, 0x40], then, other ? cat([0x05], other) : [], [0x0b]);
/** `while (cond) { body }` as block { loop { br_if 1 (!cond); body; br 0 } }. */
export const whileLoop = (cond: Code, body: Code): Code =>
  cat([0x02, 0x40, 0x03, 0x40], i32.eqz(cond), [0x0d, 1], body, [0x0c, 0, 0x0b, 0x0b]);
export const call = (fn: number, ...args: Code[]): Code => cat(...args, [0x10], uleb(fn));
export const ret = (v: Code): Code => cat(v, [0x0f]);
export const select = (a: Code, b: Code, cond: Code): Code => cat(a, b, cond, [0x1b]);

// ---- SIMD (prefix 0xfd) ----
const simd = (op: number, ...args: Code[]): Code => cat(...args, [0xfd], uleb(op));
export const v128 = {
  load: (addr: Code, offset = 0): Code => cat(addr, [0xfd, 0x00, 0], uleb(offset)),
  store: (addr: Code, v: Code, offset = 0): Code => cat(addr, v, [0xfd, 0x0b, 0], uleb(offset)),
  const32: (a: number, b: number, c: number, d: number): Code => {
    const buf = Buffer.alloc(16);
    [a, b, c, d].forEach((x, i) => buf.writeUInt32LE(x >>> 0, 4 * i));
    return [0xfd, 0x0c, ...buf];
  },
  /** i8x16.shuffle with 32-bit lanes: lane indices 0..3 from a, 4..7 from b. */
  shuffle32: (a: Code, b: Code, lanes: [number, number, number, number]): Code =>
    cat(a, b, [0xfd, 0x0d], ...lanes.map((l) => [4 * l, 4 * l + 1, 4 * l + 2, 4 * l + 3])),
  xor: (a: Code, b: Code) => simd(0x51, a, b),
  anyTrue: (a: Code) => simd(0x53, a),
};
export const i32x4 = {
  splat: (a: Code) => simd(0x11, a),
  extract: (a: Code, lane: number): Code => cat(a, [0xfd, 0x1b, lane]),
  /** f32x4.extract_lane (the raw float32 of a lane). */
  extractF32: (a: Code, lane: number): Code => cat(a, [0xfd, 0x1f, lane]),
  ltU: (a: Code, b: Code) => simd(0x3a, a, b),
  add: (a: Code, b: Code) => simd(0xae, a, b),
  sub: (a: Code, b: Code) => simd(0xb1, a, b),
};
export const i64x2 = {
  extmulLowU: (a: Code, b: Code) => simd(0xde, a, b),
  extmulHighU: (a: Code, b: Code) => simd(0xdf, a, b),
};
export const f64x2 = {
  splat: (a: Code) => simd(0x14, a),
  extract: (a: Code, lane: number): Code => cat(a, [0xfd, 0x21, lane]),
  replace: (a: Code, lane: number, x: Code): Code => cat(a, x, [0xfd, 0x22, lane]),
  gt: (a: Code, b: Code) => simd(0x4a, a, b),
  abs: (a: Code) => simd(0xec, a),
  add: (a: Code, b: Code) => simd(0xf0, a, b),
  mul: (a: Code, b: Code) => simd(0xf2, a, b),
  div: (a: Code, b: Code) => simd(0xf3, a, b),
  /** f64x2.convert_low_i32x4_s: lanes 0 and 1 of an i32x4, exactly. */
  fromLowI32S: (a: Code) => simd(0xfe, a),
  /** f64x2.promote_low_f32x4: lanes 0 and 1 of an f32x4, exactly. */
  promoteLow: (a: Code) => simd(0x5f, a),
};
export const f32x4 = {
  /** f32x4.demote_f64x2_zero: round each lane to float32 (nearest, ties to even); lanes 2 and 3 are 0. */
  demote: (a: Code) => simd(0x5e, a),
};

export interface FuncDef {
  params: number[];
  results: number[];
  /** Types of the locals after the parameters. */
  locals: number[];
  body: Code;
  export?: string;
}

/**
 * A module that imports one shared memory `env.mem` (min/max pages) and defines the given functions (function i has
 * index i; no other imports).
 */
export function assemble(funcs: FuncDef[], memPages: { min: number; max: number }): Uint8Array<ArrayBuffer> {
  const types = funcs.map((f) => cat([0x60], vec(f.params.map((t) => [t])), vec(f.results.map((t) => [t]))));
  const imports = vec([cat(str('env'), str('mem'), [0x02, 0x03], uleb(memPages.min), uleb(memPages.max))]);
  const exports = funcs.flatMap((f, i) => (f.export ? [cat(str(f.export), [0x00], uleb(i))] : []));
  const bodies = funcs.map((f) => {
    const locals = vec(f.locals.map((t) => [1, t]));
    const body = cat(locals, f.body, [0x0b]);
    return cat(uleb(body.length), body);
  });
  return Uint8Array.from(cat(
    [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    section(1, vec(types)),
    section(2, imports),
    section(3, vec(funcs.map((_, i) => uleb(i)))),
    section(7, vec(exports)),
    section(10, vec(bodies)),
  ));
}
