// Helpers the VJP rules share: zeros of a shape, runtime shapes, summing a broadcast gradient back to a shape.
import { isStatic, sameShape, scalarTensorAttr, type Dim, type Tape, type Tensor, type TType } from '../tape';

/** The shape of `like` as an int64 tensor: a constant when static, a Shape node otherwise. */
export function shapeTensor(tp: Tape, like: Tensor | readonly Dim[]): Tensor {
  const shape = Array.isArray(like) ? (like as Dim[]) : (like as Tensor).shape;
  if (isStatic(shape)) return tp.constInt([...shape], [shape.length]);
  if (Array.isArray(like)) throw new Error('shapeTensor: a symbolic shape needs a tensor to read it from');
  return tp.emit1('Shape', [like as Tensor], {}, [shape.length], 'int64');
}

/** Zeros shaped like `like` (a tensor, or a static shape) in `dtype`. */
export function zeros(tp: Tape, like: Tensor | readonly Dim[], dtype: TType = tp.float): Tensor {
  const shape = Array.isArray(like) ? (like as Dim[]) : (like as Tensor).shape;
  return tp.emit1('ConstantOfShape', [shapeTensor(tp, like)], { value: scalarTensorAttr(0, dtype) }, shape, dtype);
}

/** Sums a gradient of a broadcast result back to `shape` (the inverse of broadcasting). */
export function reduceTo(tp: Tape, g: Tensor, shape: readonly Dim[]): Tensor {
  if (sameShape(g.shape, shape)) return g;
  const lead = g.shape.length - shape.length;
  const inner: number[] = [];
  for (let i = 0; i < shape.length; i++) if (shape[i] === 1 && g.shape[lead + i] !== 1) inner.push(lead + i);
  let out = g;
  if (inner.length) {
    const s = out.shape.map((d, i) => (inner.includes(i) ? 1 : d));
    out = tp.emit1('ReduceSum', [out, tp.constInt(inner)], { keepdims: 1 }, s, g.dtype);
  }
  if (lead > 0) {
    const axes = Array.from({ length: lead }, (_, i) => i);
    out = tp.emit1('ReduceSum', [out, tp.constInt(axes)], { keepdims: 0 }, out.shape.slice(lead), g.dtype);
  }
  if (!sameShape(out.shape, shape)) throw new Error(`reduceTo: cannot reduce [${g.shape}] to [${shape}]`);
  return out;
}
