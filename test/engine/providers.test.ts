// Providers: CPU by default; WebGPU on a software Vulkan driver (scripts/setup-vulkan.sh) gives the CPU's numbers;
// with no adapter the session falls back to CPU and says why. WebGPU runs in child processes (one adapter per process).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createSession } from '../../src/engine/session';
import { candidates, isProviderChoice } from '../../src/engine/providers';
import { buildStatsGraph } from '../../src/engine/stats/statsGraph';
import { ChunkReducer } from '../../src/engine/stats/chunkReducer';
import { finalizeStats } from '../../src/core/stats/finalize';
import { gaussianValues } from './fixtures/values';

const probe = join(__dirname, 'fixtures', 'statsProbe.ts');

function runProbe(provider: string, env: NodeJS.ProcessEnv): { provider: string; fallbackReason: string | null; moments: Parameters<typeof finalizeStats>[0] } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', probe, provider], { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, `probe failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

async function cpuReference() {
  const r = await ChunkReducer.create({ provider: 'cpu' });
  try {
    const x = gaussianValues(100_000, 0.25, 0.5, 42);
    x[10] = NaN;
    x[20] = -Infinity;
    return await r.reduce(x);
  } finally {
    await r.dispose();
  }
}

test('cpu sessions report their provider and release', async () => {
  const made = await createSession(buildStatsGraph('fast'), { provider: 'cpu', label: 'stats' });
  assert.equal(made.provider, 'cpu');
  assert.equal(made.fallbackReason, undefined);
  assert.deepEqual([...made.session.inputNames], ['x', 'k']);
  await made.session.dispose();
  await assert.rejects(made.session.run({}), /disposed/);
  assert.deepEqual(candidates('webgpu'), ['webgpu', 'cpu']);
  assert.ok(isProviderChoice('auto') && !isProviderChoice('metal'));
});

test('cuda without its libraries falls back to cpu with the reason', async () => {
  const made = await createSession(buildStatsGraph('fast'), { provider: 'cuda', label: 'stats' });
  try {
    assert.equal(made.provider, 'cpu');
    assert.match(made.fallbackReason ?? '', /cuda/i);
  } finally {
    await made.session.dispose();
  }
});

test('webgpu without an adapter falls back to cpu with the reason', () => {
  const got = runProbe('webgpu', { VK_ICD_FILENAMES: '/nonexistent/icd.json' });
  assert.equal(got.provider, 'cpu');
  assert.match(got.fallbackReason ?? '', /webgpu: .*adapter/i);
});

test('webgpu on a software Vulkan driver matches cpu', async (t) => {
  const icd = join(__dirname, '..', '..', '.cache', 'vulkan', 'lvp_icd.json');
  if (!existsSync(icd)) {
    t.skip('no software Vulkan driver: run scripts/setup-vulkan.sh');
    return;
  }
  const got = runProbe('webgpu', { VK_ICD_FILENAMES: icd });
  assert.equal(got.provider, 'webgpu', `fell back: ${got.fallbackReason}`);
  const a = finalizeStats(got.moments), b = finalizeStats(await cpuReference());
  assert.equal(a.count, b.count);
  assert.equal(a.nanCount, 1);
  assert.equal(a.infCount, 1);
  assert.equal(a.min, b.min);
  assert.equal(a.max, b.max);
  for (const k of ['mean', 'std', 'rms'] as const) assert.ok(Math.abs(a[k]! - b[k]!) <= 1e-5 * Math.abs(b[k]!), `${k}: ${a[k]} vs ${b[k]}`);
});
