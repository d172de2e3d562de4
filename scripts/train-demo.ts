// Trains the demo checkpoint: the random init of scripts/make-demo.ts (regenerated here, so every run starts
// from the same weights) → `graft train` on data/corpus with a WSD schedule → the trained weights back into
// demo/tiny-mixtral (config and the generator's other files unchanged, one atomic folder swap through the
// safetensors writer) and a short checkpoint sequence in demo/tiny-mixtral-run/ (two constant-LR checkpoints,
// one mid-decay, the annealed final one; each with a run.json of tokens seen and sunk FLOPs) for the
// sunk-cost and grow-from-a-constant-LR-checkpoint demos (METHOD.md §5). Deterministic: the init, the batches
// (seeded) and the ORT thread count are fixed.
// Run: npx tsx scripts/train-demo.ts [--out DIR] [--steps N --batch B --seq T --lr X --threads K] [--keep-work]
//   --out DIR writes DIR/tiny-mixtral and DIR/tiny-mixtral-run instead of demo/ (for trying settings).
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { makeTinyMoe } from '../src/core/model/tinyMoe';
import { bufferTensor, byteLengthOf, encodeFromFloat32, writeCheckpoint, type DType } from '../src/core/safetensors/index';
import { TRAIN_DEFAULTS, type TrainConfig } from '../src/train/config';
import { loadTokens } from '../src/train/data';
import { evaluate, type EvalResult } from '../src/train/evaluate';
import { train } from '../src/train/loop';
import { loadModel, type LoadedModel } from '../src/train/model';
import { ckptName } from '../src/train/runDir';
import { lrAt, type Schedule } from '../src/train/schedules';

const ROOT = join(__dirname, '..');

/** The random init: exactly scripts/make-demo.ts's options (checked against the shipped config.json). */
export const DEMO_INIT = {
  family: 'mixtral', layers: 4, experts: 8, topK: 2, hidden: 64, intermediate: 128, heads: 4, kvHeads: 2,
  dtype: 'F32', seed: 20251009,
} as const;

export interface DemoOptions {
  /** Text folder (byte tokenizer; the last 10 % of its bytes, files in name order, is the validation split). */
  corpus: string;
  /** Folder receiving tiny-mixtral/ and tiny-mixtral-run/. */
  outDir: string;
  steps: number;
  batch: number;
  seq: number;
  lr: number;
  warmup: number;
  /** WSD: fraction of the steps in the final linear decay. */
  decayFrac: number;
  minLrRatio: number;
  seed: number;
  /** ORT intra-op threads (fixed, so runs are reproducible on one machine). */
  threads: number;
  /** dtype of the shipped run-sequence checkpoints (the shipped final model keeps the source's F32). */
  runDtype: DType;
  /** Validation batches per evaluation (of `evalBatch` × `seq` tokens); 0 = the whole split. */
  evalBatches: number;
  evalBatch: number;
  /** Validation loss in metrics.jsonl every this many steps (0 = never). */
  evalEvery: number;
  keepWork: boolean;
  log: (line: string) => void;
}

export const DEMO_DEFAULTS: Omit<DemoOptions, 'log'> = {
  corpus: join(ROOT, 'data', 'corpus'),
  outDir: join(ROOT, 'demo'),
  steps: 400, batch: 16, seq: 128, lr: 3e-3, warmup: 24, decayFrac: 0.25, minLrRatio: 0.1, seed: 1337, threads: 2,
  runDtype: 'BF16', evalBatches: 0, evalBatch: 8, evalEvery: 40, keepWork: false,
};

export interface ShippedCheckpoint {
  step: number;
  phase: 'stable' | 'decay' | 'annealed';
  dir: string;
  tokens: number;
  flops: number;
  lr: number;
  trainLoss: number | null;
  val: EvalResult;
}

export interface DemoResult {
  steps: number;
  seconds: number;
  tokensPerSecond: number;
  tokens: number;
  flops: number;
  activeParams: number;
  before: EvalResult;
  after: EvalResult;
  checkpoints: ShippedCheckpoint[];
  demoDir: string;
  runDir: string;
  bytes: { demo: number; run: number };
}

const gcd = (a: number, b: number): number => (b ? gcd(b, a % b) : a);

