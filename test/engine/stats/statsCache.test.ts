// The per-file statistics cache: a second run reads no tensor bytes; a changed file or a corrupt entry is recomputed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeTinyMoe } from '../../../src/core/model/tinyMoe';
import { openCheckpoint } from '../../../src/core/safetensors/index';
import { computeCheckpointStats } from '../../../src/engine/stats/checkpointStats';
import { defaultStatsCacheDir, StatsCache } from '../../../src/engine/stats/statsCache';

const tmp = mkdtempSync(join(tmpdir(), 'graft-cache-'));
test.after(() => rmSync(tmp, { recursive: true, force: true }));

test('second run comes from the cache; changed and corrupt entries are recomputed', async () => {
  const dir = join(tmp, 'm');
  const { files } = await makeTinyMoe(dir, { family: 'olmoe', dtype: 'BF16', shardBytes: 500_000 });
  const shards = files.filter((f) => f.endsWith('.safetensors'));
  const cache = new StatsCache(join(tmp, 'cache'));
  const src = await openCheckpoint(dir);
  const first = await computeCheckpointStats(src, { cache });
  assert.equal(first.filesComputed, shards.length);
  assert.ok(first.bytesRead > 0);
  assert.equal(readdirSync(cache.dir).filter((f) => f.endsWith('.json')).length, shards.length);

  const second = await computeCheckpointStats(src, { cache });
  assert.equal(second.filesFromCache, shards.length);
  assert.equal(second.bytesRead, 0);
  assert.equal(second.provider, 'cpu');
  assert.deepEqual(second.tensors, first.tensors);

  // A new mtime invalidates one file; a corrupt entry is ignored.
  const later = new Date(Date.now() + 5000);
  utimesSync(shards[0], later, later);
  const entries = readdirSync(cache.dir).filter((f) => f.endsWith('.json'));
  writeFileSync(join(cache.dir, entries[entries.length - 1]), '{"format":"graft-stats-v1","key":');
  const third = await computeCheckpointStats(await openCheckpoint(dir), { cache });
  assert.ok(third.filesComputed >= 1 && third.filesComputed <= 2, `recomputed ${third.filesComputed}`);
  assert.equal(third.filesComputed + third.filesFromCache, shards.length);
  assert.deepEqual(third.tensors.map((t) => t.stats), first.tensors.map((t) => t.stats));
});

test('default cache dir follows XDG_CACHE_HOME', () => {
  assert.equal(defaultStatsCacheDir({ XDG_CACHE_HOME: '/x/c' }), '/x/c/graft/stats');
  assert.match(defaultStatsCacheDir({}), /\.cache\/graft\/stats$/);
});
