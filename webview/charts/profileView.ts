// The per-layer profile in the webview: the shared drawing (src/core/stats/normChart, also behind `graft norms
// --svg`) plus what only an interactive view needs: the source curve placed under its copies, stack seams, a
// legend that names the edit, and hover/keyboard tooltips. normChart is not edited from here; its output is
// adjusted after drawing (see the report for the hooks that would make these adjustments unnecessary).
import * as d3 from 'd3';
import { drawNormChart } from './sharedChart.js';
import type { NormProfile, ProfileKind } from './sharedChart.js';
import { afterLabel, BEFORE_LABEL, type ChartData } from './chartState.js';
import { layerSpans, seamsOf } from './layerAlignment.js';
import { attachPointHover, type HoverPoint, type PlotRect } from './pointHover.js';
import { fmt4, type ChartTooltip } from './tooltip.js';

export interface ProfileViewOptions {
  kind: ProfileKind;
  width: number;
  height: number;
  tooltip: ChartTooltip;
}

export interface ProfileView {
  svg: SVGSVGElement;
  points: HoverPoint[];
  dispose(): void;
}

const KIND_NOUN: Record<ProfileKind, string> = {
  experts: 'expert matrices', attention: 'attention projections', router: 'router tensors', norms: 'norm weights', shared: 'shared-expert matrices',
};

interface LayerValue { layer: number; value: number; count: number }

function valuesOf(p: NormProfile, kind: ProfileKind): LayerValue[] {
  return p.layers.flatMap((l) => {
    const v = l.values[kind];
    return v === null || !Number.isFinite(v) ? [] : [{ layer: l.layer, value: v, count: l.counts[kind] }];
  });
}

/** The source profile with each layer moved to the x of its first run of copies (fractional for interposition). */
function placedBefore(before: NormProfile, spans: Map<number, number>): NormProfile {
  return { ...before, layers: before.layers.map((l) => ({ ...l, layer: spans.get(l.layer) ?? l.layer })) };
}

export function drawProfileView(host: HTMLElement, data: ChartData, opts: ProfileViewOptions): ProfileView {
  const map = data.after && data.layerMap?.length === data.after.layers.length ? data.layerMap : undefined;
  const spans = map ? layerSpans(map) : undefined;
  const svg = drawNormChart(host, {
    before: spans ? placedBefore(data.before, spans) : data.before,
    after: data.after,
    kind: opts.kind,
    width: opts.width,
    height: opts.height,
  });
  const root = d3.select(svg).classed('graft-profile', true);
  // The gridlines are clones of the y ticks; naming them lets the theme soften them without touching the ticks.
  root.selectAll<SVGLineElement, unknown>('.y-axis .tick line:nth-of-type(2)').classed('grid', true);
  if (map) root.select('.x-axis').append('text').attr('class', 'axis-note').attr('x', opts.width - 24).attr('y', 34)
    .attr('text-anchor', 'end').attr('fill', 'var(--graft-chart-muted, #8a8a8a)').text('source curve aligned to its copies');

  const series = [{ label: BEFORE_LABEL, profile: data.before }];
  if (data.after) series.push({ label: afterLabel(data), profile: data.after });
  const groups = root.selectAll<SVGGElement, unknown>('g.series').nodes();
  const points: HoverPoint[] = [];
  series.forEach((s, si) => {
    const vals = valuesOf(s.profile, opts.kind);
    const circles = d3.select(groups[si]).attr('data-series', si === 0 ? 'before' : 'after').selectAll<SVGCircleElement, unknown>('circle').nodes();
    circles.forEach((c, i) => {
      const v = vals[i];
      if (!v) return;
      const rows: [string, string][] = [['value', fmt4(v.value)], ['averaged', `${v.count} ${KIND_NOUN[opts.kind]}`]];
      if (si === 1 && map) rows.push(['copy of', `source layer ${map[v.layer] ?? '?'}`]);
      const heading = `${s.label} · layer ${v.layer}`;
      // Keep the SVG's own <title> (what a standalone export shows) in agreement with the tooltip.
      c.querySelector('title')?.replaceChildren(`${heading}: ${fmt4(v.value)}`);
      points.push({ series: si, cx: +c.getAttribute('cx')!, cy: +c.getAttribute('cy')!, heading, rows, element: c });
    });
  });

  // The dashed source goes on top: under stack it coincides with the first block and would otherwise vanish.
  if (groups.length > 1) groups[0].parentNode?.insertBefore(groups[0], groups[1].nextSibling);
  const plot = plotBox(svg);
  if (map) drawSeams(svg, seamsOf(map), points, plot);
  relabelLegend(svg, data, opts.width, plot, points);
  const detach = attachPointHover(svg, host, points, plot, opts.tooltip);
  return { svg, points, dispose: () => { detach(); svg.remove(); } };
}

/** The plot rectangle, read back from the axes normChart drew (its margins are private to it). */
function plotBox(svg: SVGSVGElement): PlotRect {
  const yDomain = svg.querySelector<SVGPathElement>('.y-axis .domain')!.getBBox();
  const xDomain = svg.querySelector<SVGPathElement>('.x-axis .domain')!;
  const xBox = xDomain.getBBox();
  return { left: xBox.x, right: xBox.x + xBox.width, top: yDomain.y, bottom: yDomain.y + yDomain.height };
}

