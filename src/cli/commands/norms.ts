// `graft norms PATH`: per-layer norm profile (paper Figure 2) of a checkpoint, as a table, JSON or CSV, and
// optionally a standalone SVG chart (d3 drawing into a linkedom document).
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { drawNormChart } from '../../core/stats/normChart';
import { profileCsv, profileTable } from '../../core/stats/format';
import { PROFILE_KINDS, type NormProfile, type ProfileKind } from '../../core/stats/types';
import { PROVIDER_CHOICES, type ProviderChoice } from '../../engine/providers';
import { computeNormProfile } from '../../engine/stats/normProfile';
import { StatsCache } from '../../engine/stats/statsCache';
import { UsageError } from '../args';
import type { Command } from '../command';

/** Serialises a standalone SVG drawn by the shared chart module. */
export async function renderSvg(before: NormProfile, kind: ProfileKind, after?: NormProfile): Promise<string> {
  const { parseHTML } = await import('linkedom');
  const { document } = parseHTML('<!doctype html><html><body></body></html>');
  const svg = drawNormChart(document.body as unknown as Element, { before, after, kind });
  return `<?xml version="1.0" encoding="UTF-8"?>\n${svg.outerHTML}\n`;
}

export const norms: Command = {
  name: 'norms',
  summary: 'per-layer norm profile (RMS of expert, attention, router, norm and shared-expert weights)',
  usage: 'norms PATH [--recipe R] [--json|--csv] [--svg FILE] [--provider auto|cpu|webgpu|cuda] [--kind experts|attention|router|norms|shared]',
  flags: {
    recipe: { type: 'string', description: 'growth recipe: also show the grown model\'s profile' },
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
    if (args.flags.recipe !== undefined) {
      throw new UsageError('--recipe needs the growth planner (src/core/growth buildGrowthPlan), which this build does not have yet');
    }
    const kind = args.flags.kind as ProfileKind | undefined;
    const cache = args.flags.cache === false ? false : new StatsCache(args.flags['cache-dir'] ? String(args.flags['cache-dir']) : undefined);
    let lastPct = -1;
    const result = await computeNormProfile(resolve(path), {
      provider: args.flags.provider as ProviderChoice,
      threads: args.flags.threads as number | undefined,
      cache,
      signal: io.signal,
      onProgress: (p) => {
        if (!io.tty || !p.total) return;
        const pct = Math.floor((100 * p.done) / p.total);
        if (pct !== lastPct) io.err(`\rstatistics ${pct}%`);
        lastPct = pct;
      },
    });
    if (io.tty && lastPct >= 0) io.err('\n');
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
