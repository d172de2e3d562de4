// The WebAssembly SIMD noise kernel: Philox4x32-10 on four blocks at once (i32x4 lanes, 64-bit products by
// i64x2.extmul), then the inverse-CDF transform of normal.ts in f64x2, then y = float32(x + s·z) (or mean + s·z), all
// in the exact operation order of the JavaScript reference (normal.ts: addNormalJs), so the bytes are identical —
// checked by test/core/rng. Lanes in Acklam's tails (about 4.9 % of words) take a scalar call of the same recipe.
//
// The module is assembled at load time by wasmAsm.ts (no toolchain) and imports one shared memory, so optional worker
// threads (setNoiseThreads) can each fill a disjoint part of the same scratch range: every element is computed by
// the same code whatever the split, so the bytes never depend on the thread count.
import { Worker } from 'node:worker_threads';
import {
  assemble, call, f32FromF64, f32x4, f64, f64c, f64FromF32, f64x2, get, i32, i32c, i32x4, i64x2, ifElse, mem, select, set,
  v128, whileLoop,
  F64, I32, V128, type Code,
} from './wasmAsm';

export interface Transform {
  A: readonly number[]; B: readonly number[]; C: readonly number[]; D: readonly number[]; L: readonly number[];
  Q_CENTRAL: number; SQRT2: number; LN2: number; INV_2_32: number;
}

/** Elements of the scratch range in wasm memory (one piece of a call at a time). */
const SCRATCH = 1 << 20;
/** Bytes of each thread's tail list (after the scratch range). */
const LIST_BYTES = 1 << 16;
const MAX_THREADS = 8;
const PAGES = (SCRATCH * 4 + MAX_THREADS * LIST_BYTES) / 65536;

const horner = (coef: readonly number[], x: Code, last?: number): Code => {
  // ((c0·x + c1)·x + c2)… [+ last]: the order of normal.ts.
  let acc = f64c(coef[0]);
  for (let k = 1; k < coef.length; k++) acc = f64.add(f64.mul(acc, x), f64c(coef[k]));
  if (last !== undefined) acc = f64.add(f64.mul(acc, x), f64c(last));
  return acc;
};
const hornerV = (coef: readonly number[], x: Code, lk: (v: number) => Code, last?: number): Code => {
  let acc = lk(coef[0]);
  for (let k = 1; k < coef.length; k++) acc = f64x2.add(f64x2.mul(acc, x), lk(coef[k]));
  if (last !== undefined) acc = f64x2.add(f64x2.mul(acc, x), lk(last));
  return acc;
};

