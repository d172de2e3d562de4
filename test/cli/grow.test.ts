import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { makeTinyMoe } from '../../src/core/model/tinyMoe';

const dir = mkdtempSync(join(tmpdir(), 'graft-cli-grow-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const env = { ...process.env, GRAFT_FROM_SOURCE: '1' };
const graft = (...args: string[]) => spawnSync(process.execPath, ['bin/graft.js', ...args], { env, encoding: 'utf8' });

test('graft plan previews without writing; --json carries the verdict and counts', async () => {
  await makeTinyMoe(join(dir, 'src'), { family: 'mixtral', dtype: 'BF16', layers: 2 });
  writeFileSync(join(dir, 'r.yaml'), 'schema: graft/recipe@1\nseed: 1\nops:\n  - op: depth\n    method: interposition\n  - op: experts\n    alpha: 0\n');
  const before = readdirSync(dir).sort();
  const r = graft('plan', join(dir, 'src'), '--recipe', join(dir, 'r.yaml'), '--json');
  assert.equal(r.status, 0, r.stderr);
  const p = JSON.parse(r.stdout);
  assert.deepEqual(p.layerMap, [0, 0, 1, 1]);
  assert.deepEqual(p.experts, { before: 8, after: 16, topKBefore: 2, topKAfter: 4 });
  assert.equal(p.functionPreserved.preserved, false);
  assert.ok(p.after.activeParams < p.after.params);
  assert.deepEqual(readdirSync(dir).sort(), before);
  const badRecipe = join(dir, 'bad.yaml');
  writeFileSync(badRecipe, 'schema: graft/recipe@1\nops:\n  - op: experts\n    sigma: rows\n');
  const e = graft('plan', join(dir, 'src'), '--recipe', badRecipe);
  assert.equal(e.status, 4);
  assert.match(e.stderr, /ops\[0\]\.sigma/);
});

test('graft grow experts writes a checkpoint; graft grow depth refuses an existing destination', () => {
  const r = graft('grow', 'experts', '--factor', '2', '--alpha', '0.01', '--seed', '0', join(dir, 'src'), '-o', join(dir, 'wide'));
  assert.equal(r.status, 0, r.stderr);
  assert.ok(existsSync(join(dir, 'wide', 'config.json')));
  const again = graft('grow', 'depth', '--method', 'stack', join(dir, 'src'), '-o', join(dir, 'wide'));
  assert.notEqual(again.status, 0);
});

test('a grow killed with SIGKILL leaves no destination folder', async () => {
  await makeTinyMoe(join(dir, 'big'), { family: 'mixtral', dtype: 'BF16', layers: 4, hidden: 256, intermediate: 1024 });
  const dest = join(dir, 'killed');
  const child = spawn(process.execPath, ['bin/graft.js', 'grow', 'experts', '--alpha', '0.01', '--chunk-mb', '0.25', join(dir, 'big'), '-o', dest], { env, stdio: 'ignore' });
  // Wait until the writer's temp folder exists: the process is mid-write.
  const t0 = Date.now();
  while (!readdirSync(dir).some((n) => n.startsWith('.killed.graft-tmp')) && Date.now() - t0 < 60_000) await new Promise((r) => setTimeout(r, 10));
  assert.ok(readdirSync(dir).some((n) => n.startsWith('.killed.graft-tmp')), 'grow never started writing');
  child.kill('SIGKILL');
  await new Promise((r) => child.on('exit', r));
  assert.equal(existsSync(dest), false);
});

test('SIGTERM cancels cleanly: exit 130, no destination, no temp folder', async () => {
  const dest = join(dir, 'termed');
  const child = spawn(process.execPath, ['bin/graft.js', 'grow', 'experts', '--alpha', '0.01', '--chunk-mb', '0.25', join(dir, 'big'), '-o', dest], { env, stdio: 'ignore' });
  const t0 = Date.now();
  while (!readdirSync(dir).some((n) => n.startsWith('.termed.graft-tmp')) && Date.now() - t0 < 60_000) await new Promise((r) => setTimeout(r, 10));
  child.kill('SIGTERM');
  const code = await new Promise((r) => child.on('exit', (c) => r(c)));
  assert.equal(code, 130);
  assert.equal(existsSync(dest), false);
  assert.equal(readdirSync(dir).some((n) => n.startsWith('.termed.graft-tmp')), false);
});
