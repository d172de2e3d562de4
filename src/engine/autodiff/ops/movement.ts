// Movement and indexing ops. Each forward emitter carries its VJP right below it; movement ops invert each
// other (reshape/reshape, transpose/transpose, slice/pad, concat/split, expand/sum, gather/scatter-add).
import { EngineError } from '../../../core/errors';
import { broadcastShape, isStatic, normAxis, type Dim, type Tape, type Tensor } from '../tape';
import { reduceTo, shapeTensor, zeros } from './shapes';

/** Reshape to a static shape (one -1 allowed when the input is static). */
export function reshape(tp: Tape, x: Tensor, shape: number[]): Tensor {
  let out: Dim[] = shape;
  if (shape.includes(-1)) {
    if (!isStatic(x.shape)) throw new EngineError('engine/shape', `reshape of [${x.shape}] with -1`, { key: 'Reshape', rule: 'static input for -1' });
    const total = x.shape.reduce((a, b) => a * b, 1);
    const known = shape.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
    out = shape.map((d) => (d === -1 ? total / known : d));
  }
  return tp.emit1('Reshape', [x, tp.constInt(shape)], {}, out, x.dtype, () => ([g]) => [tp.emit1('Reshape', [g!, shapeTensor(tp, x)], {}, x.shape, g!.dtype), undefined]);
}

/** Reshape that may keep symbolic dims: `shape` entries are numbers, or 0 to copy the input's dim at that index. */
export function reshapeKeep(tp: Tape, x: Tensor, shape: number[]): Tensor {
  const out = shape.map((d, i) => (d === 0 ? x.shape[i] : d));
  return tp.emit1('Reshape', [x, tp.constInt(shape)], {}, out, x.dtype, () => ([g]) => [tp.emit1('Reshape', [g!, shapeTensor(tp, x)], {}, x.shape, g!.dtype), undefined]);
}

export function transpose(tp: Tape, x: Tensor, perm: number[]): Tensor {
  const inv = perm.map((_, i) => perm.indexOf(i));
  return tp.emit1('Transpose', [x], { perm }, perm.map((p) => x.shape[p]), x.dtype, () => ([g]) => [transpose(tp, g!, inv)]);
}

export function unsqueeze(tp: Tape, x: Tensor, axis: number): Tensor {
  const a = normAxis(axis, x.shape.length + 1);
  const shape = [...x.shape.slice(0, a), 1, ...x.shape.slice(a)];
  return tp.emit1('Unsqueeze', [x, tp.constInt([a])], {}, shape, x.dtype, () => ([g]) => [squeeze(tp, g!, a), undefined]);
}

export function squeeze(tp: Tape, x: Tensor, axis: number): Tensor {
  const a = normAxis(axis, x.shape.length);
  if (x.shape[a] !== 1) throw new EngineError('engine/shape', `squeeze axis ${a} of [${x.shape}] is not 1`, { key: 'Squeeze', rule: 'size 1' });
  return tp.emit1('Squeeze', [x, tp.constInt([a])], {}, x.shape.filter((_, i) => i !== a), x.dtype, () => ([g]) => [unsqueeze(tp, g!, a), undefined]);
}

export function expand(tp: Tape, x: Tensor, shape: number[]): Tensor {
  return tp.emit1('Expand', [x, tp.constInt(shape)], {}, broadcastShape('Expand', x.shape, shape), x.dtype, () => ([g]) => [reduceTo(tp, g!, x.shape), undefined]);
}

/** x[start:end] along one axis (static bounds). */
export function slice(tp: Tape, x: Tensor, axis: number, start: number, end: number): Tensor {
  const a = normAxis(axis, x.shape.length);
  const size = x.shape[a];
  if (typeof size !== 'number' || start < 0 || end > size || start >= end) {
    throw new EngineError('engine/shape', `slice [${start}, ${end}) of axis ${a} of [${x.shape}]`, { key: 'Slice', rule: 'bounds within a static axis' });
  }
  const shape = x.shape.map((d, i) => (i === a ? end - start : d));
  return tp.emit1('Slice', [x, tp.constInt([start]), tp.constInt([end]), tp.constInt([a])], {}, shape, x.dtype, () => ([g]) => {
    const pads = new Array(2 * x.shape.length).fill(0);
    pads[a] = start;
    pads[x.shape.length + a] = size - end;
    return [tp.emit1('Pad', [g!, tp.constInt(pads)], { mode: 'constant' }, x.shape, g!.dtype), undefined, undefined, undefined];
  });
}

