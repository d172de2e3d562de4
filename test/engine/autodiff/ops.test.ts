// One finite-difference check per gradient rule (float64 graphs in real ORT sessions).
import { test } from 'node:test';
import * as A from '../../../src/engine/autodiff/index';
import { checkGrad, rand } from './fd';

const pos = (n: number, seed: number) => rand(n, seed).map((v) => 0.5 + Math.abs(v));

test('Add/Sub/Mul/Div with broadcasting', async () => {
  const ins = [{ shape: [2, 3, 4] }, { shape: [3, 1] }];
  await checkGrad(ins, (tp, [a, b]) => A.add(tp, a, b));
  await checkGrad(ins, (tp, [a, b]) => A.sub(tp, b, a));
  await checkGrad(ins, (tp, [a, b]) => A.mul(tp, a, b));
  await checkGrad([{ shape: [2, 3, 4] }, { shape: [4], data: pos(4, 3) }], (tp, [a, b]) => A.div(tp, a, b));
  await checkGrad([{ shape: [4], data: pos(4, 3) }, { shape: [2, 1, 4], data: pos(8, 5) }], (tp, [a, b]) => A.div(tp, a, b));
});

test('a value used twice accumulates both gradients', async () => {
  await checkGrad([{ shape: [3, 2] }], (tp, [a]) => A.mul(tp, A.add(tp, a, A.exp(tp, a)), a));
});

test('Neg, Exp, Log, Sqrt, Pow, Reciprocal, Sigmoid, Tanh', async () => {
  await checkGrad([{ shape: [5] }], (tp, [a]) => A.neg(tp, a));
  await checkGrad([{ shape: [5] }], (tp, [a]) => A.exp(tp, a));
  await checkGrad([{ shape: [5], data: pos(5, 2) }], (tp, [a]) => A.log(tp, a));
  await checkGrad([{ shape: [5], data: pos(5, 2) }], (tp, [a]) => A.sqrt(tp, a));
  await checkGrad([{ shape: [5], data: pos(5, 2) }], (tp, [a]) => A.pow(tp, a, 3));
  await checkGrad([{ shape: [5] }], (tp, [a]) => A.pow(tp, a, 2));
  await checkGrad([{ shape: [5], data: pos(5, 2) }], (tp, [a]) => A.reciprocal(tp, a));
  await checkGrad([{ shape: [5] }], (tp, [a]) => A.sigmoid(tp, a));
  await checkGrad([{ shape: [5] }], (tp, [a]) => A.tanh(tp, a));
});

test('Softmax and LogSoftmax', async () => {
  await checkGrad([{ shape: [2, 5] }], (tp, [a]) => A.softmax(tp, a, -1));
  await checkGrad([{ shape: [3, 2, 4] }], (tp, [a]) => A.softmax(tp, a, 1));
  await checkGrad([{ shape: [2, 5] }], (tp, [a]) => A.logSoftmax(tp, a, -1));
  await checkGrad([{ shape: [2, 5] }], (tp, [a]) => A.logSumExp(tp, a, -1));
});

test('ReduceSum and ReduceMean, keepdims or not', async () => {
  await checkGrad([{ shape: [2, 3, 4] }], (tp, [a]) => A.sum(tp, a, [1], false));
  await checkGrad([{ shape: [2, 3, 4] }], (tp, [a]) => A.sum(tp, a, [0, 2], true));
  await checkGrad([{ shape: [2, 3, 4] }], (tp, [a]) => A.mean(tp, a, [-1], true));
  await checkGrad([{ shape: [2, 3, 4] }], (tp, [a]) => A.meanAll(tp, a));
});

test('MatMul (broadcast batch) and Gemm linear with bias', async () => {
  await checkGrad([{ shape: [2, 3, 4] }, { shape: [4, 2] }], (tp, [a, b]) => A.matmul(tp, a, b));
  await checkGrad([{ shape: [2, 1, 3, 4] }, { shape: [2, 3, 4, 2] }], (tp, [a, b]) => A.matmul(tp, a, b));
  await checkGrad([{ shape: [3, 4] }, { shape: [5, 4] }, { shape: [5] }], (tp, [x, w, b]) => A.linear(tp, x, w, b));
});