/** The steps whose checkpoints ship: half-way and the end of the constant-LR phase, mid-decay, the end. */
export function keptSteps(steps: number, decayFrac: number): number[] {
  const decayStart = steps - Math.round(steps * decayFrac);
  const keep = [Math.round(decayStart / 2), decayStart, decayStart + Math.round((steps - decayStart) / 2), steps];
  if (new Set(keep).size !== keep.length || keep[0] < 1) throw new Error(`steps ${steps} with decay fraction ${decayFrac} are too few for four distinct checkpoints`);
  return keep;
}

function folderBytes(dir: string): number {
  let n = 0;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const st = statSync(p);
    n += st.isDirectory() ? folderBytes(p) : st.size;
  }
  return n;
}

async function evalCkpt(path: string, val: Uint32Array, o: DemoOptions): Promise<EvalResult> {
  const model = await loadModel(path);
  return evaluate(model, model.params, val, { batch: o.evalBatch, seq: o.seq, batches: o.evalBatches, threads: o.threads });
}

/** Writes `params` with `model`'s tensor names in `dtype` through the safetensors writer (atomic folder write). */
async function writeWeights(dest: string, model: LoadedModel, dtype: DType | null, config: Record<string, unknown>, extra: { name: string; from?: string; content?: string }[], metadata: Record<string, string>): Promise<void> {
  const tensors = model.specs.map((s, i) => {
    const dt = dtype ?? model.dtypes[i];
    const bytes = new Uint8Array(byteLengthOf(dt, s.shape, { tensor: s.name }));
    encodeFromFloat32(dt, model.params[i], bytes, model.params[i].length);
    return bufferTensor(s.name, dt, s.shape, bytes);
  });
  await writeCheckpoint(dest, { tensors, config, extraFiles: extra, metadata: { format: 'pt', ...metadata }, overwrite: true });
}

/** Replaces folder `dest` by `staged` (a sibling) with renames: readers see the old folder or the new one. */
function swapIn(staged: string, dest: string): void {
  if (!existsSync(dest)) {
    renameSync(staged, dest);
    return;
  }
  const old = `${staged}-old`;
  renameSync(dest, old);
  renameSync(staged, dest);
  rmSync(old, { recursive: true, force: true });
}

