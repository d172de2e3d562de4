// Shared by the growth tests: tiny checkpoints in temp folders, grown through the real plan builder and executor.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { buildGrowthPlan, executeGrowthPlan, validateRecipe, type GrowthPlan } from '../../../src/core/growth/index';
import { makeTinyMoe, type TinyWriteOptions } from '../../../src/core/model/tinyMoe';
import { FilePool, openCheckpoint, readTensorBytes, readTensorFloat32, type CheckpointSource } from '../../../src/core/safetensors/index';

export function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'graft-growth-'));
  after(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

export async function tiny(dir: string, name: string, o: TinyWriteOptions): Promise<CheckpointSource> {
  await makeTinyMoe(join(dir, name), o);
  return openCheckpoint(join(dir, name));
}

export function recipe(ops: unknown[], seed = 0) {
  return validateRecipe({ schema: 'graft/recipe@1', seed, ops });
}

export async function grow(src: CheckpointSource, ops: unknown[], dest: string, opts: { seed?: number; chunkBytes?: number } = {}): Promise<{ plan: GrowthPlan; out: CheckpointSource }> {
  const plan = buildGrowthPlan(src, recipe(ops, opts.seed ?? 0));
  await executeGrowthPlan(plan, dest, { chunkBytes: opts.chunkBytes });
  return { plan, out: await openCheckpoint(dest) };
}

export class Reader {
  readonly pool = new FilePool();
  constructor() {
    after(() => this.pool.close());
  }
  bytes(c: CheckpointSource, name: string): Promise<Uint8Array> {
    const r = c.tensors.get(name);
    if (!r) throw new Error(`no tensor ${name} in ${c.root}`);
    return readTensorBytes(this.pool, r);
  }
  f32(c: CheckpointSource, name: string): Promise<Float32Array> {
    const r = c.tensors.get(name);
    if (!r) throw new Error(`no tensor ${name} in ${c.root}`);
    return readTensorFloat32(this.pool, r);
  }
}

export function std(x: ArrayLike<number>, ddof = 0): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i];
  const m = s / x.length;
  let v = 0;
  for (let i = 0; i < x.length; i++) v += (x[i] - m) ** 2;
  return Math.sqrt(v / (x.length - ddof));
}
