// The fixture factory: a tiny, complete Hugging Face checkpoint of any family (config.json, weights,
// generation_config.json, a tokenizer note), deterministic for a seed on every machine. Weights have a trained-
// looking shape: expert RMS rises with depth and dips at the last layer (the paper's Figure 2), experts differ.
import { expectedTensors, type FamilyTable } from '../families/index';
import { addNormal, makeStream } from '../rng/index';
import { DTYPES, encodeFromFloat32, writeCheckpoint, type OutTensor } from '../safetensors/index';
import type { CheckpointSource, DType, TensorRef } from '../safetensors/types';
import { BYTE_SPECIALS, tinyConfig, tinyFamily, type TinyMoeOptions } from './tinyConfig';

export { tinyConfig, tinyFamily, BYTE_SPECIALS, type TinyMoeOptions };

export interface TinyWriteOptions extends TinyMoeOptions {
  dtype?: 'F32' | 'F16' | 'BF16';
  seed?: number;
  /** Base init std of matrices (default 0.02). */
  std?: number;
  shardBytes?: number;
  overwrite?: boolean;
  /** Leave config.json out (to test detection from names). */
  omitConfig?: boolean;
}

export interface TinyTensorSpec {
  name: string;
  shape: number[];
  /** `ones` for norm weights; `normal` with a std per slice along axis 0 (one per expert for fused tensors). */
  init: { kind: 'ones' } | { kind: 'normal'; std: number[] };
}

export interface TinyMoeSpec {
  family: FamilyTable;
  config: Record<string, unknown>;
  tensors: TinyTensorSpec[];
}

/** RMS multiplier of layer l's experts: low at the first layer, rising with depth, a dip at the last. */
export function depthProfile(l: number, numLayers: number): number {
  if (numLayers <= 1) return 1;
  const rise = 0.5 + (1.5 * Math.min(l, numLayers - 2)) / Math.max(1, numLayers - 2);
  return l === numLayers - 1 ? rise * 0.85 : rise;
}

// A fixed, seed-independent spread between experts (±15 %) so no two experts look alike.
function expertJitter(e: number): number {
  return 1 + 0.3 * (((e * 37 + 11) % 23) / 22 - 0.5);
}

export function tinyMoeSpec(o: TinyWriteOptions = {}): TinyMoeSpec {
  const family = tinyFamily(o);
  const config = tinyConfig(o);
  const std = o.std ?? 0.02;
  const L = config[family.layerCountKey] as number;
  const E = family.moe ? (config[family.moe.expertCountKey] as number) : 0;
  const tensors = expectedTensors(family, config).map(({ name, shape, cls }): TinyTensorSpec => {
    const isNorm = cls.role === 'norm' || cls.role === 'final_norm' || /norm\.weight$/.test(name);
    if (isNorm && shape.length === 1) return { name, shape, init: { kind: 'ones' } };
    const depth = cls.layer !== undefined ? depthProfile(Math.min(cls.layer, L - 1), L) : 1;
    if (cls.role === 'expert') {
      const s = std * depth;
      if (cls.fused) return { name, shape, init: { kind: 'normal', std: Array.from({ length: E }, (_, e) => s * expertJitter(e)) } };
      return { name, shape, init: { kind: 'normal', std: [s * expertJitter(cls.expert ?? 0)] } };
    }
    if (cls.role === 'shared_expert' || cls.role === 'dense_mlp') return { name, shape, init: { kind: 'normal', std: [std * depth] } };
    return { name, shape, init: { kind: 'normal', std: [std] } };
  });
  return { family, config: { ...config, torch_dtype: dtypeName(o.dtype ?? 'F32') }, tensors };
}

function dtypeName(d: 'F32' | 'F16' | 'BF16'): string {
  return d === 'F32' ? 'float32' : d === 'F16' ? 'float16' : 'bfloat16';
}

/** The float32 values of one tensor for a seed (streams are keyed by tensor name, so order never matters). */
export function tinyTensorValues(t: TinyTensorSpec, seed: number): Float32Array {
  const n = t.shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(n);
  if (t.init.kind === 'ones') return out.fill(1);
  const st = makeStream(seed, t.name);
  const slices = t.init.std.length;
  const per = n / slices;
  for (let s = 0; s < slices; s++) addNormal(out.subarray(s * per, (s + 1) * per), per, t.init.std[s], st, s * per, true);
  return out;
}

/** An in-memory CheckpointSource with the spec's tensors (byte ranges laid out as one file; no bytes behind them). */
export function tinyMoeSource(o: TinyWriteOptions = {}, root = '/memory/tiny'): CheckpointSource {
  const spec = tinyMoeSpec(o);
  const dtype: DType = o.dtype ?? 'F32';
  const file = `${root}/model.safetensors`;
  const tensors = new Map<string, TensorRef>();
  let offset = 0;
  for (const t of spec.tensors) {
    const byteLength = (t.shape.reduce((a, b) => a * b, 1) * DTYPES[dtype].bits) / 8;
    tensors.set(t.name, { name: t.name, dtype, shape: [...t.shape], file, offset, byteLength });
    offset += byteLength;
  }
  return {
    root, kind: 'folder', config: o.omitConfig ? null : spec.config, tensors, files: [file],
    metadata: new Map([[file, { format: 'pt' }]]), totalBytes: offset,
  };
}

export const TOKENIZER_NOTE = `# Byte-level tokenizer

Token ids 0-255 are the bytes of UTF-8 text; ${BYTE_SPECIALS.bos_token_id} is <bos>, ${BYTE_SPECIALS.eos_token_id} is <eos>,
${BYTE_SPECIALS.pad_token_id} is <pad>. There is no merge table: encoding is \`[...Buffer.from(text, 'utf8')]\`.
`;

/** Writes the tiny checkpoint to `dest` through the safetensors writer. */
export async function makeTinyMoe(dest: string, o: TinyWriteOptions = {}): Promise<{ dest: string; files: string[]; spec: TinyMoeSpec }> {
  const spec = tinyMoeSpec(o);
  const dtype: DType = o.dtype ?? 'F32';
  const seed = o.seed ?? 0;
  const tensors: OutTensor[] = spec.tensors.map((t) => {
    const numel = t.shape.reduce((a, b) => a * b, 1);
    const byteLength = (numel * DTYPES[dtype].bits) / 8;
    return {
      name: t.name, dtype, shape: [...t.shape], byteLength,
      // Generated when written, so a large fixture never sits in memory whole.
      async write(sink) {
        const bytes = new Uint8Array(byteLength);
        encodeFromFloat32(dtype, tinyTensorValues(t, seed), bytes, numel);
        await sink.write(bytes);
      },
    };
  });
  const generation = { _from_model_config: true, ...BYTE_SPECIALS, do_sample: false, max_new_tokens: 64 };
  const r = await writeCheckpoint(dest, {
    tensors,
    config: o.omitConfig ? null : spec.config,
    extraFiles: [
      { name: 'generation_config.json', content: JSON.stringify(generation, null, 2) + '\n' },
      { name: 'TOKENIZER.md', content: TOKENIZER_NOTE },
    ],
    metadata: { format: 'pt', graft_fixture: `${spec.family.id} seed ${seed}` },
    shardBytes: o.shardBytes,
    overwrite: o.overwrite,
  });
  return { dest: r.dest, files: r.files, spec };
}
