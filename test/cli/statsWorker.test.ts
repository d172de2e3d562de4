// The norm-profile worker's job, run in-process on the demo checkpoint: the plain profile, then depth growth's
// preview (interposition keeps the order, stack repeats the whole profile), and the results as the charts panel
// sends them, through the protocol's validators; in a real worker thread, cancellation ends the job.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runStatsJob, type StatsJobResult } from '../../src/cli/statsWorker';
import { CancelledError } from '../../src/core/errors';
import { ProtocolViolation, parseChartsFromWebview, parseChartsToWebview } from '../../src/protocol';

const DEMO = join(__dirname, '..', '..', 'demo', 'tiny-mixtral');
const cacheDir = mkdtempSync(join(tmpdir(), 'graft-stats-worker-'));
const job = (ops?: Parameters<typeof runStatsJob>[0]['ops']) =>
  runStatsJob({ path: DEMO, provider: 'cpu', cacheDir, ...(ops ? { ops } : {}) }, new AbortController().signal, () => undefined);
const experts = (r: StatsJobResult, which: 'before' | 'after') => r[which]!.layers.map((l) => l.values.experts);

describe('statsWorker job', () => {
  after(() => rmSync(cacheDir, { recursive: true, force: true }));

  it('computes the demo\'s 4-layer profile, then answers from the cache', async () => {
    const first = await job();
    assert.equal(first.before.layers.length, 4);
    assert.equal(first.after, undefined);
    assert.equal(first.run.provider, 'cpu');
    assert.ok(first.before.layers.every((l) => l.perExpert?.length === 8));
    const again = await job();
    assert.equal(again.run.filesComputed, 0);
    assert.equal(again.run.filesFromCache, 1);
    assert.deepEqual(again.before, first.before);
  });

  it('previews depth growth: interposition doubles each layer in place, stack repeats the profile', async () => {
    const inter = await job([{ op: 'depth', method: 'interposition', factor: 2 }]);
    assert.deepEqual(inter.layerMap, [0, 0, 1, 1, 2, 2, 3, 3]);
    const src = experts(inter, 'before');
    assert.deepEqual(experts(inter, 'after'), src.flatMap((v) => [v, v]));
    const stack = await job([{ op: 'depth', method: 'stack', factor: 2 }]);
    assert.deepEqual(stack.layerMap, [0, 1, 2, 3, 0, 1, 2, 3]);
    assert.deepEqual(experts(stack, 'after'), [...src, ...src]);
  });

  it('results pass the charts protocol as the panel sends them', async () => {
    const r = await job([{ op: 'depth', method: 'interposition', factor: 2 }]);
    const message = { type: 'charts/data', title: 'tiny-mixtral', uri: 'file:///x/model.safetensors', caption: 'statistics on cpu',
      data: { before: r.before, after: r.after, pendingLabel: 'Grow depth ×2 (interposition)', layerMap: r.layerMap } };
    assert.deepEqual(parseChartsToWebview(JSON.parse(JSON.stringify(message))), message);
    const broken = JSON.parse(JSON.stringify(message));
    broken.data.after.layers[3].values.experts = 'big';
    assert.throws(() => parseChartsToWebview(broken), /data\.after\.layers\[3\]\.values\.experts/);
  });

  it('checks what the charts webview sends', () => {
    assert.deepEqual(parseChartsFromWebview({ type: 'charts/state', state: { kind: 'attention', view: 'heatmap' } }),
      { type: 'charts/state', state: { kind: 'attention', view: 'heatmap' } });
    assert.equal(parseChartsFromWebview({ type: 'charts/export', format: 'png', data: 'data:image/png;base64,AAAA' }).type, 'charts/export');
    for (const bad of [{ type: 'charts/state', state: { kind: 'weights', view: 'profile' } }, { type: 'charts/export', format: 'pdf', data: '' },
      { type: 'charts/export', format: 'png', data: 'https://example.com/x.png' }, { type: 'charts/export', format: 'svg', data: '<script>' },
      { type: 'charts/export', format: 'csv', data: 'x'.repeat(33 * 1024 * 1024) }, { type: 'model/show' }]) {
      assert.throws(() => parseChartsFromWebview(bad), ProtocolViolation, JSON.stringify(bad).slice(0, 80));
    }
  });

  it('stops when cancelled', async () => {
    const abort = new AbortController();
    abort.abort();
    await assert.rejects(runStatsJob({ path: DEMO, provider: 'cpu', cacheDir: mkdtempSync(join(tmpdir(), 'graft-stats-cancel-')) }, abort.signal, () => undefined),
      (err: unknown) => err instanceof CancelledError || (err as Error).name === 'CancelledError' || (err as Error).name === 'AbortError');
  });
});
