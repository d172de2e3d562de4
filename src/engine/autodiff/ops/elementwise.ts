// Elementwise ops. Each forward emitter carries its VJP right below it (micrograd style).
// Binary ops broadcast numpy-style; their gradients are summed back to each input's shape.
import { broadcastShape, type Tape, type Tensor } from '../tape';
import { reduceTo } from './shapes';

type Operand = Tensor | number;
const lift = (tp: Tape, x: Operand): Tensor => (typeof x === 'number' ? tp.scalar(x) : x);

function binary(tp: Tape, op: string, a: Operand, b: Operand, rule: (g: Tensor, a: Tensor, b: Tensor, out: Tensor) => [Tensor | undefined, Tensor | undefined]): Tensor {
  const x = lift(tp, a);
  const y = lift(tp, b);
  const shape = broadcastShape(op, x.shape, y.shape);
  return tp.emit1(op, [x, y], {}, shape, x.dtype, (out) => ([g]) => {
    const [gx, gy] = rule(g!, x, y, out);
    return [gx && x.requiresGrad ? reduceTo(tp, gx, x.shape) : undefined, gy && y.requiresGrad ? reduceTo(tp, gy, y.shape) : undefined];
  });
}

// ---------------------------------------------------------------- binary
export function add(tp: Tape, a: Operand, b: Operand): Tensor {
  return binary(tp, 'Add', a, b, (g) => [g, g]);
}

export function sub(tp: Tape, a: Operand, b: Operand): Tensor {
  return binary(tp, 'Sub', a, b, (g, _x, y) => [g, y.requiresGrad ? neg(tp, g) : undefined]);
}

export function mul(tp: Tape, a: Operand, b: Operand): Tensor {
  return binary(tp, 'Mul', a, b, (g, x, y) => [x.requiresGrad ? mul(tp, g, y) : undefined, y.requiresGrad ? mul(tp, g, x) : undefined]);
}

export function div(tp: Tape, a: Operand, b: Operand): Tensor {
  // d(x/y)/dy = -out/y
  return binary(tp, 'Div', a, b, (g, x, y, out) => [x.requiresGrad ? div(tp, g, y) : undefined, y.requiresGrad ? neg(tp, div(tp, mul(tp, g, out), y)) : undefined]);
}

// ---------------------------------------------------------------- unary
function unary(tp: Tape, op: string, x: Tensor, rule: (g: Tensor, x: Tensor, out: Tensor) => Tensor, attrs: Record<string, number> = {}): Tensor {
  return tp.emit1(op, [x], attrs, x.shape, x.dtype, (out) => ([g]) => [rule(g!, x, out)]);
}

export function neg(tp: Tape, x: Tensor): Tensor {
  return unary(tp, 'Neg', x, (g) => neg(tp, g));
}

export function exp(tp: Tape, x: Tensor): Tensor {
  return unary(tp, 'Exp', x, (g, _x, out) => mul(tp, g, out));
}

export function log(tp: Tape, x: Tensor): Tensor {
  return unary(tp, 'Log', x, (g, x) => div(tp, g, x));
}

export function sqrt(tp: Tape, x: Tensor): Tensor {
  return unary(tp, 'Sqrt', x, (g, _x, out) => div(tp, mul(tp, g, 0.5), out));
}

export function reciprocal(tp: Tape, x: Tensor): Tensor {
  return unary(tp, 'Reciprocal', x, (g, _x, out) => neg(tp, mul(tp, g, mul(tp, out, out))));
}

/** x ** p for a constant exponent p. */
export function pow(tp: Tape, x: Tensor, p: number): Tensor {
  return tp.emit1('Pow', [x, tp.scalar(p)], {}, x.shape, x.dtype, () => ([g]) => [
    p === 2 ? mul(tp, g!, mul(tp, x, 2)) : mul(tp, g!, mul(tp, pow(tp, x, p - 1), p)),
    undefined,
  ]);
}

export function sigmoid(tp: Tape, x: Tensor): Tensor {
  return unary(tp, 'Sigmoid', x, (g, _x, out) => mul(tp, g, mul(tp, out, sub(tp, 1, out))));
}

export function tanh(tp: Tape, x: Tensor): Tensor {
  return unary(tp, 'Tanh', x, (g, _x, out) => mul(tp, g, sub(tp, 1, mul(tp, out, out))));
}

/** Identity that stops gradients (a constant from here on). */
export function detach(tp: Tape, x: Tensor): Tensor {
  return tp.emit1('Identity', [x], {}, x.shape, x.dtype, () => () => [undefined]);
}

// ---------------------------------------------------------------- comparisons (no gradient)
function compare(tp: Tape, op: string, a: Operand, b: Operand): Tensor {
  const x = lift(tp, a);
  const y = lift(tp, b);
  return tp.emit('' + op, [x, y], {}, [{ shape: broadcastShape(op, x.shape, y.shape), dtype: 'bool' }], undefined, false)[0];
}
export const greaterOrEqual = (tp: Tape, a: Operand, b: Operand): Tensor => compare(tp, 'GreaterOrEqual', a, b);
export const less = (tp: Tape, a: Operand, b: Operand): Tensor => compare(tp, 'Less', a, b);
export const equal = (tp: Tape, a: Tensor, b: Tensor): Tensor => compare(tp, 'Equal', a, b);

/** Cast between float types (differentiable) or to int/bool (not). */
export function cast(tp: Tape, x: Tensor, to: Tensor['dtype']): Tensor {
  const code = { float32: 1, float64: 11, int64: 7, bool: 9 }[to];
  const floatToFloat = (to === 'float32' || to === 'float64') && (x.dtype === 'float32' || x.dtype === 'float64');
  return tp.emit('Cast', [x], { to: code }, [{ shape: x.shape, dtype: to }], floatToFloat ? () => ([g]) => [cast(tp, g!, x.dtype)] : undefined, floatToFloat)[0];
}
