// `graft norms PATH`: per-layer norm profile (paper Figure 2) of a checkpoint, as a table, JSON or CSV, and
// optionally a standalone SVG chart (d3 drawing into a linkedom document).
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { drawNormChart } from '../../core/stats/normChart';
import { profileCsv, profileTable } from '../../core/stats/format';
import { PROFILE_KINDS, type NormProfile, type ProfileKind } from '../../core/stats/types';
import { PROVIDER_CHOICES, type ProviderChoice } from '../../engine/providers';
import { buildGrowthPlan } from '../../core/growth/index';
import { openCheckpoint } from '../../core/safetensors/index';
import { computeNormProfile } from '../../engine/stats/normProfile';
import { computePlanProfile } from '../../engine/stats/planProfile';
import { StatsCache } from '../../engine/stats/statsCache';
import { UsageError } from '../args';
import type { CliIO, Command } from '../command';
import { loadRecipe } from './grow';

/** Serialises a standalone SVG drawn by the shared chart module. */
export async function renderSvg(before: NormProfile, kind: ProfileKind, after?: NormProfile, layerMap?: number[]): Promise<string> {
  const { parseHTML } = await import('linkedom');
  const { document } = parseHTML('<!doctype html><html><body></body></html>');
  const svg = drawNormChart(document.body as unknown as Element, { before, after, kind, layerMap });
  return `<?xml version="1.0" encoding="UTF-8"?>\n${svg.outerHTML}\n`;
}

export const norms: Command = {
  name: 'norms',
  summary: 'per-layer norm profile (RMS of expert, attention, router, norm and shared-expert weights)',
  usage: 'norms PATH [--recipe R] [--json|--csv] [--svg FILE] [--provider auto|cpu|webgpu|cuda] [--kind experts|attention|router|norms|shared]',
  flags: {
    recipe: { type: 'string', short: 'r', description: 'growth recipe: also show the grown model\'s profile, computed without writing it' },
    json: { type: 'boolean', description: 'print the profile and per-tensor statistics as JSON' },
    csv: { type: 'boolean', description: 'print the profile as CSV' },
    svg: { type: 'string', description: 'write a standalone SVG chart to FILE' },
    provider: { type: 'string', choices: [...PROVIDER_CHOICES], default: 'cpu', description: 'ONNX Runtime execution provider' },
    kind: { type: 'string', choices: [...PROFILE_KINDS], description: 'one tensor kind (default: all in the table, experts in the chart)' },
    'cache-dir': { type: 'string', description: 'statistics cache folder (default $XDG_CACHE_HOME/graft/stats)' },
    cache: { type: 'boolean', default: true, description: 'use the statistics cache (--no-cache to recompute)' },
    threads: { type: 'number', description: 'ONNX Runtime intra-op threads' },
  },
  async run(args, io) {
    const [path, ...extra] = args.positionals;
    if (!path || extra.length) throw new UsageError('norms needs exactly one PATH (a .safetensors file, an index or a folder)');
    if (args.flags.json && args.flags.csv) throw new UsageError('--json and --csv are exclusive');
    const kind = args.flags.kind as ProfileKind | undefined;
    const cache = args.flags.cache === false ? false : new StatsCache(args.flags['cache-dir'] ? String(args.flags['cache-dir']) : undefined);
    const progress = progressPrinter(io);
    if (args.flags.recipe !== undefined) {
      const recipeFile = String(args.flags.recipe);
      const recipe = await loadRecipe(recipeFile);
      const src = await openCheckpoint(resolve(path), { signal: io.signal });
      const plan = buildGrowthPlan(src, recipe, { recipeFile });
      const r = await computePlanProfile(plan, {
        source: src,
        provider: args.flags.provider as ProviderChoice,
        threads: args.flags.threads as number | undefined,
        cache,
        signal: io.signal,
        onProgress: progress.sink,
      });
      progress.end();
      const { before, after } = r;
      if (after.fallbackReason) io.err(`note: provider fell back to ${after.provider}: ${after.fallbackReason}\n`);
      if (args.flags.svg) {
        const file = resolve(String(args.flags.svg));
        await writeFile(file, await renderSvg(before, kind ?? 'experts', after, plan.layerMap));
        io.err(`wrote ${file}\n`);
      }
      const kinds = kind ? [kind] : PROFILE_KINDS.filter((k) => [before, after].some((p) => p.layers.some((l) => l.values[k] !== null)));
      if (args.flags.json) {
        io.out(JSON.stringify({
          before, after, tensors: { before: r.beforeTensors, after: r.afterTensors }, counts: r.counts, skipped: r.skipped, run: r.run,
        }, null, 2) + '\n');
      } else if (args.flags.csv) {
        io.out(profileCsv(before, kinds, after));
      } else {
        io.out(`${before.family} ${before.layers.length} layers → ${after.family} ${after.layers.length} layers · mean RMS per layer, before vs after `
          + `(after: ${r.counts.fromSource} tensor(s) from source statistics, ${r.counts.zero} zero, ${r.counts.streamed} generated; nothing written)`
          + ` · statistics on ${after.provider}${r.run.filesFromCache ? ` (${r.run.filesFromCache} file(s) from cache)` : ''}\n`);
        io.out(profileTable(before, kinds, after) + '\n');
        for (const n of [...before.notes, ...after.notes]) io.out(`note: ${n}\n`);
      }
      return 0;
    }
    const result = await computeNormProfile(resolve(path), {
      provider: args.flags.provider as ProviderChoice,
      threads: args.flags.threads as number | undefined,
      cache,
      signal: io.signal,
      onProgress: progress.sink,
    });
    progress.end();
    const { profile } = result;
    if (profile.fallbackReason) io.err(`note: provider fell back to ${profile.provider}: ${profile.fallbackReason}\n`);
    if (args.flags.svg) {
      const file = resolve(String(args.flags.svg));
      await writeFile(file, await renderSvg(profile, kind ?? 'experts'));
      io.err(`wrote ${file}\n`);
    }
    const kinds = kind ? [kind] : PROFILE_KINDS.filter((k) => profile.layers.some((l) => l.values[k] !== null));
    if (args.flags.json) {
      io.out(JSON.stringify({ profile, tensors: result.tensors, skipped: result.skipped, run: result.run }, null, 2) + '\n');
    } else if (args.flags.csv) {
      io.out(profileCsv(profile, kinds));
    } else {
      io.out(`${profile.family} · ${profile.layers.length} layers · mean RMS per layer · statistics on ${profile.provider}`
        + `${result.run.filesFromCache ? ` (${result.run.filesFromCache} file(s) from cache)` : ''}\n`);
      io.out(profileTable(profile, kinds) + '\n');
      for (const n of profile.notes) io.out(`note: ${n}\n`);
    }
    return 0;
  },
};

function progressPrinter(io: CliIO): { sink: (p: { done: number; total: number; message?: string }) => void; end: () => void } {
  let last = '';
  return {
    sink: (p) => {
      if (!io.tty || !p.total) return;
      const line = `${p.message === 'grown tensors' ? 'grown tensors' : 'statistics'} ${Math.floor((100 * p.done) / p.total)}%`;
      if (line !== last) io.err(`\r${line}`);
      last = line;
    },
    end: () => {
      if (io.tty && last) io.err('\n');
    },
  };
}
