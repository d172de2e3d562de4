// Reductions, softmax and log-softmax. Each forward emitter carries its VJP right below it.
import { normAxis, type Dim, type Tape, type Tensor } from '../tape';
import { mul, sub, exp } from './elementwise';
import { shapeTensor } from './shapes';

function reducedShape(shape: readonly Dim[], axes: number[], keepdims: boolean): Dim[] {
  return keepdims ? shape.map((d, i) => (axes.includes(i) ? 1 : d)) : shape.filter((_, i) => !axes.includes(i));
}

/** Brings a reduced gradient back to the input's shape (unsqueeze the reduced axes, then expand). */
function unreduce(tp: Tape, g: Tensor, x: Tensor, axes: number[], keepdims: boolean): Tensor {
  const kept = reducedShape(x.shape, axes, true);
  const gk = keepdims ? g : tp.emit1('Unsqueeze', [g, tp.constInt(axes)], {}, kept, g.dtype);
  return expandLike(tp, gk, x);
}

function expandLike(tp: Tape, g: Tensor, x: Tensor): Tensor {
  return tp.emit1('Expand', [g, shapeTensor(tp, x)], {}, x.shape, g.dtype);
}

export function sum(tp: Tape, x: Tensor, axes: number[], keepdims = false): Tensor {
  const ax = axes.map((a) => normAxis(a, x.shape.length)).sort((a, b) => a - b);
  return tp.emit1('ReduceSum', [x, tp.constInt(ax)], { keepdims: keepdims ? 1 : 0 }, reducedShape(x.shape, ax, keepdims), x.dtype,
    () => ([g]) => [unreduce(tp, g!, x, ax, keepdims), undefined]);
}

/** Sum of every element, as a scalar of shape []. */
export function sumAll(tp: Tape, x: Tensor): Tensor {
  return sum(tp, x, x.shape.map((_, i) => i), false);
}

export function mean(tp: Tape, x: Tensor, axes: number[], keepdims = false): Tensor {
  const ax = axes.map((a) => normAxis(a, x.shape.length)).sort((a, b) => a - b);
  let count = 1;
  for (const a of ax) {
    const d = x.shape[a];
    if (typeof d !== 'number') throw new Error(`mean over a symbolic axis ${a} of [${x.shape}]`);
    count *= d;
  }
  return tp.emit1('ReduceMean', [x], { axes: ax, keepdims: keepdims ? 1 : 0 }, reducedShape(x.shape, ax, keepdims), x.dtype,
    () => ([g]) => [unreduce(tp, mul(tp, g!, 1 / count), x, ax, keepdims)]);
}

export function meanAll(tp: Tape, x: Tensor): Tensor {
  return mean(tp, x, x.shape.map((_, i) => i), false);
}

export function softmax(tp: Tape, x: Tensor, axis = -1): Tensor {
  const a = normAxis(axis, x.shape.length);
  // dx = y * (g - sum(g * y))
  return tp.emit1('Softmax', [x], { axis: a }, x.shape, x.dtype,
    (y) => ([g]) => [mul(tp, y, sub(tp, g!, sum(tp, mul(tp, g!, y), [a], true)))]);
}

export function logSoftmax(tp: Tape, x: Tensor, axis = -1): Tensor {
  const a = normAxis(axis, x.shape.length);
  // dx = g - softmax(x) * sum(g)
  return tp.emit1('LogSoftmax', [x], { axis: a }, x.shape, x.dtype,
    (y) => ([g]) => [sub(tp, g!, mul(tp, exp(tp, y), sum(tp, g!, [a], true)))]);
}

/** log(sum(exp(x))) over one axis, kept as size 1 — composite (max-shifted through LogSoftmax for stability). */
export function logSumExp(tp: Tape, x: Tensor, axis = -1): Tensor {
  // logsumexp = x - logsoftmax(x), read at any index; take index-free form: mean over the axis of (x - logsoftmax(x)).
  const a = normAxis(axis, x.shape.length);
  return mean(tp, sub(tp, x, logSoftmax(tp, x, a)), [a], true);
}
