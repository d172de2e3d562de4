// The stats graphs are valid ONNX (onnx.checker with full_check, when Debian's python3-onnx is installed).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildStatsGraph } from '../../../src/engine/stats/statsGraph';

test('stats graphs pass onnx.checker.check_model(full_check=True)', (t) => {
  const py = '/usr/bin/python3';
  if (spawnSync(py, ['-c', 'import onnx'], { encoding: 'utf8' }).status !== 0) {
    t.skip('python3-onnx is not installed (apt-get install python3-onnx)');
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'graft-onnx-'));
  try {
    for (const v of ['fast', 'masked'] as const) {
      const p = join(dir, `${v}.onnx`);
      writeFileSync(p, buildStatsGraph(v));
      const r = spawnSync(py, ['-c', 'import onnx,sys; m=onnx.load(sys.argv[1]); onnx.checker.check_model(m, full_check=True); print(len(m.graph.node))', p], { encoding: 'utf8' });
      assert.equal(r.status, 0, `${v}: ${r.stderr}`);
      assert.ok(Number(r.stdout) >= 4);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