export function concat(tp: Tape, xs: Tensor[], axis: number): Tensor {
  const a = normAxis(axis, xs[0].shape.length);
  const sizes = xs.map((x) => x.shape[a]);
  if (!sizes.every((s) => typeof s === 'number')) throw new EngineError('engine/shape', 'concat along a symbolic axis', { key: 'Concat', rule: 'static axis' });
  const total = (sizes as number[]).reduce((p, q) => p + q, 0);
  const shape = xs[0].shape.map((d, i) => (i === a ? total : d));
  return tp.emit1('Concat', xs, { axis: a }, shape, xs[0].dtype, () => ([g]) => split(tp, g!, a, sizes as number[]));
}

export function split(tp: Tape, x: Tensor, axis: number, sizes: number[]): Tensor[] {
  const a = normAxis(axis, x.shape.length);
  const outs = sizes.map((s) => ({ shape: x.shape.map((d, i) => (i === a ? s : d)), dtype: x.dtype }));
  return tp.emit('Split', [x, tp.constInt(sizes)], { axis: a }, outs, (o) => (gs) => [
    concat(tp, gs.map((g, k) => g ?? zeros(tp, o[k].shape)), a),
    undefined,
  ]);
}

/** Rows of a table: out[..., :] = x[idx[...], :] (embedding lookup). Gradient: scatter-add into zeros. */
export function gather(tp: Tape, x: Tensor, idx: Tensor): Tensor {
  const shape = [...idx.shape, ...x.shape.slice(1)];
  return tp.emit1('Gather', [x, idx], { axis: 0 }, shape, x.dtype, () => ([g]) => {
    const rows = idx.shape.length === 1 ? idx : tp.emit1('Reshape', [idx, tp.constInt([-1])], {}, ['rows'], 'int64');
    const idx2 = tp.emit1('Unsqueeze', [rows, tp.constInt([1])], {}, [rows.shape[0], 1], 'int64');
    const upd = tp.emit1('Reshape', [g!, tp.constInt([-1, ...(x.shape.slice(1) as number[])])], {}, [rows.shape[0], ...x.shape.slice(1)], g!.dtype);
    return [tp.emit1('ScatterND', [zeros(tp, x), idx2, upd], { reduction: 'add' }, x.shape, g!.dtype), undefined];
  });
}

export function gatherElements(tp: Tape, x: Tensor, idx: Tensor, axis: number): Tensor {
  const a = normAxis(axis, x.shape.length);
  return tp.emit1('GatherElements', [x, idx], { axis: a }, idx.shape, x.dtype, () => ([g]) => [
    tp.emit1('ScatterElements', [zeros(tp, x), idx, g!], { axis: a, reduction: 'add' }, x.shape, g!.dtype),
    undefined,
  ]);
}

/** out = data with updates added at idx rows (ScatterND add). Gradient: data gets g, updates get g[idx]. */
export function scatterAddRows(tp: Tape, data: Tensor, idx: Tensor, updates: Tensor): Tensor {
  return tp.emit1('ScatterND', [data, idx, updates], { reduction: 'add' }, data.shape, data.dtype, () => ([g]) => [
    g,
    undefined,
    updates.requiresGrad ? tp.emit1('GatherND', [g!, idx], {}, updates.shape, g!.dtype) : undefined,
  ]);
}

export function where(tp: Tape, cond: Tensor, a: Tensor, b: Tensor): Tensor {
  const shape = broadcastShape('Where', broadcastShape('Where', cond.shape, a.shape), b.shape);
  return tp.emit1('Where', [cond, a, b], {}, shape, a.dtype, () => ([g]) => {
    const z = zeros(tp, [], g!.dtype);
    return [
      undefined,
      a.requiresGrad ? reduceTo(tp, tp.emit1('Where', [cond, g!, z], {}, g!.shape, g!.dtype), a.shape) : undefined,
      b.requiresGrad ? reduceTo(tp, tp.emit1('Where', [cond, z, g!], {}, g!.shape, g!.dtype), b.shape) : undefined,
    ];
  });
}

/** The k largest along `axis`: values (differentiable) and indices (not). */
export function topk(tp: Tape, x: Tensor, k: number, axis = -1): [Tensor, Tensor] {
  const a = normAxis(axis, x.shape.length);
  const shape = x.shape.map((d, i) => (i === a ? k : d));
  const [values, indices] = tp.emit('TopK', [x, tp.constInt([k])], { axis: a, largest: 1, sorted: 1 }, [{ shape, dtype: x.dtype }, { shape, dtype: 'int64' }],
    (o) => ([g]) => [g ? tp.emit1('ScatterElements', [zeros(tp, x), o[1], g], { axis: a }, x.shape, g.dtype) : undefined, undefined]);
  return [values, indices];
}
