// Shared test helpers: temp folders that are always removed, hand-made (possibly malformed) safetensors files, and
// an assertion that a promise rejects with a SafetensorsError for one rule of rules.ts.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SafetensorsError } from '../../../src/core/errors';
import { RULES, type RuleId } from '../../../src/core/safetensors/rules';

export async function withTmp<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'graft-st-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Writes 8-byte length + `header` (a JSON value or raw text/bytes) + `data`. */
export async function writeRaw(path: string, header: unknown, data: Uint8Array = new Uint8Array(0), lengthOverride?: bigint): Promise<void> {
  const json = typeof header === 'string' ? Buffer.from(header, 'utf8') : header instanceof Uint8Array ? Buffer.from(header) : Buffer.from(JSON.stringify(header));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(lengthOverride ?? BigInt(json.length));
  await writeFile(path, Buffer.concat([len, json, data]));
}

export async function expectRule(p: Promise<unknown>, rule: RuleId, details: { file?: string; tensor?: string } = {}): Promise<SafetensorsError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  assert.ok(err instanceof SafetensorsError, `expected SafetensorsError for ${rule}, got ${err === undefined ? 'success' : String(err)}`);
  assert.equal(err.code, RULES[rule][0], err.message);
  assert.equal(err.details.rule, RULES[rule][1]);
  if (details.file !== undefined) assert.equal(err.details.file, details.file);
  if (details.tensor !== undefined) assert.equal(err.details.tensor, details.tensor);
  return err;
}

/** A deterministic generator (mulberry32) so fuzz cases and random data are reproducible. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomBytes(n: number, seed: number): Uint8Array {
  const r = rng(seed);
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = Math.floor(r() * 256);
  return b;
}
