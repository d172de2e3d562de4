// Matrix products. Each forward emitter carries its VJP right below it.
import { EngineError } from '../../../core/errors';
import { broadcastShape, type Tape, type Tensor } from '../tape';
import { reduceTo } from './shapes';
import { transpose } from './movement';
import { sum } from './reduce';

function swapLast(tp: Tape, x: Tensor): Tensor {
  const r = x.shape.length;
  const perm = Array.from({ length: r }, (_, i) => i);
  perm[r - 2] = r - 1;
  perm[r - 1] = r - 2;
  return transpose(tp, x, perm);
}

/** Batched matrix product with numpy broadcasting over the leading dims (both operands rank ≥ 2). */
export function matmul(tp: Tape, a: Tensor, b: Tensor): Tensor {
  const ra = a.shape.length;
  const rb = b.shape.length;
  if (ra < 2 || rb < 2 || a.shape[ra - 1] !== b.shape[rb - 2]) {
    throw new EngineError('engine/shape', `MatMul of [${a.shape}] and [${b.shape}]`, { key: 'MatMul', rule: 'inner dims agree, rank ≥ 2' });
  }
  const batch = broadcastShape('MatMul', a.shape.slice(0, -2), b.shape.slice(0, -2));
  const shape = [...batch, a.shape[ra - 2], b.shape[rb - 1]];
  // dA = g·Bᵀ, dB = Aᵀ·g, each summed over the dims it was broadcast along.
  return tp.emit1('MatMul', [a, b], {}, shape, a.dtype, () => ([g]) => [
    a.requiresGrad ? reduceTo(tp, matmul(tp, g!, swapLast(tp, b)), a.shape) : undefined,
    b.requiresGrad ? reduceTo(tp, matmul(tp, swapLast(tp, a), g!), b.shape) : undefined,
  ]);
}

/** y = x·Wᵀ (+ bias): x [N, in], W [out, in] (Hugging Face layout), bias [out]. One Gemm. */
export function linear(tp: Tape, x: Tensor, w: Tensor, bias?: Tensor): Tensor {
  if (x.shape.length !== 2 || w.shape.length !== 2 || x.shape[1] !== w.shape[1]) {
    throw new EngineError('engine/shape', `linear of [${x.shape}] by weight [${w.shape}]`, { key: 'Gemm', rule: 'x [N,in], W [out,in]' });
  }
  const shape = [x.shape[0], w.shape[0]];
  const inputs = bias ? [x, w, bias] : [x, w];
  return tp.emit1('Gemm', inputs, { transB: 1 }, shape, x.dtype, () => ([g]) => [
    x.requiresGrad ? tp.emit1('Gemm', [g!, w], {}, x.shape, g!.dtype) : undefined,
    w.requiresGrad ? tp.emit1('Gemm', [g!, x], { transA: 1 }, w.shape, g!.dtype) : undefined,
    ...(bias ? [bias.requiresGrad ? sum(tp, g!, [0]) : undefined] : []),
  ]);
}
