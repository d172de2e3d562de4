// Verifying function preservation with a forward pass (METHOD.md §2: "A tool should say, per model, whether the
// chosen settings preserve the function, and verify it with a forward pass"). The plan is executed into a temporary
// folder (removed afterwards); source and grown model run the same deterministic token batch through the forward
// graph (buildForwardGraph: logits + losses) on the same provider, and the logits are compared:
//   verified 'preserved'   max |Δlogit| ≤ 1e-4 · max |logit of the source|  (float32 graphs)
//   verified 'changed'     otherwise (also when any logit is NaN/Inf)
//   verified 'unsupported' the source or grown family has no forward model here (never a silent pass)
// Memory: both models are held in float32 at once; meant for the models the training engine can run.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { FamilyError, TrainError, throwIfAborted } from '../core/errors';
import { buildGrowthPlan, executeGrowthPlan, type GrowthPlan, type Recipe } from '../core/growth/index';
import { openCheckpoint } from '../core/safetensors/index';
import { buildForwardGraph } from '../engine/model/graphs';
import type { Dispatch } from '../engine/model/moe';
import { SUPPORTED_FAMILIES } from '../engine/model/config';
import type { Provider, ProviderChoice } from '../engine/providers';
import { createSession } from '../engine/session';
import { checkVocab, loadTokens } from './data';
import { loadModel, type LoadedModel } from './model';

/** Relative tolerance on max |Δlogit| (against max |logit| of the source). */
export const VERIFY_REL_TOL = 1e-4;
export const VERIFY_DEFAULT_TOKENS = 64;

export interface VerifyOptions {
  /** Tokens fed (one sequence; N + 1 tokens are drawn so the loss has a target for each). Default 64. */
  tokens?: number;
  /** Seed of the random token batch (default 0); ignored with `data`. */
  seed?: number;
  /** Token source instead of random tokens: the first N + 1 tokens of this data (as `graft eval --data`). */
  data?: string;
  provider?: ProviderChoice;
  threads?: number;
  /** Expert dispatch of the forward graph (default sparse, as `graft eval`). */
  dispatch?: Dispatch;
  signal?: AbortSignal;
  /** The plan, when the caller has built it already (must be of `src` and `recipe`). */
  plan?: GrowthPlan;
  /** Where the temporary grown checkpoint goes (default the OS temp folder). */
  tmpDir?: string;
}

export interface VerifyResult {
  /** The plan's rule-based verdict (functionPreserved.preserved) and its reasons. */
  preservedByRule: boolean;
  reasons: string[];
  verified: 'preserved' | 'changed' | 'unsupported';
  /** One line: "verified preserved", "not preserved (Δ = …)" or "cannot verify: …". */
  message: string;
  /** null when unsupported. NaN when a logit was not finite. */
  maxAbsDiff: number | null;
  meanAbsDiff: number | null;
  /** max |logit| of the source; the tolerance is VERIFY_REL_TOL times it. */
  maxAbsLogit: number | null;
  tolerance: number | null;
  /** Mean next-token cross-entropy of each model on the batch. */
  lossBefore: number | null;
  lossAfter: number | null;
  /** The provider both forwards ran on (null when unsupported). */
  provider: Provider | null;
  fallbackReason?: string;
  family: string;
  tokens: number;
  tokenSource: 'random' | 'data';
  seed: number;
}

/** Deterministic tokens in [0, vocab) from a seed (mulberry32: integer math, the same on every machine). */
export function randomTokens(n: number, vocab: number, seed: number): Uint32Array {
  let a = seed >>> 0;
  const out = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    const u = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    out[i] = Math.floor(u * vocab);
  }
  return out;
}

function unsupportedMessage(err: FamilyError, family: string): string {
  if (err.code === 'family') return `cannot verify: family ${family} has no forward model (forward supports ${SUPPORTED_FAMILIES.join(', ')})`;
  return `cannot verify: family ${family}: ${err.message.split('\n')[0]}`;
}

/** loadModel, or the reason it cannot be verified when the family/config has no forward model. */
async function loadForVerify(path: string, family: string, signal?: AbortSignal): Promise<LoadedModel | string> {
  try {
    return await loadModel(path, signal);
  } catch (err) {
    // modelConfigFromHf: unsupported family ('family') or routing it cannot run ('config', e.g. sigmoid scoring).
    if (err instanceof FamilyError && (err.code === 'family' || err.code === 'config') && !(err.details.tensor)) return unsupportedMessage(err, family);
    throw err;
  }
}

interface ForwardOut {
  logits: Float32Array;
  ce: number;
  provider: Provider;
  fallbackReason?: string;
}

async function forwardLogits(model: LoadedModel, batch: BigInt64Array, seq: number, o: { provider: ProviderChoice; threads?: number; dispatch: Dispatch }): Promise<ForwardOut> {
  const g = buildForwardGraph(model.cfg, { batch: 1, seq, dispatch: o.dispatch, float: 'float32' });
  const { session, provider, fallbackReason } = await createSession(g.bytes, { provider: o.provider, threads: o.threads, label: 'forward graph' });
  try {
    const ort = session.ort;
    const feeds = Object.fromEntries(g.params.map((s, i) => [`p${i}`, new ort.Tensor('float32', model.params[i], s.shape)]));
    const out = await session.run({ ...feeds, tokens: new ort.Tensor('int64', batch, [1, seq + 1]) });
    const logits = out.logits.data as Float32Array;
    return { logits: Float32Array.from(logits), ce: Number((out.ce.data as Float32Array)[0]), provider, ...(fallbackReason ? { fallbackReason } : {}) };
  } finally {
    await session.dispose();
  }
}

