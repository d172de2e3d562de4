// `graft grow`: build a growth plan (from a recipe file or from flags), then execute it into OUT.
//   graft grow SRC --recipe R -o OUT
//   graft grow depth --method interposition --factor 2 SRC -o OUT
//   graft grow experts --factor 2 --alpha 0.01 --seed 0 SRC -o OUT
import { readFile } from 'node:fs/promises';
import { PlanError } from '../../core/errors';
import {
  buildGrowthPlan, executeGrowthPlan, formatBytes, parseRecipe, planSummary, validateRecipe, type GrowthPlan, type GrowthProgress, type Recipe,
} from '../../core/growth/index';
import { openCheckpoint } from '../../core/safetensors/index';
import { UsageError, type FlagSpec, type ParsedArgs } from '../args';
import type { CliIO, Command } from '../command';

export const executeFlags: Record<string, FlagSpec> = {
  output: { type: 'string', short: 'o', description: 'destination folder (must not exist unless --overwrite)' },
  overwrite: { type: 'boolean', description: 'replace an existing destination' },
  'chunk-mb': { type: 'number', description: 'read/convert chunk in MiB (output bytes never depend on it)', default: 16 },
  'shard-gb': { type: 'number', description: 'shard size in GB', default: 5 },
  'dry-run': { type: 'boolean', description: 'print the plan and stop' },
  json: { type: 'boolean', description: 'print the result as JSON' },
};

const growFlags: Record<string, FlagSpec> = {
  recipe: { type: 'string', short: 'r', description: 'recipe file (graft/recipe@1 YAML or JSON, or mergekit slices)' },
  method: { type: 'string', description: 'depth method', choices: ['interposition', 'stack', 'llama-pro', 'solar', 'map'] },
  factor: { type: 'number', description: 'depth: copies per layer (k); experts: ×E' },
  'ignore-first': { type: 'number', description: 'depth: first layers kept once' },
  'ignore-last': { type: 'number', description: 'depth: last layers kept once' },
  m: { type: 'number', description: 'solar: layers dropped at the seam' },
  add: { type: 'number', description: 'llama-pro: blocks to insert' },
  map: { type: 'string', description: 'map: comma-separated source layers, e.g. 0,0,1,1' },
  alpha: { type: 'number', description: 'experts: noise scale α (std α·σ)' },
  seed: { type: 'number', description: 'noise seed', default: 0 },
  sigma: { type: 'string', description: 'experts: σ per tensor, expert (gate+up jointly, N−1) or layer', choices: ['tensor', 'expert', 'layer'] },
  'keep-topk': { type: 'boolean', description: 'experts: keep top-k (cheaper; NOT function-preserving)' },
  'zero-router-bias': { type: 'boolean', description: 'experts: zero the whole expanded router bias' },
  placement: { type: 'string', description: 'experts: copies inside their routing group, or appended', choices: ['grouped', 'append'] },
  ...executeFlags,
};

