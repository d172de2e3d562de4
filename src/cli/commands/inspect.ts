// `graft inspect PATH`: what a checkpoint is (family, layers, experts, parameters, active parameters, size),
// its tensors (--tensors), or the whole model tree as JSON (--json).
import { buildModelTree, type LayerSummary, type ModelTree } from '../../core/model/index';
import { openCheckpoint } from '../../core/safetensors/index';
import type { CheckpointSource } from '../../core/safetensors/types';
import { UsageError } from '../args';
import type { Command } from '../command';

/** 1234567 -> "1.23 M". */
export function formatCount(n: number): string {
  const units: [number, string][] = [[1e12, 'T'], [1e9, 'B'], [1e6, 'M'], [1e3, 'K']];
  for (const [v, u] of units) if (Math.abs(n) >= v) return `${(n / v).toPrecision(3)} ${u}`;
  return String(Math.round(n));
}

const grouped = (n: number) => Math.round(n).toLocaleString('en-US');

function formatBytes(n: number): string {
  const gb = n / 1e9;
  return gb >= 0.1 ? `${gb.toFixed(2)} GB` : `${(n / 1e6).toFixed(2)} MB (${gb.toPrecision(2)} GB)`;
}

/** "0-3, 5, 7-9" from sorted indices. */
export function formatRanges(xs: number[]): string {
  const out: string[] = [];
  for (let i = 0; i < xs.length; i++) {
    let j = i;
    while (j + 1 < xs.length && xs[j + 1] === xs[j] + 1) j++;
    out.push(i === j ? String(xs[i]) : `${xs[i]}-${xs[j]}`);
    i = j;
  }
  return out.join(', ');
}

function layerSignature(l: LayerSummary): string {
  const parts = [l.kind === 'moe' ? 'MoE  ' : l.kind === 'dense' ? 'dense' : 'layer'];
  if (l.experts) parts.push(`${l.experts} experts × ${formatCount(l.expertParams!)}`);
  if (l.sharedExpertParams) parts.push(`shared ${formatCount(l.sharedExpertParams)}`);
  if (l.routerParams) parts.push(`router ${formatCount(l.routerParams)}`);
  parts.push(`attn ${formatCount(l.attentionParams)}`, `${formatCount(l.params)} params`, l.dtypes.join('/'));
  return parts.join('  ');
}

export function formatSummary(tree: ModelTree): string {
  const lines: string[] = [];
  const row = (k: string, v: string) => lines.push(`${k.padEnd(10)} ${v}`);
  const s = tree.source;
  row('source', `${s.root} (${s.kind}, ${s.files} file${s.files === 1 ? '' : 's'}${s.hasConfig ? ', config.json' : ', no config.json'})`);
  row('family', `${tree.familyLabel} [${tree.family}${tree.baseFamily ? ` on ${tree.baseFamily} keys` : ''}], from ${tree.confidence}`);
  for (const n of tree.notes) row('note', n);
  row('layers', `${tree.numLayers}${tree.moeLayers.length ? ` (MoE: ${formatRanges(tree.moeLayers)})` : ''}${tree.mtpLayers.length ? ` + MTP ${formatRanges(tree.mtpLayers)}` : ''}`);
  if (tree.numExperts !== undefined) {
    const bits = [`${tree.numExperts} routed`, tree.topK !== undefined ? `top-${tree.topK}` : 'top-k unknown'];
    if (tree.scoring) bits.push(tree.scoring);
    if (tree.normTopK !== undefined) bits.push(tree.normTopK ? 'renormalised' : 'not renormalised');
    if (tree.numSharedExperts) bits.push(`${tree.numSharedExperts} shared`);
    if (tree.nGroup !== undefined) bits.push(`${tree.nGroup} groups, top ${tree.topkGroup ?? '?'}`);
    if (tree.expertLayout && tree.expertLayout !== 'per-expert') bits.push(`stored ${tree.expertLayout}`);
    row('experts', bits.join(', '));
  }
  if (tree.hiddenSize !== undefined) row('hidden', String(tree.hiddenSize));
  const t = tree.totals;
  row('params', `${grouped(t.params)} (${formatCount(t.params)})`);
  if (t.active) {
    row('active', `${grouped(t.active.withEmbeddings)} (${formatCount(t.active.withEmbeddings)}) with ${t.active.embeddingsCounted}; `
      + `${grouped(t.active.withoutEmbeddings)} (${formatCount(t.active.withoutEmbeddings)}) without`);
  } else {
    row('active', 'unknown (top-k needs config.json)');
  }
  row('size', `${formatBytes(t.bytes)} in ${t.tensors} tensors, ${t.dtypes.join(', ')}`);
  row('embedding', tree.tiedEmbeddings ? 'tied with the LM head' : 'separate LM head');
  lines.push('', 'layers');
  // Consecutive layers that look the same collapse into one row.
  for (let i = 0; i < tree.layers.length; i++) {
    const sig = layerSignature(tree.layers[i]);
    let j = i;
    while (j + 1 < tree.layers.length && layerSignature(tree.layers[j + 1]) === sig && tree.layers[j + 1].index === tree.layers[j].index + 1) j++;
    const range = i === j ? `${tree.layers[i].index}` : `${tree.layers[i].index}-${tree.layers[j].index}`;
    lines.push(`  ${range.padEnd(8)} ${sig}${i === j ? '' : ' each'}`);
    i = j;
  }
  lines.push('', 'globals');
  for (const n of tree.root.children) {
    if (n.kind === 'layers') continue;
    lines.push(`  ${n.label.padEnd(30)} ${formatCount(n.params).padStart(9)} params  ${n.tensors.length || n.children.length} ${n.tensors.length ? 'tensor(s)' : 'part(s)'}  ${n.dtypes.join('/')}`);
  }
  return lines.join('\n') + '\n';
}

export function formatTensors(src: CheckpointSource): string {
  const rows = [...src.tensors.values()].map((t) => [t.name, t.dtype, `[${t.shape.join(', ')}]`, grouped(t.byteLength)]);
  const w = [0, 1, 2, 3].map((c) => Math.max(...rows.map((r) => r[c].length), 4));
  const lines = rows.map((r) => `${r[0].padEnd(w[0])}  ${r[1].padEnd(w[1])}  ${r[2].padEnd(w[2])}  ${r[3].padStart(w[3])}`);
  lines.push(`${src.tensors.size} tensors, ${grouped(src.totalBytes)} bytes`);
  return lines.join('\n') + '\n';
}

export const inspect: Command = {
  name: 'inspect',
  summary: 'Show a checkpoint: family, layers, experts, parameters, active parameters, size',
  usage: 'inspect PATH [--tensors] [--json]',
  flags: {
    tensors: { type: 'boolean', description: 'list every tensor (name, dtype, shape, bytes)' },
    json: { type: 'boolean', description: 'print the model tree (and with --tensors, the tensors) as JSON' },
  },
  async run(args, io) {
    if (args.positionals.length !== 1) throw new UsageError('inspect needs exactly one PATH (a .safetensors file, an index .json or a folder)');
    const src = await openCheckpoint(args.positionals[0], { signal: io.signal });
    const tree = buildModelTree(src);
    if (args.flags.json) {
      const body: Record<string, unknown> = { tree };
      if (args.flags.tensors) body.tensors = [...src.tensors.values()].map(({ name, dtype, shape, byteLength, file }) => ({ name, dtype, shape, bytes: byteLength, file }));
      io.out(JSON.stringify(body, null, 2) + '\n');
    } else {
      io.out(args.flags.tensors ? formatTensors(src) : formatSummary(tree));
    }
    return 0;
  },
};
