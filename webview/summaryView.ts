// The model summary: family, layers, experts, top-k, parameters (total and active), dtypes and bytes as cards, and
// a d3 bar of where the parameters live. Each card carries the exact number in data-value for tests and tooltips.
import { scaleLinear, select } from 'd3';
import { formatBytes, formatCount, type ModelTree } from '../src/protocol.js';
import { h } from './dom.js';
import { tag } from './toolkit.js';

interface Card {
  field: string;
  label: string;
  value: string;
  exact?: number;
  sub?: string;
  extra?: Node;
}

export function renderSummary(title: string, m: ModelTree): HTMLElement {
  const t = m.totals;
  const shared = m.layers.reduce((s, l) => s + (l.sharedExpertParams ?? 0), 0);
  const cards: Card[] = [
    { field: 'family', label: 'Family', value: m.familyLabel, sub: m.confidence === 'config' ? m.family : `${m.family} (from ${m.confidence})` },
    { field: 'layers', label: 'Layers', value: String(m.numLayers), exact: m.numLayers, sub: `${m.moeLayers.length} MoE${m.mtpLayers.length ? ` · ${m.mtpLayers.length} MTP` : ''}` },
    { field: 'experts', label: 'Experts', value: m.numExperts === undefined ? '—' : String(m.numExperts), exact: m.numExperts, sub: m.numSharedExperts ? `+ ${m.numSharedExperts} shared` : 'routed, per MoE layer' },
    { field: 'topk', label: 'Top-k', value: m.topK === undefined ? '—' : String(m.topK), exact: m.topK, sub: m.scoring ? `${m.scoring} routing` : undefined },
    { field: 'params', label: 'Parameters', value: formatCount(t.params), exact: t.params, sub: t.params.toLocaleString('en-US') },
    t.active
      ? { field: 'active', label: 'Active parameters', value: formatCount(t.active.withEmbeddings), exact: t.active.withEmbeddings, sub: `${formatCount(t.active.withoutEmbeddings)} without embeddings` }
      : { field: 'active', label: 'Active parameters', value: '—', sub: 'top-k unknown (no config.json)' },
    { field: 'dtypes', label: 'Dtypes', value: '', extra: h('div', { class: 'tags' }, ...t.dtypes.map((d) => tag(d))), sub: `${t.tensors.toLocaleString('en-US')} tensors` },
    { field: 'bytes', label: 'Size', value: formatBytes(t.bytes), exact: t.bytes, sub: `${m.source.files} safetensors file${m.source.files === 1 ? '' : 's'}${m.source.kind === 'index' ? ' · sharded index' : ''}` },
  ];
  const grid = h('div', { class: 'cards' });
  for (const c of cards) {
    grid.append(h('div', { class: 'card', 'data-field': c.field, 'data-value': c.exact === undefined ? undefined : String(c.exact), title: c.exact === undefined ? undefined : c.exact.toLocaleString('en-US') },
      h('div', { class: 'card-label' }, c.label),
      c.value ? h('div', { class: 'card-value' }, c.value) : null,
      c.extra ?? null,
      c.sub ? h('div', { class: 'card-sub' }, c.sub) : null,
    ));
  }
  const activeNote = t.active ? h('p', { class: 'hint' }, `Active parameters count ${t.active.embeddingsCounted}; ${m.topK} of ${m.numExperts} routed experts per MoE layer.`) : null;
  return h('section', { class: 'summary', 'data-testid': 'summary' },
    h('header', { class: 'title' }, h('h1', {}, title), tag(m.familyLabel)),
    grid,
    composition(t.params, [
      { key: 'embed', label: 'Embeddings', value: t.embeddingParams },
      { key: 'routed', label: 'Routed experts', value: t.expertParams },
      { key: 'shared', label: 'Shared experts', value: shared },
      { key: 'head', label: 'LM head', value: t.headParams },
      { key: 'rest', label: 'Attention, norms, routers', value: Math.max(0, t.params - t.embeddingParams - t.expertParams - shared - t.headParams) },
    ]),
    activeNote,
    m.notes.length ? h('ul', { class: 'notes' }, ...m.notes.map((n) => h('li', {}, n))) : null,
  );
}

interface Part {
  key: string;
  label: string;
  value: number;
}

/** One stacked bar of parameter shares, drawn with d3, and its legend. */
function composition(total: number, parts: Part[]): HTMLElement {
  const shown = parts.filter((p) => p.value > 0);
  const x = scaleLinear().domain([0, Math.max(1, total)]).range([0, 100]);
  let offset = 0;
  const segments = shown.map((p) => {
    const s = { ...p, x: x(offset), w: x(p.value) };
    offset += p.value;
    return s;
  });
  const figure = h('figure', { class: 'composition', 'aria-label': 'Where the parameters are' });
  const svg = select(figure).append('svg').attr('viewBox', '0 0 100 4').attr('preserveAspectRatio', 'none').attr('class', 'bar');
  svg.selectAll('rect').data(segments).join('rect')
    .attr('class', (d) => `seg seg-${d.key}`)
    .attr('x', (d) => d.x).attr('width', (d) => d.w).attr('y', 0).attr('height', 4)
    .append('title').text((d) => `${d.label}: ${d.value.toLocaleString('en-US')} (${share(d.value, total)})`);
  const legend = select(figure).append('figcaption').attr('class', 'legend');
  const item = legend.selectAll('span.legend-item').data(segments).join('span').attr('class', 'legend-item');
  item.append('span').attr('class', (d) => `swatch seg-${d.key}`);
  item.append('span').text((d) => `${d.label} ${formatCount(d.value)} (${share(d.value, total)})`);
  return figure;
}

function share(v: number, total: number): string {
  return total > 0 ? `${((100 * v) / total).toFixed(1)}%` : '0%';
}
