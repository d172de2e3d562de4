// `graft norms SRC --recipe R`: the grown model's profile previewed beside the source's, nothing written.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { CliIO } from '../../src/cli/command';
import { main } from '../../src/cli/main';
import { makeTinyMoe } from '../../src/core/model/index';

const dir = mkdtempSync(join(tmpdir(), 'graft-norms-'));
const model = join(dir, 'tiny');
const cacheDir = join(dir, 'cache');
const depth = join(dir, 'depth.yaml');
const width = join(dir, 'width.yaml');
after(() => rmSync(dir, { recursive: true, force: true }));
before(async () => {
  await makeTinyMoe(model, { family: 'mixtral', layers: 3, hidden: 32, intermediate: 48, seed: 2 });
  writeFileSync(depth, 'schema: graft/recipe@1\nops:\n  - op: depth\n    method: interposition\n');
  writeFileSync(width, 'schema: graft/recipe@1\nseed: 4\nops:\n  - op: experts\n    alpha: 0.01\n');
});

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIO = { out: (t) => (out += t), err: (t) => (err += t), signal: new AbortController().signal, tty: false };
  const code = await main(argv, io);
  return { code, out, err };
}

describe('graft norms --recipe', () => {
  it('--json prints before and after profiles and per-tensor statistics', async () => {
    const r = await run('norms', model, '--recipe', depth, '--json', '--cache-dir', cacheDir);
    assert.equal(r.code, 0, r.err);
    const j = JSON.parse(r.out);
    assert.equal(j.before.layers.length, 3);
    assert.equal(j.after.layers.length, 6);
    for (const l of j.after.layers) assert.equal(l.values.experts, j.before.layers[Math.floor(l.layer / 2)].values.experts);
    assert.equal(j.tensors.after.length, j.counts.fromSource);
    assert.equal(j.counts.streamed, 0);
    assert.ok(j.tensors.after.some((t: { name: string }) => t.name === 'model.layers.5.block_sparse_moe.experts.7.w2.weight'));
    // The second run reads the source statistics from the cache; nothing was written beside the model.
    const again = JSON.parse((await run('norms', model, '-r', depth, '--json', '--cache-dir', cacheDir)).out);
    assert.equal(again.run.filesFromCache, 1);
    assert.deepEqual(readdirSync(dir).sort(), ['cache', 'depth.yaml', 'tiny', 'width.yaml']);
  });

  it('prints a before/after table and CSV; noised expert copies are generated', async () => {
    const t = await run('norms', model, '--recipe', width, '--no-cache');
    assert.equal(t.code, 0, t.err);
    assert.match(t.out, /mixtral 3 layers → mixtral 3 layers/);
    assert.match(t.out, /\d+ generated; nothing written/);
    assert.match(t.out, /layer\s+experts before\s+experts after/);
    const csv = await run('norms', model, '--recipe', depth, '--csv', '--kind', 'experts', '--no-cache');
    const lines = csv.out.trim().split('\n');
    assert.equal(lines[0], 'model,layer,experts');
    assert.equal(lines.filter((l) => l.startsWith('before,')).length, 3);
    assert.equal(lines.filter((l) => l.startsWith('after,')).length, 6);
  });

  it('--svg draws the overlay', async () => {
    const svg = join(dir, 'chart.svg');
    const r = await run('norms', model, '--recipe', depth, '--svg', svg, '--no-cache');
    assert.equal(r.code, 0, r.err);
    assert.ok(existsSync(svg));
    const text = readFileSync(svg, 'utf8');
    assert.match(text, /series-before/);
    assert.match(text, /series-after/);
    rmSync(svg);
  });
});