test('Reshape, Transpose, Unsqueeze, Squeeze, Expand', async () => {
  await checkGrad([{ shape: [2, 6] }], (tp, [a]) => A.reshape(tp, a, [3, -1]));
  await checkGrad([{ shape: [2, 3, 4] }], (tp, [a]) => A.transpose(tp, a, [2, 0, 1]));
  await checkGrad([{ shape: [2, 3] }], (tp, [a]) => A.squeeze(tp, A.unsqueeze(tp, A.unsqueeze(tp, a, 1), 0), 0));
  await checkGrad([{ shape: [3, 1] }], (tp, [a]) => A.expand(tp, a, [2, 3, 4]));
});

test('Slice, Concat, Split', async () => {
  await checkGrad([{ shape: [2, 6] }], (tp, [a]) => A.slice(tp, a, 1, 1, 4));
  await checkGrad([{ shape: [2, 3] }, { shape: [2, 2] }], (tp, [a, b]) => A.concat(tp, [a, b], 1));
  await checkGrad([{ shape: [5, 2] }], (tp, [a]) => {
    const [p, q] = A.split(tp, a, 0, [2, 3]);
    return A.concat(tp, [A.exp(tp, q), p], 0);
  });
  // An unused split output contributes zeros.
  await checkGrad([{ shape: [5, 2] }], (tp, [a]) => A.split(tp, a, 0, [2, 3])[1]);
});

test('Gather (embedding rows, repeated ids) and GatherElements', async () => {
  await checkGrad([{ shape: [4, 3] }, { shape: [2, 3], data: [0, 2, 2, 3, 0, 0], int: true }], (tp, [e, ids]) => A.gather(tp, e, ids));
  await checkGrad([{ shape: [3, 4] }, { shape: [3, 2], data: [1, 1, 0, 3, 2, 0], int: true }], (tp, [x, ids]) => A.gatherElements(tp, x, ids, 1));
});

test('Where with a mask, Mul by a mask, TopK values', async () => {
  await checkGrad([{ shape: [2, 4] }, { shape: [4] }], (tp, [a, b]) => A.where(tp, A.greaterOrEqual(tp, a, 0), a, b));
  await checkGrad([{ shape: [2, 4] }, { shape: [2, 4], fixed: true, data: [1, 0, 0, 1, 1, 1, 0, 0] }], (tp, [a, m]) => A.mul(tp, a, m));
  await checkGrad([{ shape: [3, 5] }], (tp, [a]) => A.topk(tp, a, 2, -1)[0]);
});

test('ScatterND add of rows', async () => {
  await checkGrad([{ shape: [4, 2] }, { shape: [3, 1], data: [3, 0, 3], int: true }, { shape: [3, 2] }], (tp, [d, i, u]) => A.scatterAddRows(tp, d, i, u));
});

test('composites: RMSNorm, SiLU, RoPE, cross-entropy', async () => {
  await checkGrad([{ shape: [3, 4] }, { shape: [4] }], (tp, [x, w]) => A.rmsNorm(tp, x, w, 1e-5));
  await checkGrad([{ shape: [6] }], (tp, [x]) => A.silu(tp, x));
  await checkGrad([{ shape: [2, 3, 4] }], (tp, [x]) => {
    const { cos, sin } = A.ropeTables(tp, 3, 4, 10000);
    return A.rope(tp, x, cos, sin);
  });
  await checkGrad([{ shape: [3, 5] }, { shape: [3], data: [4, 0, 2], int: true }], (tp, [l, t]) => A.crossEntropy(tp, l, t));
  await checkGrad([{ shape: [4, 3] }, { shape: [2, 3] }, { shape: [2, 3] }, { shape: [3, 2] }], (tp, [x, g, u, d]) => A.swiglu(tp, x, g, u, d));
});