/** The module bytes for a transform (normal.ts TRANSFORM). */
export function kernelBytes(T: Transform): Uint8Array<ArrayBuffer> {
  // ---- func 1: tail(v: i32) -> f64, tailNormal of normal.ts ----
  const [tv, tw, tn, te, tm, ts, ts2, tr] = [0, 1, 2, 3, 4, 5, 6, 7];
  let series = f64c(T.L[T.L.length - 1]);
  for (let k = T.L.length - 2; k >= 0; k--) series = f64.add(f64c(T.L[k]), f64.mul(get(ts2), series));
  const tail: Code = [
    ...set(tw, i32.xor(get(tv), i32.xor(i32.shrS(get(tv), i32c(31)), i32c(0x7fffffff)))),
    ...set(tn, i32.or(i32.shl(get(tw), i32c(1)), i32c(1))),
    ...set(te, i32.sub(i32c(31), i32.clz(get(tn)))),
    ...set(tm, f64.div(f64.fromI32U(get(tn)), f64.fromI32U(i32.shl(i32c(1), get(te))))),
    ...ifElse(f64.gt(get(tm), f64c(T.SQRT2)), [
      ...set(tm, f64.mul(get(tm), f64c(0.5))),
      ...set(te, i32.add(get(te), i32c(1))),
    ]),
    ...set(ts, f64.div(f64.sub(get(tm), f64c(1)), f64.add(get(tm), f64c(1)))),
    ...set(ts2, f64.mul(get(ts), get(ts))),
    // ln = (e − 33)·LN2 + s·series;  r = sqrt(−2·ln)
    ...set(tr, f64.sqrt(f64.mul(f64c(-2), f64.add(f64.mul(f64.fromI32S(i32.sub(get(te), i32c(33))), f64c(T.LN2)), f64.mul(get(ts), series))))),
    ...set(tr, f64.div(horner(T.C, get(tr)), horner(T.D, get(tr), 1))),
    ...select(get(tr), f64.neg(get(tr)), i32.ltS(get(tv), i32c(0))),
  ];

  // ---- func 2: flush(list, end, s, mean, replace): the deferred tail lanes ----
  // Entry (16 bytes): v, the element's input float32 x, its byte address. y = float32(base + s·tail(v)).
  const F = { list: 0, end: 1, s: 2, mean: 3, replace: 4, base: 5 };
  const flush: Code = whileLoop(i32.ltU(get(F.list), get(F.end)), [
    ...ifElse(get(F.replace), set(F.base, get(F.mean)), set(F.base, f64FromF32(mem.f32load(get(F.list), 4)))),
    ...mem.f32store(mem.i32load(get(F.list), 8),
      f32FromF64(f64.add(get(F.base), f64.mul(get(F.s), call(1, mem.i32load(get(F.list), 0)))))),
    ...set(F.list, i32.add(get(F.list), i32c(16))),
  ]);

  // ---- func 0: fill(ptr, quads, k0, k1, s0, s1, bLo, bHi, s, mean, replace, list) ----
  // Tail lanes are written with the central formula first, listed at `list` (LIST_BYTES), and fixed by flush.
  const P = { ptr: 0, quads: 1, k0: 2, k1: 3, s0: 4, s1: 5, bLo: 6, bHi: 7, s: 8, mean: 9, replace: 10, list: 11 };
  let nl = 12;
  const L = () => nl++;
  const kv0 = Array.from({ length: 10 }, L), kv1 = Array.from({ length: 10 }, L);
  const [m0v, m1v, c0, c1, c2, c3, pl, ph, ql, qh, hi0, hi1, lo0, lo1] = Array.from({ length: 14 }, L);
  const [t0, t1, t2, t3, blk, vv, q, r, z, x, base, sv, ya] = Array.from({ length: 13 }, L);
  // Splatted float64 constants, one local each (set once per call, outside the loop).
  const constVals = [...T.A, ...T.B, ...T.C, ...T.D, 1, 0.5, T.INV_2_32, T.Q_CENTRAL];
  const constLocal = new Map<number, number>();
  for (const c of constVals) if (!constLocal.has(c)) constLocal.set(c, L());
  const lk = (v: number): Code => get(constLocal.get(v)!);
  const signBit = L();
  const v128Locals = nl - 12;
  const ki = L(); // i32 scratch
  const cnt = L(); // i32: end of the tail list
  const M0 = 0xd2511f53, M1 = 0xcd9e8d57, W0 = 0x9e3779b9, W1 = 0xbb67ae85;

  const body: Code = [];
  const emit = (c: Code) => { for (const b of c) body.push(b); };
  // Round keys, splatted once per call.
  for (let rd = 0; rd < 10; rd++) {
    emit(set(kv0[rd], i32x4.splat(i32.add(get(P.k0), i32c((Math.imul(W0, rd)) | 0)))));
    emit(set(kv1[rd], i32x4.splat(i32.add(get(P.k1), i32c((Math.imul(W1, rd)) | 0)))));
  }
  emit(set(m0v, i32x4.splat(i32c(M0 | 0))));
  emit(set(m1v, i32x4.splat(i32c(M1 | 0))));
  emit(set(sv, f64x2.splat(get(P.s))));
  for (const [c, l] of constLocal) emit(set(l, f64x2.splat(f64c(c))));
  emit(set(signBit, v128.const32(0x80000000, 0x80000000, 0x80000000, 0x80000000)));

  const loop: Code = [];
  const lemit = (c: Code) => { for (const b of c) loop.push(b); };
  // Counters of blocks bLo..bLo+3 (carry into the high word per lane).
  lemit(set(c0, i32x4.add(i32x4.splat(get(P.bLo)), v128.const32(0, 1, 2, 3))));
  lemit(set(c1, i32x4.sub(i32x4.splat(get(P.bHi)), i32x4.ltU(get(c0), i32x4.splat(get(P.bLo))))));
  lemit(set(c2, i32x4.splat(get(P.s0))));
  lemit(set(c3, i32x4.splat(get(P.s1))));
  for (let rd = 0; rd < 10; rd++) {
    lemit(set(pl, i64x2.extmulLowU(get(c0), get(m0v))));
    lemit(set(ph, i64x2.extmulHighU(get(c0), get(m0v))));
    lemit(set(ql, i64x2.extmulLowU(get(c2), get(m1v))));
    lemit(set(qh, i64x2.extmulHighU(get(c2), get(m1v))));
    lemit(set(hi0, v128.shuffle32(get(pl), get(ph), [1, 3, 5, 7])));
    lemit(set(lo0, v128.shuffle32(get(pl), get(ph), [0, 2, 4, 6])));
    lemit(set(hi1, v128.shuffle32(get(ql), get(qh), [1, 3, 5, 7])));
    lemit(set(lo1, v128.shuffle32(get(ql), get(qh), [0, 2, 4, 6])));
    lemit(set(c0, v128.xor(v128.xor(get(hi1), get(c1)), get(kv0[rd]))));
    lemit(set(c1, get(lo1)));
    lemit(set(c2, v128.xor(v128.xor(get(hi0), get(c3)), get(kv1[rd]))));
    lemit(set(c3, get(lo0)));
  }
  // Transpose: t0..t3 become the words (x0, x1, x2, x3) of blocks 0..3.
  lemit(set(t0, v128.shuffle32(get(c0), get(c1), [0, 4, 1, 5])));
  lemit(set(t1, v128.shuffle32(get(c2), get(c3), [0, 4, 1, 5])));
  lemit(set(t2, v128.shuffle32(get(c0), get(c1), [2, 6, 3, 7])));
  lemit(set(t3, v128.shuffle32(get(c2), get(c3), [2, 6, 3, 7])));
  const blocks: [number, number, [number, number, number, number]][] = [
    [t0, t1, [0, 1, 4, 5]], [t0, t1, [2, 3, 6, 7]], [t2, t3, [0, 1, 4, 5]], [t2, t3, [2, 3, 6, 7]],
  ];
  const splat = lk;
  blocks.forEach(([a, b, lanes], k) => {
    lemit(set(blk, v128.shuffle32(get(a), get(b), lanes)));
    lemit(set(vv, v128.xor(get(blk), get(signBit))));
    lemit(set(x, v128.load(get(P.ptr), 16 * k)));
    for (let half = 0; half < 2; half++) {
      const ints = half === 0 ? get(vv) : v128.shuffle32(get(vv), get(vv), [2, 3, 2, 3]);
      lemit(set(q, f64x2.mul(f64x2.add(f64x2.fromLowI32S(ints), splat(0.5)), splat(T.INV_2_32))));
      lemit(set(r, f64x2.mul(get(q), get(q))));
      lemit(set(z, f64x2.div(f64x2.mul(hornerV(T.A, get(r), lk), get(q)), hornerV(T.B, get(r), lk, 1))));
      // Tail lanes: listed (branch-free within a pair), fixed by flush after the loop.
      const fix: Code = [];
      for (let lane = 0; lane < 2; lane++) {
        const l4 = 2 * half + lane;
        fix.push(
          ...mem.i32store(i32.add(get(P.list), get(cnt)), i32x4.extract(get(vv), l4)),
          ...mem.i32store(i32.add(get(P.list), get(cnt)), i32x4.extract(get(x), l4), 4),
          ...mem.i32store(i32.add(get(P.list), get(cnt)), i32.add(get(P.ptr), i32c(16 * k + 4 * l4)), 8),
          ...set(cnt, i32.add(get(cnt), select(i32c(16), i32c(0), f64.gt(f64.abs(f64x2.extract(get(q), lane)), f64c(T.Q_CENTRAL))))),
        );
      }
      lemit(ifElse(v128.anyTrue(f64x2.gt(f64x2.abs(get(q)), splat(T.Q_CENTRAL))), fix));
      // y = base + s·z, base = x (add) or mean (replace); rounded to float32.
      const xs = half === 0 ? get(x) : v128.shuffle32(get(x), get(x), [2, 3, 2, 3]);
      const y = f32x4.demote(f64x2.add(get(base), f64x2.mul(get(sv), get(z))));
      if (half === 0) {
        lemit(ifElse(get(P.replace), set(base, f64x2.splat(get(P.mean))), set(base, f64x2.promoteLow(xs))));
        lemit(set(ya, y));
      } else {
        lemit(ifElse(get(P.replace), [], set(base, f64x2.promoteLow(xs))));
        lemit(v128.store(get(P.ptr), v128.shuffle32(get(ya), y, [0, 1, 4, 5]), 16 * k));
      }
    }
  });
  lemit(set(P.ptr, i32.add(get(P.ptr), i32c(64))));
  lemit(set(ki, i32.add(get(P.bLo), i32c(4))));
  lemit(ifElse(i32.ltU(get(ki), get(P.bLo)), set(P.bHi, i32.add(get(P.bHi), i32c(1)))));
  lemit(set(P.bLo, get(ki)));
  lemit(set(P.quads, i32.sub(get(P.quads), i32c(1))));
  // A quad adds at most 16 entries: flush before the list could overflow.
  lemit(ifElse(i32.geU(get(cnt), i32c(LIST_BYTES - 16 * 16)), [...call(2, get(P.list), i32.add(get(P.list), get(cnt)), get(P.s), get(P.mean), get(P.replace)), ...set(cnt, i32c(0))]));
  emit(set(cnt, i32c(0)));
  emit(whileLoop(i32.gtS(get(P.quads), i32c(0)), loop));
  emit(call(2, get(P.list), i32.add(get(P.list), get(cnt)), get(P.s), get(P.mean), get(P.replace)));

  return assemble([
    {
      params: [I32, I32, I32, I32, I32, I32, I32, I32, F64, F64, I32, I32], results: [],
      locals: [...Array(v128Locals).fill(V128), I32, I32], body, export: 'fill',
    },
    { params: [I32], results: [F64], locals: [I32, I32, I32, F64, F64, F64, F64], body: tail, export: 'tail' },
    { params: [I32, I32, F64, F64, I32], results: [], locals: [F64], body: flush },
  ], { min: PAGES, max: PAGES });
}