/** Stack (and SOLAR, slices) restart the layer sequence: a dashed rule between the two copies says where. */
function drawSeams(svg: SVGSVGElement, seams: number[], points: HoverPoint[], plot: PlotRect): void {
  const after = points.filter((p) => p.series === 1);
  const g = d3.select(svg).insert('g', 'g.series').attr('class', 'seams');
  for (const j of seams) {
    const a = after[j - 1], b = after[j];
    if (!a || !b) continue;
    const x = (a.cx + b.cx) / 2;
    g.append('line').attr('class', 'seam').attr('x1', x).attr('x2', x).attr('y1', plot.top).attr('y2', plot.bottom)
      .attr('stroke', 'var(--graft-chart-muted, #8a8a8a)').attr('stroke-dasharray', '2 3');
    g.append('text').attr('class', 'seam-label').attr('x', x + 4).attr('y', plot.top + 12)
      .attr('fill', 'var(--graft-chart-muted, #8a8a8a)').attr('font-size', 11).text('seam');
  }
}

/** Replaces normChart's fixed "before/after (n layers)" legend with one that names the edit and fits the width. */
function relabelLegend(svg: SVGSVGElement, data: ChartData, width: number, plot: PlotRect, points: HoverPoint[]): void {
  const root = d3.select(svg);
  const old = root.select<SVGGElement>('g.legend');
  if (old.empty()) return;
  const strokes = ['before', 'after'].map((s) => root.select<SVGPathElement>(`g.series[data-series="${s}"] path`).attr('stroke') ?? 'currentColor');
  old.remove();
  const entries = [
    { text: `${BEFORE_LABEL} · ${data.before.layers.length} layers`, dash: '5 3', stroke: strokes[0] },
    { text: `${afterLabel(data)} · ${data.after!.layers.length} layers`, dash: null, stroke: strokes[1] },
  ];
  const right = width - 24;
  const legend = root.append('g').attr('class', 'legend');
  let widest = 0;
  entries.forEach((e, i) => {
    const y = 20 + i * 17;
    const t = legend.append('text').attr('x', right).attr('y', y + 4).attr('text-anchor', 'end')
      .attr('fill', 'var(--graft-chart-ink, #3a3a3a)').text(e.text);
    const w = t.node()!.getComputedTextLength() || e.text.length * 6.5;
    widest = Math.max(widest, w);
    legend.append('line').attr('x1', right - w - 30).attr('x2', right - w - 8).attr('y1', y).attr('y2', y)
      .attr('stroke', e.stroke).attr('stroke-width', 2).attr('stroke-dasharray', e.dash);
  });
  const title = svg.querySelector<SVGTextElement>('text.title');
  const titleEnd = title ? +(title.getAttribute('x') ?? 0) + title.getComputedTextLength() : 0;
  if (titleEnd + 24 < right - widest - 30) {
    fitSubtitle(svg, right - widest - 44);
    return;
  }
  // Too narrow for title and legend on one line: the legend moves into the plot corner that covers the fewest
  // points (a Figure-2 curve rises, so usually top-left), on a backing so gridlines don't cross it.
  const w = widest + 48, h = 2 * 17 + 6;
  const corners = [[plot.left + 4, plot.top + 4], [plot.right - w - 4, plot.bottom - h - 4], [plot.right - w - 4, plot.top + 4], [plot.left + 4, plot.bottom - h - 4]];
  const covered = (x: number, y: number) => points.filter((p) => p.cx >= x - 4 && p.cx <= x + w + 4 && p.cy >= y - 4 && p.cy <= y + h + 4).length;
  const [bx, by] = corners.reduce((best, c) => (covered(c[0], c[1]) < covered(best[0], best[1]) ? c : best));
  legend.selectAll('text').attr('text-anchor', 'start').attr('x', bx + 38).attr('y', (_, i) => by + 16 + i * 17);
  legend.selectAll('line').attr('x1', bx + 8).attr('x2', bx + 30).attr('y1', (_, i) => by + 12 + i * 17).attr('y2', (_, i) => by + 12 + i * 17);
  legend.insert('rect', ':first-child').attr('x', bx).attr('y', by).attr('width', w).attr('height', h)
    .attr('fill', 'var(--graft-chart-bg, #ffffff)').attr('fill-opacity', 0.9).attr('stroke', 'var(--graft-chart-grid, #e4e4e4)');
}

/** The subtitle is a path: when the legend needs its room, keep the path's tail, which names the checkpoint. */
function fitSubtitle(svg: SVGSVGElement, limit: number): void {
  const sub = svg.querySelector<SVGTextElement>('text.subtitle');
  if (!sub) return;
  const x = +(sub.getAttribute('x') ?? 0);
  const full = sub.textContent ?? '';
  let keep = full.length;
  while (keep > 8 && x + sub.getComputedTextLength() > limit) {
    keep -= 2;
    sub.textContent = `…${full.slice(full.length - keep)}`;
  }
}
