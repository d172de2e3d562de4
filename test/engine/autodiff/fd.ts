// Finite-difference checking of gradient rules in real ONNX Runtime sessions (float64 graphs, central differences).
import assert from 'node:assert/strict';
import * as ort from 'onnxruntime-node';
import { GraphBuilder } from '../../../src/engine/onnx/graphBuilder';
import { Tape, grad, mul, sumAll, type Tensor } from '../../../src/engine/autodiff/index';

export interface FdInput {
  shape: number[];
  /** Values; random in [-1, 1) when absent. */
  data?: number[];
  /** Integer (int64) input: not differentiated. */
  int?: boolean;
  /** Float input held fixed (no gradient checked). */
  fixed?: boolean;
}

/** Deterministic uniform [-1, 1) values (mulberry32). */
export function rand(n: number, seed: number): number[] {
  let a = seed >>> 0;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out.push((((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1);
  }
  return out;
}

const size = (s: number[]) => s.reduce((a, b) => a * b, 1);

/**
 * Builds f = Σ op(xs) ⊙ R (R a fixed random projection) and its gradients with the tape, then checks every
 * gradient element against central differences of f run through the same ORT session.
 */
export async function checkGrad(inputs: FdInput[], op: (tp: Tape, xs: Tensor[]) => Tensor, { seed = 1, h = 1e-6, tol = 1e-6 } = {}): Promise<void> {
  const g = new GraphBuilder('fd');
  const tp = new Tape(g, 'float64');
  const xs = inputs.map((inp, i) => (inp.int ? tp.input(`x${i}`, inp.shape, 'int64', false) : tp.input(`x${i}`, inp.shape, 'float64', !inp.fixed)));
  const y = op(tp, xs);
  const r = tp.constant(rand(size(y.shape as number[]), seed + 99), y.shape as number[]);
  const f = sumAll(tp, mul(tp, y, r));
  tp.output(f, 'f');
  const wrt = xs.filter((_, i) => !inputs[i].int && !inputs[i].fixed);
  const gs = grad(tp, f, wrt);
  gs.forEach((gt, i) => tp.output(gt, `g${i}`));
  const session = await ort.InferenceSession.create(g.toBytes());
  const values = inputs.map((inp, i) => inp.data ?? rand(size(inp.shape), seed + i * 7));
  const feeds = (vals: number[][]) => Object.fromEntries(inputs.map((inp, i) => [`x${i}`, inp.int
    ? new ort.Tensor('int64', BigInt64Array.from(vals[i].map((v) => BigInt(v))), inp.shape)
    : new ort.Tensor('float64', Float64Array.from(vals[i]), inp.shape)]));
  const base = await session.run(feeds(values));
  let w = 0;
  for (let i = 0; i < inputs.length; i++) {
    if (inputs[i].int || inputs[i].fixed) continue;
    const analytic = base[`g${w++}`].data as Float64Array;
    assert.equal(analytic.length, values[i].length, `gradient ${i} has the input's size`);
    for (let j = 0; j < values[i].length; j++) {
      const plus = values.map((v) => [...v]);
      const minus = values.map((v) => [...v]);
      plus[i][j] += h;
      minus[i][j] -= h;
      const fp = ((await session.run(feeds(plus))).f.data as Float64Array)[0];
      const fm = ((await session.run(feeds(minus))).f.data as Float64Array)[0];
      const numeric = (fp - fm) / (2 * h);
      const err = Math.abs(numeric - analytic[j]);
      assert.ok(err <= tol * (1 + Math.abs(numeric)), `input ${i} element ${j}: analytic ${analytic[j]} vs numeric ${numeric}`);
    }
  }
  await session.release();
}