interface Stream { k0: number; k1: number; s0: number; s1: number }
type Fill = (ptr: number, quads: number, k0: number, k1: number, s0: number, s1: number, bLo: number, bHi: number,
  s: number, mean: number, replace: number, list: number) => void;

// Runs in each worker: instantiate the same module on the same memory, then fill on request. Control words (Int32):
// [0] job generation (or -1: exit), [1] generation done, [2] ready; parameters in a Float64Array of 12.
const WORKER_SRC = `
const { workerData } = require('node:worker_threads');
const { module, memory, ctl, par } = workerData;
const fill = new WebAssembly.Instance(module, { env: { mem: memory } }).exports.fill;
const c = new Int32Array(ctl), p = new Float64Array(par);
Atomics.store(c, 2, 1);
let gen = 0;
for (;;) {
  Atomics.wait(c, 0, gen);
  gen = Atomics.load(c, 0);
  if (gen < 0) break;
  fill(p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8], p[9], p[10], p[11]);
  Atomics.store(c, 1, gen);
  Atomics.notify(c, 1);
}
`;

const HELPER_TIMEOUT_MS = 2000;

interface Helper { worker: Worker; ctl: Int32Array; par: Float64Array; gen: number; list: number }

class Kernel {
  readonly memory: WebAssembly.Memory;
  readonly scratch: Float32Array;
  private readonly module: WebAssembly.Module;
  private readonly fill: Fill;
  private helpers: Helper[] = [];

