// The tape: tensors with known shapes over a GraphBuilder, and a record of every differentiable op.
// Each op's forward emitter records a VJP closure next to it (src/engine/autodiff/ops/*.ts); backward.ts
// walks the records in reverse. Shapes are static numbers, or a symbolic name for a data-dependent size
// (e.g. the number of tokens routed to one expert); two dims are the same iff they are identical.
import { GraphBuilder, type AttrValue, type ValueRef } from '../onnx/graphBuilder';
import { EngineError } from '../../core/errors';
import { onnx } from 'onnx-proto';

export type Dim = number | string;
export type FloatType = 'float32' | 'float64';
export type TType = FloatType | 'int64' | 'bool';

export interface Tensor extends ValueRef {
  readonly shape: readonly Dim[];
  readonly dtype: TType;
  /** True when a gradient may flow back from this value to some input that asked for one. */
  readonly requiresGrad: boolean;
}

/** Gradients of an op's outputs → gradients of its inputs (undefined: none flows there). */
export type Vjp = (gradOutputs: (Tensor | undefined)[]) => (Tensor | undefined)[];

export interface OpRecord {
  op: string;
  inputs: Tensor[];
  outputs: Tensor[];
  /** Missing for ops that have no rule: backward names them when a gradient needs to cross. */
  vjp?: Vjp;
}

export class Tape {
  readonly records: OpRecord[] = [];
  /** While true (inside backward), ops are emitted but not recorded. */
  private recording = true;
  private constCount = 0;

  constructor(readonly g: GraphBuilder, readonly float: FloatType = 'float32') {}

  input(name: string, shape: Dim[], dtype: TType = this.float, requiresGrad = dtype === this.float): Tensor {
    const ref = this.g.input(name, dtype, shape);
    return { name: ref.name, shape: [...shape], dtype, requiresGrad };
  }

  /** A float constant in the tape's float type. */
  constant(values: ArrayLike<number>, shape: number[]): Tensor {
    const n = shape.reduce((a, b) => a * b, 1);
    if (values.length !== n) throw new EngineError('engine/shape', `constant has ${values.length} values for shape [${shape}]`, { rule: 'constant size' });
    // GraphBuilder.initializer claims the name itself, so it must not come from fresh() (which claims too).
    const name = `tc${this.g.graphName}_${this.constCount++}`;
    const data = this.float === 'float64' ? Float64Array.from(values) : Float32Array.from(values);
    this.g.initializer(name, this.float, shape, new Uint8Array(data.buffer));
    return { name, shape: [...shape], dtype: this.float, requiresGrad: false };
  }

  scalar(v: number): Tensor {
    return this.constant([v], []);
  }

  constInt(values: number[], shape: number[] = [values.length]): Tensor {
    const ref = this.g.constInt64(values, shape);
    return { name: ref.name, shape: [...shape], dtype: 'int64', requiresGrad: false };
  }

  /**
   * Emits one ONNX node. Outputs get the given shapes/dtypes; when any input requires a gradient the op is
   * recorded with `vjp` (which may be undefined for ops with no rule).
   */
  emit(op: string, inputs: (Tensor | null)[], attrs: Record<string, AttrValue>, outs: { shape: readonly Dim[]; dtype: TType }[], vjp?: (outputs: Tensor[]) => Vjp, differentiable = true): Tensor[] {
    const refs = this.g.node(op, inputs, attrs, outs.length);
    const live = this.recording && differentiable && inputs.some((i) => i?.requiresGrad);
    const outputs = refs.map((r, k) => ({ name: r.name, shape: [...outs[k].shape], dtype: outs[k].dtype, requiresGrad: live && isFloat(outs[k].dtype) }));
    if (live) {
      this.records.push({ op, inputs: inputs.map((i) => i ?? NONE), outputs, vjp: vjp?.(outputs) });
    }
    return outputs;
  }

  emit1(op: string, inputs: (Tensor | null)[], attrs: Record<string, AttrValue>, shape: readonly Dim[], dtype: TType, vjp?: (out: Tensor) => Vjp): Tensor {
    return this.emit(op, inputs, attrs, [{ shape, dtype }], vjp && ((o) => vjp(o[0])))[0];
  }

  /** Runs `fn` without recording (backward passes, optimizer updates). */
  noGrad<T>(fn: () => T): T {
    const prev = this.recording;
    this.recording = false;
    try {
      return fn();
    } finally {
      this.recording = prev;
    }
  }

  /** Marks a tensor as a graph output. */
  output(t: Tensor, as?: string): ValueRef {
    return this.g.output(t, t.dtype, t.shape as Dim[], as);
  }
}

const NONE: Tensor = { name: '', shape: [], dtype: 'float32', requiresGrad: false };

export function isFloat(t: TType): t is FloatType {
  return t === 'float32' || t === 'float64';
}

export function numel(shape: readonly Dim[]): number {
  let n = 1;
  for (const d of shape) {
    if (typeof d !== 'number') throw new EngineError('engine/shape', `shape [${shape}] has a symbolic dim`, { rule: 'static shape needed' });
    n *= d;
  }
  return n;
}

export function isStatic(shape: readonly Dim[]): shape is number[] {
  return shape.every((d) => typeof d === 'number');
}

export function sameShape(a: readonly Dim[], b: readonly Dim[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** Numpy broadcasting of two shapes; throws naming the op when they do not broadcast. */
export function broadcastShape(op: string, a: readonly Dim[], b: readonly Dim[]): Dim[] {
  const n = Math.max(a.length, b.length);
  const out: Dim[] = [];
  for (let i = 0; i < n; i++) {
    const da = a[a.length - n + i] ?? 1;
    const db = b[b.length - n + i] ?? 1;
    if (da === db || db === 1) out.push(da);
    else if (da === 1) out.push(db);
    else throw new EngineError('engine/shape', `${op}: shapes [${a}] and [${b}] do not broadcast`, { key: op, rule: 'broadcasting' });
  }
  return out;
}

export function normAxis(axis: number, rank: number): number {
  return axis < 0 ? axis + rank : axis;
}

/** A tensor attribute holding one scalar of the given type (for ConstantOfShape). */
export function scalarTensorAttr(v: number, dtype: TType): onnx.ITensorProto {
  const T = onnx.TensorProto.DataType;
  switch (dtype) {
    case 'float64': return { dataType: T.DOUBLE, dims: [1], rawData: new Uint8Array(Float64Array.of(v).buffer) };
    case 'float32': return { dataType: T.FLOAT, dims: [1], rawData: new Uint8Array(Float32Array.of(v).buffer) };
    case 'int64': return { dataType: T.INT64, dims: [1], rawData: new Uint8Array(BigInt64Array.of(BigInt(v)).buffer) };
    case 'bool': return { dataType: T.BOOL, dims: [1], rawData: Uint8Array.of(v ? 1 : 0) };
  }
}
