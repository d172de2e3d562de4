// The norm-profile chart, drawn with d3 into any DOM: the CLI passes a linkedom document (standalone SVG file),
// the charts webview passes the browser's. This module imports no DOM library itself. Colours are CSS variables
// with neutral fallbacks, so a VS Code theme can restyle the same markup.
import * as d3 from 'd3';
import type { NormProfile, ProfileKind } from './types';

export interface NormChartSpec {
  /** The profile measured (or, with `after`, the source before growth). */
  before: NormProfile;
  /** The grown model's profile, overlaid. */
  after?: NormProfile;
  kind: ProfileKind;
  /** Output layer j copies source layer layerMap[j]: the source curve is then drawn under its copies, so
   *  interposition's pairs and stack's seam line up with the grown curve. */
  layerMap?: number[];
  title?: string;
  width?: number;
  height?: number;
}

const KIND_LABEL: Record<ProfileKind, string> = {
  experts: 'routed experts (gate/up/down)',
  attention: 'attention projections',
  router: 'router',
  norms: 'norm weights',
  shared: 'shared experts',
};

const COLORS = ['var(--graft-chart-line-1, #4c6a92)', 'var(--graft-chart-line-2, #c0703a)'];
const INK = 'var(--graft-chart-ink, #3a3a3a)';
const MUTED = 'var(--graft-chart-muted, #8a8a8a)';
const GRID = 'var(--graft-chart-grid, #e4e4e4)';
const BG = 'var(--graft-chart-bg, #ffffff)';

interface Series {
  label: string;
  color: string;
  points: { layer: number; value: number }[];
}

function seriesOf(p: NormProfile, kind: ProfileKind, label: string, color: string): Series {
  return { label, color, points: p.layers.flatMap((l) => (l.values[kind] === null ? [] : [{ layer: l.layer, value: l.values[kind]! }])) };
}

function providerCaption(p: NormProfile): string {
  return `statistics on ${p.provider}${p.fallbackReason ? ` (fell back: ${p.fallbackReason})` : ''}`;
}

/** Moves each source point under its copies: the middle of a run of adjacent copies (interposition), else the first
 *  copy (stack: the source curve lies on the first block); layers without a copy keep their own index. */
function alignToCopies(points: { layer: number; value: number }[], layerMap: number[]): { layer: number; value: number }[] {
  return points.map((p) => {
    const at = layerMap.flatMap((src, j) => (src === p.layer ? [j] : []));
    if (!at.length) return p;
    const adjacent = at[at.length - 1] - at[0] === at.length - 1;
    return { layer: adjacent ? (at[0] + at[at.length - 1]) / 2 : at[0], value: p.value };
  });
}

/** Appends an <svg> to `container` and returns it. */
export function drawNormChart(container: Element, spec: NormChartSpec): SVGSVGElement {
  const width = spec.width ?? 760;
  const height = spec.height ?? 420;
  const m = { top: 52, right: 24, bottom: 72, left: 72 };
  const series = [seriesOf(spec.before, spec.kind, spec.after ? 'before' : 'source', COLORS[0])];
  if (spec.after && spec.layerMap) series[0].points = alignToCopies(series[0].points, spec.layerMap);
  if (spec.after) series.push(seriesOf(spec.after, spec.kind, 'after', COLORS[1]));
  const all = series.flatMap((s) => s.points);
  const maxLayer = Math.max(1, ...all.map((p) => p.layer));
  const [lo, hi] = all.length ? (d3.extent(all, (p) => p.value) as [number, number]) : [0, 1];
  const pad = (hi - lo) * 0.08 || Math.abs(hi) * 0.1 || 1;

  const x = d3.scaleLinear().domain([0, maxLayer]).range([m.left, width - m.right]);
  const y = d3.scaleLinear().domain([lo - pad, hi + pad]).nice().range([height - m.bottom, m.top]);

  const svg = d3.select(container).append('svg')
    .attr('xmlns', 'http://www.w3.org/2000/svg')
    .attr('width', width).attr('height', height).attr('viewBox', `0 0 ${width} ${height}`)
    .attr('font-family', 'system-ui, -apple-system, Segoe UI, sans-serif').attr('font-size', 12)
    .attr('role', 'img');
  svg.append('rect').attr('width', width).attr('height', height).attr('fill', BG);
  const title = spec.title ?? `Norm profile: ${KIND_LABEL[spec.kind]}`;
  svg.append('title').text(title);
  svg.append('text').attr('class', 'title').attr('x', m.left).attr('y', 24).attr('fill', INK).attr('font-size', 15).attr('font-weight', 600).text(title);
  svg.append('text').attr('class', 'subtitle').attr('x', m.left).attr('y', 42).attr('fill', MUTED)
    .text(`${spec.before.family} · ${spec.before.source}`);

  const gy = svg.append('g').attr('class', 'y-axis').attr('transform', `translate(${m.left},0)`).call(d3.axisLeft(y).ticks(6).tickFormat(d3.format('.3~g')));
  gy.selectAll('.tick line').clone().attr('x2', width - m.left - m.right).attr('stroke', GRID);
  svg.append('g').attr('class', 'x-axis').attr('transform', `translate(0,${height - m.bottom})`)
    .call(d3.axisBottom(x).ticks(Math.min(maxLayer, 16)).tickFormat(d3.format('d')));
  svg.selectAll('.domain, .tick line').attr('stroke', MUTED);
  svg.selectAll('.tick text').attr('fill', INK);
  svg.append('text').attr('x', (m.left + width - m.right) / 2).attr('y', height - m.bottom + 34).attr('text-anchor', 'middle').attr('fill', INK).text('layer');
  svg.append('text').attr('transform', `translate(18,${(m.top + height - m.bottom) / 2}) rotate(-90)`).attr('text-anchor', 'middle').attr('fill', INK)
    .text('mean RMS  ‖W‖_F / √numel');

  const line = d3.line<{ layer: number; value: number }>().x((p) => x(p.layer)).y((p) => y(p.value));
  series.forEach((s, i) => {
    const g = svg.append('g').attr('class', `series series-${s.label}`);
    g.append('path').attr('d', line(s.points) ?? '').attr('fill', 'none').attr('stroke', s.color).attr('stroke-width', 2)
      .attr('stroke-dasharray', i === 0 && spec.after ? '5 3' : null);
    g.selectAll('circle').data(s.points).join('circle')
      .attr('cx', (p) => x(p.layer)).attr('cy', (p) => y(p.value)).attr('r', 3.2).attr('fill', s.color)
      .append('title').text((p) => `${s.label} layer ${p.layer}: ${p.value.toPrecision(4)}`);
  });
  if (series.length > 1) {
    const legend = svg.append('g').attr('class', 'legend').attr('transform', `translate(${width - m.right - 150},${m.top - 20})`);
    series.forEach((s, i) => {
      legend.append('line').attr('x1', 0).attr('x2', 22).attr('y1', i * 16).attr('y2', i * 16).attr('stroke', s.color).attr('stroke-width', 2);
      legend.append('text').attr('x', 28).attr('y', i * 16 + 4).attr('fill', INK).text(`${s.label} (${(i === 0 ? spec.before : spec.after!).layers.length} layers)`);
    });
  }
  svg.append('text').attr('class', 'caption').attr('x', m.left).attr('y', height - 12).attr('fill', MUTED).attr('font-size', 11)
    .text(providerCaption(spec.after ?? spec.before));
  return svg.node() as SVGSVGElement;
}