export async function trainDemo(opts: Partial<DemoOptions> = {}): Promise<DemoResult> {
  const o: DemoOptions = { ...DEMO_DEFAULTS, log: (l) => process.stdout.write(l + '\n'), ...opts };
  const demoDir = join(o.outDir, 'tiny-mixtral');
  const runDir = join(o.outDir, 'tiny-mixtral-run');
  const keep = keptSteps(o.steps, o.decayFrac);
  const decayStart = keep[1];
  const saveEvery = keep.reduce(gcd);
  const work = mkdtempSync(join(tmpdir(), 'graft-train-demo-'));
  try {
    // 1. The random init, and a check that it is the checkpoint make-demo.ts ships (same config.json).
    const init = (await makeTinyMoe(join(work, 'init'), { ...DEMO_INIT, overwrite: true })).dest;
    const initConfigText = readFileSync(join(init, 'config.json'), 'utf8');
    if (existsSync(join(demoDir, 'config.json')) && readFileSync(join(demoDir, 'config.json'), 'utf8') !== initConfigText) {
      throw new Error(`${demoDir}/config.json differs from the init's: scripts/make-demo.ts and DEMO_INIT disagree`);
    }
    const data = loadTokens(o.corpus, TRAIN_DEFAULTS.valFraction);
    if (!o.evalBatches) o.evalBatches = Math.max(1, Math.floor(Math.floor((data.val.length - 1) / o.seq) / o.evalBatch));
    o.log(`corpus ${relative(ROOT, o.corpus) || o.corpus}: ${data.train.length + data.val.length} bytes, train ${data.train.length}, validation ${data.val.length} (the last ${TRAIN_DEFAULTS.valFraction * 100} %)`);
    const before = await evalCkpt(init, data.val, o);
    o.log(`validation loss before: ${before.loss.toFixed(4)} (perplexity ${before.perplexity.toFixed(2)}, ${before.tokens} tokens; ln 259 = ${Math.log(259).toFixed(4)})`);

    // 2. Train with the real engine.
    const cfg: TrainConfig = {
      ...TRAIN_DEFAULTS, checkpoint: init, data: o.corpus, out: join(work, 'run'),
      steps: o.steps, lr: o.lr, schedule: 'wsd', warmup: o.warmup, decayFrac: o.decayFrac, minLrRatio: o.minLrRatio,
      batch: o.batch, seq: o.seq, seed: o.seed, threads: o.threads, provider: 'cpu', dispatch: 'sparse',
      saveEvery, evalEvery: o.evalEvery, evalBatches: Math.max(1, Math.floor((o.evalBatches * o.evalBatch) / o.batch)),
    };
    const schedule: Schedule = { kind: 'wsd', lr: o.lr, totalSteps: o.steps, warmup: o.warmup, minLrRatio: o.minLrRatio, decayFrac: o.decayFrac };
    o.log(`training ${o.steps} steps × ${o.batch}×${o.seq} tokens, WSD lr ${o.lr} (warmup ${o.warmup}, decay from step ${decayStart}), seed ${o.seed}, ${o.threads} threads`);
    const t0 = performance.now();
    let lastLine = 0;
    const outcome = await train(cfg, {
      log: (line) => {
        const now = performance.now();
        if (now - lastLine > 10_000 || line.startsWith(`step ${o.steps}/`)) {
          lastLine = now;
          o.log(`  ${line}`);
        }
      },
    });
    const seconds = (performance.now() - t0) / 1000;
    if (outcome.status !== 'done') throw new Error(`training ended ${outcome.status} at step ${outcome.step}`);
    const run = JSON.parse(readFileSync(join(cfg.out, 'run.json'), 'utf8')) as Record<string, unknown> & { tokens: number; flops: number; activeParams: number };

    // 3. The trained weights into <out>/tiny-mixtral: the final checkpoint's F32 tensors, the init's config.json
    //    text (unchanged) and the generator's other files, as one atomic folder write.
    const finalCkpt = join(cfg.out, ckptName(o.steps));
    const final = await loadModel(finalCkpt);
    const initFiles = readdirSync(init).filter((n) => n !== 'config.json' && !n.endsWith('.safetensors') && !n.endsWith('.index.json'));
    const provenance = { graft_trained: `scripts/train-demo.ts: ${o.steps} steps WSD on data/corpus from the ${DEMO_INIT.seed} init`, graft_step: String(o.steps), graft_tokens: String(run.tokens) };
    await writeWeights(demoDir, final, null, JSON.parse(initConfigText) as Record<string, unknown>, initFiles.map((n) => ({ name: n, from: join(init, n) })), provenance);
    if (readFileSync(join(demoDir, 'config.json'), 'utf8') !== initConfigText) throw new Error('config.json changed on the way through the writer');
    const after = await evalCkpt(demoDir, data.val, o);
    o.log(`validation loss after:  ${after.loss.toFixed(4)} (perplexity ${after.perplexity.toFixed(2)}, ${after.tokens} tokens)`);

    // 4. The checkpoint sequence: staged beside <out>/tiny-mixtral-run, then swapped in.
    const staged = join(dirname(runDir), `.${basename(runDir)}.staging-${process.pid}`);
    rmSync(staged, { recursive: true, force: true });
    const checkpoints: ShippedCheckpoint[] = [];
    for (const step of keep) {
      const src = join(cfg.out, ckptName(step));
      const state = JSON.parse(readFileSync(join(src, 'state.json'), 'utf8')) as { step: number; tokens: number; flops: number; loss: number | null };
      const model = await loadModel(src);
      const phase: ShippedCheckpoint['phase'] = step === o.steps ? 'annealed' : step <= decayStart ? 'stable' : 'decay';
      const lastLr = lrAt(schedule, step - 1);
      const dest = join(staged, ckptName(step));
      const config = { ...(model.source.config as Record<string, unknown>), torch_dtype: o.runDtype === 'BF16' ? 'bfloat16' : o.runDtype === 'F16' ? 'float16' : 'float32' };
      const sunk = {
        step, phase, tokens: state.tokens, flops: state.flops, flopsFormula: '6 * N_active * tokens', activeParams: run.activeParams, activeParamsCountEmbeddings: true,
        lr: lastLr, peakLr: o.lr, trainLoss: state.loss, valLoss: null as number | null, schedule: 'wsd', decayStartStep: decayStart, totalSteps: o.steps,
        note: phase === 'stable' ? 'constant-LR checkpoint: grow from this one (METHOD.md §5)' : phase === 'decay' ? 'taken during the WSD learning-rate decay' : 'annealed: the end of the decay (the weights of demo/tiny-mixtral)',
      };
      await writeWeights(dest, model, o.runDtype, config, [{ name: 'run.json', content: JSON.stringify(sunk, null, 2) + '\n' }], { graft_step: String(step), graft_tokens: String(state.tokens) });
      const val = await evalCkpt(dest, data.val, o);
      sunk.valLoss = val.loss;
      writeFileSync(join(dest, 'run.json'), JSON.stringify(sunk, null, 2) + '\n');
      checkpoints.push({ step, phase, dir: join(runDir, ckptName(step)), tokens: state.tokens, flops: state.flops, lr: lastLr, trainLoss: state.loss, val });
      o.log(`  ${ckptName(step)} ${phase.padEnd(8)} lr ${lastLr.toExponential(2)}  tokens ${state.tokens}  FLOPs ${state.flops.toExponential(3)}  val loss ${val.loss.toFixed(4)}`);
    }
    writeFileSync(join(staged, 'metrics.jsonl'), readFileSync(join(cfg.out, 'metrics.jsonl')));
    const rel = (p: string) => relative(ROOT, p) || p;
    const runJson = {
      ...run,
      source: `${rel(demoDir)} random init (scripts/make-demo.ts, seed ${DEMO_INIT.seed})`,
      config: { ...(run.config as Record<string, unknown>), checkpoint: `${rel(demoDir)}@init`, data: rel(o.corpus), out: rel(runDir) },
      lastCheckpoint: ckptName(o.steps),
      shipped: {
        checkpoints: keep.map(ckptName), dtype: o.runDtype, dropped: ['optimizer.bin', 'state.json'],
        note: `every ${saveEvery} steps were saved; these four ship, in ${o.runDtype}, without the optimizer state (3× the weights in F32), so the run cannot be resumed. Regenerate with: npx tsx scripts/train-demo.ts`,
        wallSeconds: Math.round(seconds), tokensPerSecond: Math.round(outcome.tokensPerSecond),
        valLossBefore: before.loss, valLossAfter: after.loss,
      },
    };
    writeFileSync(join(staged, 'run.json'), JSON.stringify(runJson, null, 2) + '\n');
    swapIn(staged, runDir);

    const result: DemoResult = {
      steps: outcome.step, seconds, tokensPerSecond: outcome.tokensPerSecond, tokens: run.tokens, flops: run.flops, activeParams: run.activeParams,
      before, after, checkpoints, demoDir, runDir, bytes: { demo: folderBytes(demoDir), run: folderBytes(runDir) },
    };
    o.log(`done: ${result.steps} steps in ${seconds.toFixed(1)} s (${Math.round(result.tokensPerSecond)} tokens/s), ${result.tokens} tokens, ${result.flops.toExponential(3)} FLOPs`);
    o.log(`validation loss ${before.loss.toFixed(4)} → ${after.loss.toFixed(4)}; ${rel(demoDir)} ${(result.bytes.demo / 1e6).toFixed(2)} MB, ${rel(runDir)} ${(result.bytes.run / 1e6).toFixed(2)} MB`);
    return result;
  } finally {
    if (o.keepWork) o.log(`work folder kept: ${work}`);
    else rmSync(work, { recursive: true, force: true });
  }
}

function parseArgs(argv: string[]): Partial<DemoOptions> {
  const out: Partial<DemoOptions> = {};
  const nums = { '--steps': 'steps', '--batch': 'batch', '--seq': 'seq', '--lr': 'lr', '--warmup': 'warmup', '--threads': 'threads', '--seed': 'seed' } as const;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--out') out.outDir = resolve(argv[++i] ?? '');
    else if (a === '--keep-work') out.keepWork = true;
    else if (a in nums) {
      const v = Number(argv[++i]);
      if (!Number.isFinite(v)) throw new Error(`${a} needs a number`);
      out[nums[a as keyof typeof nums]] = v;
    } else throw new Error(`unknown argument ${a}`);
  }
  return out;
}

if (require.main === module) {
  Promise.resolve()
    .then(() => trainDemo(parseArgs(process.argv.slice(2))))
    .catch((e) => {
      process.stderr.write(`train-demo: ${(e as Error).message}\n`);
      process.exitCode = 1;
    });
}
