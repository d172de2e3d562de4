// Opening a sparse >= 1 TB checkpoint (128 shards, 100k+ tensors) to its tree: openCheckpoint (which also validates
// every header rule and the index against the shards) then buildModelTree, vs a plain Python `json` script that only
// parses. Timed in-process (median of runs, warm and in a fresh process) and as whole processes: through tsx (the
// development setup) and as an esbuild bundle (what the CLI and the extension run). Target (TARGETS.md): < 1 s and
// >= 2x Python.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { buildModelTree } from '../src/core/model/buildTree';
import { openCheckpoint } from '../src/core/safetensors/checkpoint';
import { writeSparseCheckpoint } from '../src/core/safetensors/sparseCheckpoint';
import { BENCH_DATA, median, report, timeProcess } from './util';

const RUNS = 7;
const dir = join(BENCH_DATA, 'sparse-1tb');

async function child(): Promise<void> {
  const t0 = performance.now();
  const src = await openCheckpoint(dir);
  const t1 = performance.now();
  buildModelTree(src);
  console.log(src.tensors.size, src.totalBytes, (t1 - t0).toFixed(1), (performance.now() - t0).toFixed(1));
}

/** The child bundled like dist/cli.js (esbuild, one CommonJS file): whole-process time without tsx's loader. */
async function bundleChild(): Promise<string | null> {
  const out = join(BENCH_DATA, 'openSparse-child.cjs');
  try {
    const esbuild = await import('esbuild');
    await esbuild.build({ entryPoints: ['bench/openSparse.bench.ts'], outfile: out, bundle: true, platform: 'node', format: 'cjs', target: 'node20', logLevel: 'error', external: ['vscode', 'onnxruntime-node'] });
    return out;
  } catch (e) {
    console.log(`no bundled child: ${(e as Error).message}`);
    return null;
  }
}

async function main(): Promise<void> {
  if (!existsSync(join(dir, 'config.json'))) {
    const t = performance.now();
    const info = await writeSparseCheckpoint(dir);
    console.log(`generated ${info.files.length} sparse shards, ${info.tensorCount} tensors, ${(info.totalBytes / 1e12).toFixed(2)} TB in ${((performance.now() - t) / 1e3).toFixed(1)} s`);
  }
  const ours: number[] = [];
  const tree: number[] = [];
  let src = await openCheckpoint(dir); // warm the page cache and the JIT once
  buildModelTree(src);
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    src = await openCheckpoint(dir);
    const t1 = performance.now();
    buildModelTree(src);
    ours.push(t1 - t0);
    tree.push(performance.now() - t1);
  }
  const bundle = await bundleChild();
  const py: number[] = [];
  const pyProc: number[] = [];
  const nodeProc: number[] = [];
  const nodeChild: number[] = [];
  const nodeChildTree: number[] = [];
  const bundleProc: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const p = timeProcess('/usr/bin/python3', ['bench/open_headers.py', dir]);
    const [count, bytes, ms] = p.stdout.trim().split(/\s+/).map(Number);
    if (count !== src.tensors.size || bytes !== src.totalBytes) throw new Error(`python saw ${count} tensors, ${bytes} bytes`);
    py.push(ms);
    pyProc.push(p.seconds * 1e3);
    const n = timeProcess(process.execPath, ['--import', 'tsx', 'bench/openSparse.bench.ts', '--child']);
    const [, , open, withTree] = n.stdout.trim().split(/\s+/).map(Number);
    nodeChild.push(open);
    nodeChildTree.push(withTree);
    nodeProc.push(n.seconds * 1e3);
    if (bundle) bundleProc.push(timeProcess(process.execPath, [bundle, '--child']).seconds * 1e3);
  }
  const gb = src.totalBytes / 1e12;
  const m = (xs: number[]) => +median(xs).toFixed(1);
  const row = (what: string, measure: string, ours: number[], theirs: number[]) =>
    ({ what, measure, graft: m(ours), python_json: m(theirs), speedup: +(median(theirs) / median(ours)).toFixed(2) });
  report([
    row(`open ${src.files.length} shards, ${src.tensors.size} tensors, ${gb.toFixed(2)} TB`, 'in-process, warm (median ms)', ours, py),
    row('', 'in-process, fresh process (median ms)', nodeChild, py),
    row('', 'to its tree: open + buildModelTree, fresh process (median ms)', nodeChildTree, py),
    row('', 'whole process via tsx, open + tree (median ms)', nodeProc, pyProc),
    ...(bundle ? [row('', 'whole process, bundled like dist/cli.js, open + tree (median ms)', bundleProc, pyProc)] : []),
  ]);
  console.log(`buildModelTree alone, warm: median ${median(tree).toFixed(1)} ms`);
}

(process.argv.includes('--child') ? child() : main()).catch((e) => {
  console.error(e);
  process.exit(1);
});