function batchTokens(model: LoadedModel, n: number, o: VerifyOptions, checkpoint: string): { tokens: Uint32Array; source: 'random' | 'data' } {
  if (!o.data) return { tokens: randomTokens(n + 1, model.cfg.vocab, o.seed ?? 0), source: 'random' };
  const data = loadTokens(resolve(o.data), 0, { checkpoint });
  checkVocab(data, model.cfg.vocab);
  const all = new Uint32Array(data.train.length + data.val.length);
  all.set(data.train);
  all.set(data.val, data.train.length);
  if (all.length < n + 1) throw new TrainError('train/data', `verification needs ${n + 1} tokens, the data has ${all.length}`, { file: o.data, rule: '--tokens N needs N + 1 tokens of data' });
  return { tokens: all.slice(0, n + 1), source: 'data' };
}

/** Executes `recipe` on `src` into a temporary folder and compares both models' logits on one token batch. */
export async function verifyGrowth(src: string, recipe: Recipe, opts: VerifyOptions = {}): Promise<VerifyResult> {
  const n = opts.tokens ?? VERIFY_DEFAULT_TOKENS;
  if (!Number.isSafeInteger(n) || n < 1) throw new TrainError('train/verify', `--tokens must be a positive integer, got ${n}`, { key: 'tokens', rule: 'tokens >= 1' });
  const seed = opts.seed ?? 0;
  const srcPath = resolve(src);
  const plan = opts.plan ?? buildGrowthPlan(await openCheckpoint(srcPath, { signal: opts.signal }), recipe);
  const base = {
    preservedByRule: plan.functionPreserved.preserved, reasons: plan.functionPreserved.reasons,
    family: plan.family, tokens: n, tokenSource: (opts.data ? 'data' : 'random') as 'random' | 'data', seed,
  };
  const unsupported = (message: string): VerifyResult => ({
    ...base, verified: 'unsupported', message, maxAbsDiff: null, meanAbsDiff: null, maxAbsLogit: null, tolerance: null, lossBefore: null, lossAfter: null, provider: null,
  });

  const before = await loadForVerify(srcPath, plan.source.family, opts.signal);
  if (typeof before === 'string') return unsupported(before);
  const { tokens, source } = batchTokens(before, n, opts, srcPath);
  const batch = BigInt64Array.from(tokens, (t) => BigInt(t));
  const run = { provider: opts.provider ?? 'cpu', threads: opts.threads, dispatch: opts.dispatch ?? 'sparse' } as const;
  throwIfAborted(opts.signal);
  const a = await forwardLogits(before, batch, n, run);
  before.params.length = 0; // let the source weights go before the grown model is read

  const tmp = await mkdtemp(join(opts.tmpDir ?? tmpdir(), 'graft-verify-'));
  try {
    const dest = join(tmp, 'grown');
    await executeGrowthPlan(plan, dest, { signal: opts.signal });
    const after = await loadForVerify(dest, plan.family, opts.signal);
    if (typeof after === 'string') return unsupported(after);
    if (after.cfg.vocab !== before.cfg.vocab) throw new TrainError('train/verify', `the grown model's vocabulary (${after.cfg.vocab}) differs from the source's (${before.cfg.vocab})`, { key: 'vocab_size', rule: 'growth keeps the vocabulary' });
    throwIfAborted(opts.signal);
    // The same provider as the source (no second fallback decision).
    const b = await forwardLogits(after, batch, n, { ...run, provider: a.provider });
    let maxAbs = 0;
    let sum = 0;
    let maxLogit = 0;
    let finite = true;
    for (let i = 0; i < a.logits.length; i++) {
      const x = a.logits[i];
      const y = b.logits[i];
      if (!Number.isFinite(x) || !Number.isFinite(y)) finite = false;
      const d = Math.abs(x - y);
      if (d > maxAbs) maxAbs = d;
      sum += d;
      if (Math.abs(x) > maxLogit) maxLogit = Math.abs(x);
    }
    const maxAbsDiff = finite ? maxAbs : NaN;
    const meanAbsDiff = finite ? sum / a.logits.length : NaN;
    const tolerance = VERIFY_REL_TOL * maxLogit;
    const ok = finite && maxAbsDiff <= tolerance;
    return {
      ...base, tokenSource: source,
      verified: ok ? 'preserved' : 'changed',
      message: ok ? 'verified preserved' : `not preserved (Δ = ${finite ? maxAbsDiff.toPrecision(3) : 'non-finite'} max |Δlogit|, tolerance ${tolerance.toPrecision(3)})`,
      maxAbsDiff, meanAbsDiff, maxAbsLogit: maxLogit, tolerance,
      lossBefore: a.ce, lossAfter: b.ce,
      provider: a.provider,
      ...(a.fallbackReason ? { fallbackReason: a.fallbackReason } : {}),
    };
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

/** The result in a few lines, for the CLI. */
export function verifySummary(r: VerifyResult): string {
  const lines = [`forward-pass check (${r.tokens} ${r.tokenSource === 'data' ? 'data' : `random (seed ${r.seed})`} tokens): ${r.message}`];
  if (r.verified !== 'unsupported') {
    lines.push(`  max |Δlogit| ${r.maxAbsDiff!.toExponential(3)}  mean |Δlogit| ${r.meanAbsDiff!.toExponential(3)}  max |logit| ${r.maxAbsLogit!.toFixed(3)}  tolerance ${r.tolerance!.toExponential(3)}`);
    lines.push(`  loss before ${r.lossBefore!.toFixed(6)}  after ${r.lossAfter!.toFixed(6)}  (provider ${r.provider})`);
  }
  lines.push(`  by rule: ${r.preservedByRule ? 'preserved' : 'not preserved'}`);
  if (r.preservedByRule && r.verified === 'changed') lines.push('  WARNING: the rule says preserved but the forward pass differs');
  return lines.join('\n') + '\n';
}