  constructor(bytes: Uint8Array<ArrayBuffer>) {
    this.module = new WebAssembly.Module(bytes);
    this.memory = new WebAssembly.Memory({ initial: PAGES, maximum: PAGES, shared: true });
    this.fill = new WebAssembly.Instance(this.module, { env: { mem: this.memory } }).exports.fill as Fill;
    this.scratch = new Float32Array(this.memory.buffer, 0, SCRATCH);
  }

  setThreads(n: number): void {
    const want = Math.min(MAX_THREADS, Math.max(1, Math.floor(n))) - 1;
    while (this.helpers.length > want) {
      const h = this.helpers.pop()!;
      Atomics.store(h.ctl, 0, -1);
      Atomics.notify(h.ctl, 0);
      void h.worker.terminate();
    }
    while (this.helpers.length < want) {
      const ctl = new SharedArrayBuffer(16), par = new SharedArrayBuffer(96);
      const worker = new Worker(WORKER_SRC, { eval: true, workerData: { module: this.module, memory: this.memory, ctl, par } });
      worker.unref();
      worker.on('error', () => { this.helpers = this.helpers.filter((h) => h.worker !== worker); });
      this.helpers.push({ worker, ctl: new Int32Array(ctl), par: new Float64Array(par), gen: 0, list: SCRATCH * 4 + (this.helpers.length + 1) * LIST_BYTES });
    }
  }

  get threads(): number { return this.helpers.length + 1; }

  private dropHelper(h: Helper): void {
    this.helpers = this.helpers.filter((x) => x !== h);
    Atomics.store(h.ctl, 0, -1);
    Atomics.notify(h.ctl, 0);
    void h.worker.terminate();
  }

  /** Helpers that have compiled the module and take work. */
  get ready(): number { return this.helpers.filter((h) => Atomics.load(h.ctl, 2) === 1).length; }

