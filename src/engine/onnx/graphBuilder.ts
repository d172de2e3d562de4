// A small builder over onnx-proto (protobufjs): names values, adds nodes, initializers, inputs and outputs,
// and serialises a ModelProto that onnxruntime-node accepts. Opset 17 so that Debian's onnx checker validates it.
import { onnx } from 'onnx-proto';

export const OPSET = 17;
export const IR_VERSION = 8;

export type ElemType = 'float32' | 'float16' | 'int64' | 'int32' | 'bool' | 'uint8' | 'int8' | 'uint16' | 'bfloat16' | 'float64';

const ELEM: Record<ElemType, number> = {
  float32: onnx.TensorProto.DataType.FLOAT,
  float16: onnx.TensorProto.DataType.FLOAT16,
  bfloat16: onnx.TensorProto.DataType.BFLOAT16,
  float64: onnx.TensorProto.DataType.DOUBLE,
  int64: onnx.TensorProto.DataType.INT64,
  int32: onnx.TensorProto.DataType.INT32,
  bool: onnx.TensorProto.DataType.BOOL,
  uint8: onnx.TensorProto.DataType.UINT8,
  int8: onnx.TensorProto.DataType.INT8,
  uint16: onnx.TensorProto.DataType.UINT16,
};

/** A dimension: a fixed size, or a symbolic name (e.g. 'batch'). */
export type Dim = number | string;
export type AttrValue = number | string | number[] | string[] | { floats: number[] } | { float: number } | onnx.ITensorProto;

export interface ValueRef {
  readonly name: string;
}

export class GraphBuilder {
  private readonly nodes: onnx.INodeProto[] = [];
  private readonly inputs: onnx.IValueInfoProto[] = [];
  private readonly outputs: onnx.IValueInfoProto[] = [];
  private readonly initializers: onnx.ITensorProto[] = [];
  private readonly used = new Set<string>();
  private counter = 0;

  constructor(readonly graphName = 'graft') {}

  /** A fresh, unique value name with a readable prefix. */
  fresh(prefix = 'v'): string {
    let name: string;
    do name = `${prefix}_${this.counter++}`;
    while (this.used.has(name));
    this.used.add(name);
    return name;
  }

  private claim(name: string): string {
    if (this.used.has(name)) throw new Error(`graph value name used twice: ${name}`);
    this.used.add(name);
    return name;
  }

  input(name: string, type: ElemType, shape: Dim[]): ValueRef {
    this.inputs.push(valueInfo(this.claim(name), type, shape));
    return { name };
  }

  output(value: ValueRef | string, type: ElemType, shape?: Dim[], as?: string): ValueRef {
    let name = typeof value === 'string' ? value : value.name;
    if (as && as !== name) {
      name = this.node('Identity', [name], {}, as)[0].name;
    }
    this.outputs.push(valueInfo(name, type, shape));
    return { name };
  }

  /** Adds a node; returns its outputs (one unless `outputs` is a count or a list of names). */
  node(op: string, inputs: (ValueRef | string | null)[], attrs: Record<string, AttrValue> = {}, outputs: string | number | string[] = 1, domain = ''): ValueRef[] {
    const outNames = typeof outputs === 'number'
      ? Array.from({ length: outputs }, () => this.fresh(op.toLowerCase()))
      : (typeof outputs === 'string' ? [outputs] : outputs).map((n) => this.claim(n));
    this.nodes.push({
      opType: op,
      domain,
      name: this.fresh(`${op}_node`),
      input: inputs.map((i) => (i === null ? '' : typeof i === 'string' ? i : i.name)),
      output: outNames,
      attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
    });
    return outNames.map((name) => ({ name }));
  }

  /** Shorthand for a single-output node. */
  op(op: string, inputs: (ValueRef | string | null)[], attrs: Record<string, AttrValue> = {}, name?: string): ValueRef {
    return this.node(op, inputs, attrs, name ?? 1)[0];
  }

  constFloat(values: number[] | Float32Array, shape: number[] = [values.length], name?: string): ValueRef {
    return this.addInitializer(name === undefined ? this.fresh('c') : this.claim(name), 'float32', shape, Float32Array.from(values));
  }

  constInt64(values: number[], shape: number[] = [values.length], name?: string): ValueRef {
    return this.addInitializer(name === undefined ? this.fresh('ci') : this.claim(name), 'int64', shape, BigInt64Array.from(values.map((v) => BigInt(v))));
  }

  scalarFloat(v: number): ValueRef {
    return this.constFloat([v], []);
  }

  initializer(name: string, type: ElemType, shape: number[], data: Float32Array | BigInt64Array | Int32Array | Uint8Array): ValueRef {
    return this.addInitializer(this.claim(name), type, shape, data);
  }

  private addInitializer(name: string, type: ElemType, shape: number[], data: Float32Array | BigInt64Array | Int32Array | Uint8Array): ValueRef {
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    this.initializers.push({ name, dataType: ELEM[type], dims: shape, rawData: Uint8Array.from(bytes) });
    return { name };
  }

  toModel(docString = ''): onnx.ModelProto {
    return onnx.ModelProto.create({
      irVersion: IR_VERSION,
      producerName: 'graft',
      producerVersion: '0.1.0',
      docString,
      opsetImport: [{ domain: '', version: OPSET }],
      graph: {
        name: this.graphName,
        node: this.nodes,
        input: this.inputs,
        output: this.outputs,
        initializer: this.initializers,
      },
    });
  }

  toBytes(docString = ''): Uint8Array {
    return onnx.ModelProto.encode(this.toModel(docString)).finish();
  }

  get nodeCount(): number {
    return this.nodes.length;
  }
}

function valueInfo(name: string, type: ElemType, shape?: Dim[]): onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: ELEM[type],
        shape: shape ? { dim: shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } : undefined,
      },
    },
  };
}

function attribute(name: string, v: AttrValue): onnx.IAttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  if (typeof v === 'number') {
    return Number.isInteger(v) ? { name, type: T.INT, i: v } : { name, type: T.FLOAT, f: v };
  }
  if (typeof v === 'string') return { name, type: T.STRING, s: new TextEncoder().encode(v) };
  if (Array.isArray(v)) {
    if (v.length > 0 && typeof v[0] === 'string') return { name, type: T.STRINGS, strings: (v as string[]).map((s) => new TextEncoder().encode(s)) };
    return { name, type: T.INTS, ints: v as number[] };
  }
  if ('floats' in v) return { name, type: T.FLOATS, floats: v.floats };
  if ('float' in v) return { name, type: T.FLOAT, f: v.float };
  return { name, type: T.TENSOR, t: v };
}
