// A huge checkpoint that costs almost no disk: real headers and a real index, with the data sections left as holes
// (ftruncate). Opening it exercises everything but tensor bytes at terabyte scale: offsets above 4 GB, tensors over
// 2 GB, 100+ shards, 100k+ tensors. Used by the tests and by bench/openSparse.bench.ts.
import { mkdir, open, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildHeader, type HeaderEntry } from './header';

export interface SparseCheckpointOptions {
  /** Shards, one decoder layer each (default 128). */
  shards?: number;
  /** Experts per layer, three matrices each (default 264). */
  experts?: number;
  /** Hidden size (default 1024) and expert width (default 5120): each expert matrix is bf16 [width, hidden]. */
  hidden?: number;
  width?: number;
  /** Vocabulary of the embedding and head, each its own tensor in the first and last shard (default 262,144 × 8192 bf16 = 4 GiB). */
  vocab?: number;
  embedDim?: number;
}

export interface SparseCheckpointInfo {
  dir: string;
  files: string[];
  tensorCount: number;
  totalBytes: number;
}

/** Writes a sparse Mixtral-layout checkpoint into `dir` (created): shards, index and config.json. */
export async function writeSparseCheckpoint(dir: string, o: SparseCheckpointOptions = {}): Promise<SparseCheckpointInfo> {
  const shards = o.shards ?? 128;
  const experts = o.experts ?? 264;
  const hidden = o.hidden ?? 1024;
  const width = o.width ?? 5120;
  const vocab = o.vocab ?? 262_144;
  const embedDim = o.embedDim ?? 8192;
  await mkdir(dir, { recursive: true });
  const bf16 = (name: string, shape: number[]): HeaderEntry => ({ name, dtype: 'BF16', shape, byteLength: shape.reduce((a, b) => a * b, 2) });
  const files: string[] = [];
  const weightMap: [string, string][] = [];
  let tensorCount = 0;
  let totalBytes = 0;
  for (let s = 0; s < shards; s++) {
    const entries: HeaderEntry[] = [];
    if (s === 0) entries.push(bf16('model.embed_tokens.weight', [vocab, embedDim]));
    const p = `model.layers.${s}.`;
    for (const n of ['q_proj', 'k_proj', 'v_proj', 'o_proj']) entries.push(bf16(`${p}self_attn.${n}.weight`, [hidden, hidden]));
    entries.push(bf16(`${p}input_layernorm.weight`, [hidden]), bf16(`${p}post_attention_layernorm.weight`, [hidden]));
    entries.push(bf16(`${p}block_sparse_moe.gate.weight`, [experts, hidden]));
    for (let e = 0; e < experts; e++) {
      const q = `${p}block_sparse_moe.experts.${e}.`;
      entries.push(bf16(`${q}w1.weight`, [width, hidden]), bf16(`${q}w2.weight`, [hidden, width]), bf16(`${q}w3.weight`, [width, hidden]));
    }
    if (s === shards - 1) entries.push(bf16('model.norm.weight', [embedDim]), bf16('lm_head.weight', [vocab, embedDim]));
    const name = `model-${String(s + 1).padStart(5, '0')}-of-${String(shards).padStart(5, '0')}.safetensors`;
    const file = join(dir, name);
    const header = buildHeader(entries, { format: 'pt' });
    const data = entries.reduce((a, e) => a + e.byteLength, 0);
    const fh = await open(file, 'w');
    try {
      await fh.write(header, 0, header.length, 0);
      await fh.truncate(header.length + data);
    } finally {
      await fh.close();
    }
    files.push(file);
    for (const e of entries) weightMap.push([e.name, name]);
    tensorCount += entries.length;
    totalBytes += data;
  }
  const index = { metadata: { total_size: totalBytes }, weight_map: Object.fromEntries(weightMap) };
  await writeFile(join(dir, 'model.safetensors.index.json'), JSON.stringify(index, null, 2));
  const config = {
    model_type: 'mixtral', architectures: ['MixtralForCausalLM'], hidden_size: hidden, intermediate_size: width,
    num_hidden_layers: shards, num_local_experts: experts, num_experts_per_tok: 2, vocab_size: vocab, torch_dtype: 'bfloat16',
  };
  await writeFile(join(dir, 'config.json'), JSON.stringify(config, null, 2));
  return { dir, files, tensorCount, totalBytes };
}
