import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { makeTinyMoe } from '../../src/core/model/tinyMoe';

const dir = mkdtempSync(join(tmpdir(), 'graft-cli-diff-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const env = { ...process.env, GRAFT_FROM_SOURCE: '1' };
const graft = (...args: string[]) => spawnSync(process.execPath, ['bin/graft.js', ...args], { env, encoding: 'utf8' });

test('graft diff reports added and reshaped tensors and the relative noise std of copies', async () => {
  await makeTinyMoe(join(dir, 'a'), { family: 'mixtral', dtype: 'F32', layers: 1 });
  assert.equal(graft('grow', 'experts', '--alpha', '0.02', '--placement', 'append', join(dir, 'a'), '-o', join(dir, 'b')).status, 0);
  const r = graft('diff', join(dir, 'a'), join(dir, 'b'), '--json');
  assert.equal(r.status, 0, r.stderr);
  const d = JSON.parse(r.stdout);
  assert.equal(d.added.length, 8 * 3);
  assert.deepEqual(d.changed.map((c: { name: string }) => c.name), ['model.layers.0.block_sparse_moe.gate.weight']);
  assert.equal(d.removed.length, 0);
  assert.equal(d.compared.length, 0, 'originals unchanged');
  // B was grown by Graft from A: each added expert is paired with its original, the router rows with theirs.
  assert.equal(d.pairing.by, 'source header hash');
  const noised = d.pairs.filter((p: { kind: string }) => p.kind === 'noise');
  assert.equal(noised.length, 8 * 3);
  for (const p of noised) {
    assert.equal(p.source, p.name.replace(/experts\.(\d+)\./, (_: string, e: string) => `experts.${Number(e) - 8}.`));
    assert.ok(Math.abs(p.relNoiseStd - 0.02) < 0.02 * 0.2, `${p.name}: ${p.relNoiseStd}`);
  }
  const text = graft('diff', join(dir, 'a'), join(dir, 'b'));
  assert.match(text.stdout, /copies of source tensors .*: 24 noised \(relative noise std 0\.0\d{3} median, α = 0\.02\), 1 router slices/);
  const all = graft('diff', join(dir, 'a'), join(dir, 'b'), '--all');
  assert.match(all.stdout, /experts\.8\.w1\.weight ← model\.layers\.0\.block_sparse_moe\.experts\.0\.w1\.weight  noise/);
  // Copy 8+e of expert e vs expert e itself: rename B's copy to compare through the same command.
  const same = graft('diff', join(dir, 'a'), join(dir, 'a'), '--json');
  assert.equal(JSON.parse(same.stdout).identical > 0, true);
  assert.match(JSON.parse(same.stdout).pairsSkipped, /no graft-recipe\.yaml/);
  assert.match(graft('diff', join(dir, 'a'), join(dir, 'a')).stdout, /pairing with sources skipped: B has no graft-recipe\.yaml/);
});
