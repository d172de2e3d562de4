// Opening a sparse >= 1 TB checkpoint (128 shards, 100k+ tensors) to its tensor table: openCheckpoint (which also
// validates every header rule and the index against the shards) vs a plain Python `json` script that only parses.
// Both are timed in-process (median of runs) and as whole processes. Target (TARGETS.md): < 1 s and >= 2x Python.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { openCheckpoint } from '../src/core/safetensors/checkpoint';
import { writeSparseCheckpoint } from '../src/core/safetensors/sparseCheckpoint';
import { BENCH_DATA, median, report, timeProcess } from './util';

const RUNS = 7;
const dir = join(BENCH_DATA, 'sparse-1tb');

async function child(): Promise<void> {
  const t0 = performance.now();
  const src = await openCheckpoint(dir);
  console.log(src.tensors.size, src.totalBytes, (performance.now() - t0).toFixed(1));
}

async function main(): Promise<void> {
  if (!existsSync(join(dir, 'config.json'))) {
    const t = performance.now();
    const info = await writeSparseCheckpoint(dir);
    console.log(`generated ${info.files.length} sparse shards, ${info.tensorCount} tensors, ${(info.totalBytes / 1e12).toFixed(2)} TB in ${((performance.now() - t) / 1e3).toFixed(1)} s`);
  }
  const ours: number[] = [];
  let src = await openCheckpoint(dir); // warm the page cache and the JIT once
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    src = await openCheckpoint(dir);
    ours.push(performance.now() - t0);
  }
  const py: number[] = [];
  const pyProc: number[] = [];
  const nodeProc: number[] = [];
  const nodeChild: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const p = timeProcess('/usr/bin/python3', ['bench/open_headers.py', dir]);
    const [count, bytes, ms] = p.stdout.trim().split(/\s+/).map(Number);
    if (count !== src.tensors.size || bytes !== src.totalBytes) throw new Error(`python saw ${count} tensors, ${bytes} bytes`);
    py.push(ms);
    pyProc.push(p.seconds * 1e3);
    const n = timeProcess(process.execPath, ['--import', 'tsx', 'bench/openSparse.bench.ts', '--child']);
    nodeChild.push(Number(n.stdout.trim().split(/\s+/)[2]));
    nodeProc.push(n.seconds * 1e3);
  }
  const gb = src.totalBytes / 1e12;
  report([
    { what: `open ${src.files.length} shards, ${src.tensors.size} tensors, ${gb.toFixed(2)} TB`, measure: 'in-process, warm (median ms)', graft: +median(ours).toFixed(1), python_json: +median(py).toFixed(1), speedup: +(median(py) / median(ours)).toFixed(2) },
    { what: '', measure: 'in-process, fresh process (median ms)', graft: +median(nodeChild).toFixed(1), python_json: +median(py).toFixed(1), speedup: +(median(py) / median(nodeChild)).toFixed(2) },
    { what: '', measure: 'whole process incl. startup (median ms)', graft: +median(nodeProc).toFixed(0), python_json: +median(pyProc).toFixed(0), speedup: +(median(pyProc) / median(nodeProc)).toFixed(2) },
  ]);
}

(process.argv.includes('--child') ? child() : main()).catch((e) => {
  console.error(e);
  process.exit(1);
});
