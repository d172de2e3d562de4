// A run directory: run.json (config, sunk compute for the planner), metrics.jsonl (one line per step/eval),
// and ckpt-NNNNNN/ checkpoints: a Hugging Face checkpoint (safetensors + config.json, the source's dtypes) plus
// optimizer.bin (float32 master parameters and AdamW moments) and state.json — everything a resume needs.
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TrainError } from '../core/errors';
import type { TrainState } from '../engine/model/runner';
import { saveModel, type LoadedModel } from './model';

export interface CheckpointState {
  step: number;
  tokens: number;
  flops: number;
  lr: number;
  loss: number | null;
}

export const CKPT_RE = /^ckpt-(\d{6,})$/;
export const ckptName = (step: number) => `ckpt-${String(step).padStart(6, '0')}`;

export function appendMetrics(dir: string, row: Record<string, unknown>): void {
  appendFileSync(join(dir, 'metrics.jsonl'), JSON.stringify(row) + '\n');
}

export function writeRunJson(dir: string, body: Record<string, unknown>): void {
  const tmp = join(dir, 'run.json.tmp');
  writeFileSync(tmp, JSON.stringify(body, null, 2) + '\n');
  renameSync(tmp, join(dir, 'run.json'));
}

export function readRunJson(dir: string): Record<string, unknown> {
  const p = join(dir, 'run.json');
  if (!existsSync(p)) throw new TrainError('train/resume', 'not a run directory (no run.json)', { file: dir, rule: 'resume from a graft train run' });
  return JSON.parse(readFileSync(p, 'utf8')) as Record<string, unknown>;
}

export function latestCheckpoint(dir: string): string | null {
  const names = existsSync(dir) ? readdirSync(dir).filter((n) => CKPT_RE.test(n) && existsSync(join(dir, n, 'state.json'))).sort() : [];
  return names.length ? join(dir, names[names.length - 1]) : null;
}

/** Writes a checkpoint atomically (a temporary folder renamed into place). */
export async function saveCheckpoint(dir: string, model: LoadedModel, state: TrainState, info: CheckpointState, signal?: AbortSignal): Promise<string> {
  const dest = join(dir, ckptName(info.step));
  const tmp = `${dest}.partial`;
  rmSync(tmp, { recursive: true, force: true });
  await saveModel(tmp, model, state.params, { metadata: { graft_step: String(info.step) }, signal });
  const parts = [...state.params, ...state.m, ...state.v];
  const total = parts.reduce((a, p) => a + p.byteLength, 0);
  const buf = new Uint8Array(total);
  let off = 0;
  for (const p of parts) {
    buf.set(new Uint8Array(p.buffer, p.byteOffset, p.byteLength), off);
    off += p.byteLength;
  }
  writeFileSync(join(tmp, 'optimizer.bin'), buf);
  writeFileSync(join(tmp, 'state.json'), JSON.stringify({ ...info, params: model.specs.map((s) => ({ name: s.name, shape: s.shape })) }, null, 2) + '\n');
  rmSync(dest, { recursive: true, force: true });
  renameSync(tmp, dest);
  return dest;
}

export function loadCheckpointState(ckpt: string, model: LoadedModel): { state: TrainState; info: CheckpointState } {
  const info = JSON.parse(readFileSync(join(ckpt, 'state.json'), 'utf8')) as CheckpointState & { params: { name: string; shape: number[] }[] };
  if (info.params.length !== model.specs.length || info.params.some((p, i) => p.name !== model.specs[i].name)) {
    throw new TrainError('train/resume', 'the checkpoint\'s parameters do not match the model', { file: ckpt, rule: 'resume the same model' });
  }
  const raw = readFileSync(join(ckpt, 'optimizer.bin'));
  const sizes = model.specs.map((s) => s.shape.reduce((a, b) => a * b, 1));
  const total = sizes.reduce((a, b) => a + b, 0);
  if (raw.byteLength !== 3 * 4 * total) throw new TrainError('train/resume', `optimizer.bin has ${raw.byteLength} bytes, expected ${12 * total}`, { file: join(ckpt, 'optimizer.bin'), rule: 'params + m + v in float32' });
  const all = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
  let off = 0;
  const take = () => sizes.map((n) => {
    const a = all.slice(off, off + n);
    off += n;
    return a;
  });
  const params = take();
  const m = take();
  const v = take();
  return { state: { params, m, v }, info };
}

export function ensureDir(dir: string): void {
  mkdirSync(dir, { recursive: true });
}