  /** Whole blocks b0 .. b0+blocks−1 into buf[off ..], through the scratch range in pieces. */
  run(buf: Float32Array, off: number, blocks: number, s: number, st: Stream, b0: number, replace: boolean, mean: number): void {
    const quadsTotal = Math.floor(blocks / 4);
    const rep = replace ? 1 : 0;
    let done = 0; // quads done
    while (done < quadsTotal) {
      const quads = Math.min(quadsTotal - done, SCRATCH / 16);
      const n = quads * 16;
      const at = off + done * 16;
      if (!replace) this.scratch.set(buf.subarray(at, at + n));
      const b = b0 + done * 4;
      const ready = this.helpers.filter((h) => Atomics.load(h.ctl, 2) === 1);
      // Split the quads between this thread and the ready helpers; each part is independent.
      const parts = ready.length + 1;
      const per = Math.ceil(quads / parts);
      let q0 = per; // this thread takes [0, per)
      const posted: { h: Helper; q0: number; qn: number; bb: number }[] = [];
      for (const h of ready) {
        if (q0 >= quads) break;
        const qn = Math.min(per, quads - q0);
        const bb = b + q0 * 4;
        const p = h.par;
        p[0] = q0 * 64; p[1] = qn; p[2] = st.k0 | 0; p[3] = st.k1 | 0; p[4] = st.s0 | 0; p[5] = st.s1 | 0;
        p[6] = bb % 4294967296 | 0; p[7] = Math.floor(bb / 4294967296) | 0; p[8] = s; p[9] = mean; p[10] = rep; p[11] = h.list;
        h.gen = (h.gen + 1) & 0x3fffffff;
        Atomics.store(h.ctl, 0, h.gen);
        Atomics.notify(h.ctl, 0);
        posted.push({ h, q0, qn, bb });
        q0 += qn;
      }
      this.fill(0, Math.min(per, quads), st.k0 | 0, st.k1 | 0, st.s0 | 0, st.s1 | 0, b % 4294967296 | 0, Math.floor(b / 4294967296) | 0, s, mean, rep, SCRATCH * 4);
      for (const { h, q0: hq0, qn, bb } of posted) {
        // A helper that does not answer in time (it died: its error event cannot reach this blocked thread) is dropped
        // and its part computed here. The values are counter-based, so a late write by the helper writes the same bytes.
        const deadline = Date.now() + HELPER_TIMEOUT_MS;
        while (Atomics.load(h.ctl, 1) !== h.gen && Date.now() < deadline) Atomics.wait(h.ctl, 1, Atomics.load(h.ctl, 1), 50);
        if (Atomics.load(h.ctl, 1) !== h.gen) {
          this.dropHelper(h);
          this.fill(hq0 * 64, qn, st.k0 | 0, st.k1 | 0, st.s0 | 0, st.s1 | 0, bb % 4294967296 | 0, Math.floor(bb / 4294967296) | 0, s, mean, rep, SCRATCH * 4);
        }
      }
      buf.set(this.scratch.subarray(0, n), at);
      done += quads;
    }
  }
}

let kernel: Kernel | null | undefined;
let wantThreads = Number(process.env.GRAFT_NOISE_THREADS ?? 1);

/** The kernel for a transform (built once), or null where WebAssembly SIMD is missing or GRAFT_NOISE_WASM=0. */
function getKernel(T: Transform): Kernel | null {
  if (kernel === undefined) {
    kernel = null;
    if (process.env.GRAFT_NOISE_WASM !== '0') {
      try {
        kernel = new Kernel(kernelBytes(T));
        if (wantThreads > 1) kernel.setThreads(wantThreads);
      } catch {
        kernel = null;
      }
    }
  }
  return kernel;
}

/**
 * Threads that fill noise (this one plus n − 1 workers; default 1, or GRAFT_NOISE_THREADS). The bytes do not depend
 * on it. Returns the number in effect (1 without the kernel).
 */
export function setNoiseThreads(n: number, T?: Transform): number {
  wantThreads = Math.max(1, Math.floor(n));
  const k = kernel ?? (T ? getKernel(T) : null);
  if (!k) return 1;
  k.setThreads(wantThreads);
  return k.threads;
}

/** Worker threads ready to take noise work (diagnostics, tests). */
export function noiseHelpersReady(): number {
  return kernel ? kernel.ready : 0;
}

/**
 * Fills whole blocks with the kernel: buf[off + 4k + l] for block b0 + k (k < blocks), as addNormalJs would.
 * Blocks that do not fill a group of four are left to the caller. Returns the number of blocks done (0: no kernel).
 */
export function kernelAddNormal(
  T: Transform, buf: Float32Array, off: number, blocks: number, s: number, st: Stream, b0: number, replace: boolean, mean: number,
): number {
  const k = getKernel(T);
  if (!k || blocks < 4) return 0;
  k.run(buf, off, blocks, s, st, b0, replace, mean);
  return blocks - (blocks % 4);
}