export async function loadRecipe(path: string): Promise<Recipe> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new PlanError('recipe', `cannot read recipe: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { file: path });
  }
  return parseRecipe(text, path);
}

function num(f: ParsedArgs['flags'], k: string): number | undefined {
  return f[k] === undefined ? undefined : (f[k] as number);
}

function recipeFromFlags(kind: string, f: ParsedArgs['flags']): Recipe {
  const seed = (f.seed as number) ?? 0;
  if (kind === 'depth') {
    const method = (f.method as string) ?? 'interposition';
    const op: Record<string, unknown> = { op: 'depth', method };
    if (method === 'interposition' || method === 'stack') {
      Object.assign(op, { factor: num(f, 'factor'), ignore_first: num(f, 'ignore-first'), ignore_last: num(f, 'ignore-last') });
    } else if (method === 'llama-pro') Object.assign(op, num(f, 'add') !== undefined ? { add: num(f, 'add') } : { factor: num(f, 'factor') });
    else if (method === 'solar') op.m = num(f, 'm');
    else if (method === 'map') {
      if (typeof f.map !== 'string') throw new UsageError('--method map needs --map 0,0,1,1');
      op.map = f.map.split(',').map((x) => Number(x.trim()));
    }
    return validateRecipe({ schema: 'graft/recipe@1', seed, ops: [JSON.parse(JSON.stringify(op))] }, '(flags)');
  }
  const op = {
    op: 'experts', factor: num(f, 'factor'), alpha: num(f, 'alpha'), sigma: f.sigma, keep_topk: f['keep-topk'],
    zero_router_bias: f['zero-router-bias'], placement: f.placement,
  };
  return validateRecipe({ schema: 'graft/recipe@1', seed, ops: [JSON.parse(JSON.stringify(op))] }, '(flags)');
}

/** Progress on stderr: redrawn on a terminal, a line every few seconds otherwise. */
export function progressPrinter(io: CliIO): (p: GrowthProgress) => void {
  let last = 0;
  return (p) => {
    const now = Date.now();
    const end = p.done >= p.total;
    if (!end && now - last < (io.tty ? 200 : 5000)) return;
    last = now;
    const line = p.phase === 'scales'
      ? `noise scales ${p.done}/${p.total}`
      : `${formatBytes(p.done)} / ${formatBytes(p.total)} (${((100 * p.done) / Math.max(1, p.total)).toFixed(1)}%), tensors ${p.tensorsDone}/${p.tensorsTotal}, ${formatBytes(p.bytesPerSecond)}/s${p.etaSeconds !== null ? `, ETA ${Math.ceil(p.etaSeconds)} s` : ''}`;
    io.err(io.tty ? `\r${line}\x1b[K${end ? '\n' : ''}` : `${line}\n`);
  };
}

/** Shared by grow and upcycle: print the plan, execute it, report. */
export async function runPlan(plan: GrowthPlan, args: ParsedArgs, io: CliIO): Promise<number> {
  const f = args.flags;
  if (f['dry-run']) {
    io.out(f.json ? JSON.stringify({ plan }, null, 2) + '\n' : planSummary(plan));
    return 0;
  }
  const dest = f.output as string | undefined;
  if (!dest) throw new UsageError('missing -o OUT (the destination folder)');
  if (!f.json) io.err(planSummary(plan));
  const r = await executeGrowthPlan(plan, dest, {
    signal: io.signal,
    onProgress: progressPrinter(io),
    chunkBytes: Math.round(((f['chunk-mb'] as number) ?? 16) * (1 << 20)),
    shardBytes: Math.round(((f['shard-gb'] as number) ?? 5) * 1e9),
    overwrite: Boolean(f.overwrite),
  });
  if (f.json) {
    io.out(JSON.stringify({ dest: r.dest, files: r.files, totalBytes: r.totalBytes, tensorCount: r.tensorCount, seconds: r.seconds, functionPreserved: plan.functionPreserved }, null, 2) + '\n');
  } else {
    io.out(`wrote ${r.dest}: ${r.tensorCount} tensors, ${formatBytes(r.totalBytes)} in ${r.files.length} files, ${r.seconds.toFixed(1)} s (${formatBytes(r.totalBytes / Math.max(r.seconds, 1e-3))}/s)\n`);
  }
  return 0;
}

export const growCommand: Command = {
  name: 'grow',
  summary: 'grow a checkpoint: depth (interposition, stack, LLaMA-Pro, SOLAR, layer map) and/or experts, into a new folder',
  usage: 'grow [depth|experts] SRC (--recipe R | op flags) -o OUT',
  flags: growFlags,
  async run(args, io) {
    const pos = [...args.positionals];
    const kind = pos[0] === 'depth' || pos[0] === 'experts' ? pos.shift()! : null;
    if (pos.length !== 1) throw new UsageError('expected one source checkpoint (graft grow [depth|experts] SRC -o OUT)');
    const f = args.flags;
    let recipe: Recipe;
    if (kind) {
      if (f.recipe) throw new UsageError(`--recipe and "grow ${kind}" flags are exclusive`);
      recipe = recipeFromFlags(kind, f);
    } else {
      if (!f.recipe) throw new UsageError('give --recipe R, or use "graft grow depth …" / "graft grow experts …"');
      recipe = await loadRecipe(f.recipe as string);
    }
    const src = await openCheckpoint(pos[0], { signal: io.signal });
    const plan = buildGrowthPlan(src, recipe, { recipeFile: f.recipe as string | undefined });
    return runPlan(plan, args, io);
  },
};
