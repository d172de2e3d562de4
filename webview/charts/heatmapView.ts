// The per-expert heatmap: layer × expert mean RMS, the source and the grown model side by side in one SVG (so one
// export holds both) with one shared colour scale, so a copied expert shows the same colour as its original.
// Viridis: perceptually even, colour-blind safe, and its ends stay apart from white, #1e1e1e and black; cells are
// separated by a hairline of the background so neighbours stay distinct in every theme.
import * as d3 from 'd3';
import type { NormProfile } from './sharedChart.js';
import { afterLabel, BEFORE_LABEL, type ChartData } from './chartState.js';
import { TRANSIENT } from './pointHover.js';
import { fmt4, type ChartTooltip } from './tooltip.js';

const INK = 'var(--graft-chart-ink, #3a3a3a)';
const MUTED = 'var(--graft-chart-muted, #8a8a8a)';
const BG = 'var(--graft-chart-bg, #ffffff)';
const EMPTY = 'var(--graft-chart-grid, #e4e4e4)';
const FONT = 'system-ui, -apple-system, Segoe UI, sans-serif';

let gradientIds = 0;

interface Panel { label: string; profile: NormProfile; experts: number }

function expertCount(p: NormProfile): number {
  return Math.max(0, ...p.layers.map((l) => l.perExpert?.length ?? 0));
}

export interface HeatmapView {
  svg: SVGSVGElement;
  dispose(): void;
}

export function drawHeatmapView(host: HTMLElement, data: ChartData, opts: { width: number; tooltip: ChartTooltip }): HeatmapView {
  const panels: Panel[] = [{ label: BEFORE_LABEL, profile: data.before, experts: expertCount(data.before) }];
  if (data.after && expertCount(data.after)) panels.push({ label: afterLabel(data), profile: data.after, experts: expertCount(data.after) });
  const values = panels.flatMap((p) => p.profile.layers.flatMap((l) => (l.perExpert ?? []).filter((v): v is number => v !== null && Number.isFinite(v))));
  const [lo, hi] = values.length ? (d3.extent(values) as [number, number]) : [0, 1];
  const color = d3.scaleSequential(d3.interpolateViridis).domain(lo === hi ? [lo - 1e-12, hi + 1e-12] : [lo, hi]);

  const width = opts.width;
  const m = { top: 92, right: 24, bottom: 56, left: 24 };
  const axisW = 44, gap = 36;
  const layers = panels.reduce((n, p) => n + p.profile.layers.length, 0);
  const avail = width - m.left - m.right - panels.length * axisW - (panels.length - 1) * gap;
  const cw = Math.max(3, Math.min(40, avail / Math.max(1, layers)));
  const maxExperts = Math.max(1, ...panels.map((p) => p.experts));
  const ch = Math.max(4, Math.min(26, 300 / maxExperts));
  const height = m.top + maxExperts * ch + m.bottom;

  const svg = d3.select(host).append('svg').attr('class', 'graft-heatmap').attr('xmlns', 'http://www.w3.org/2000/svg')
    .attr('width', width).attr('height', height).attr('viewBox', `0 0 ${width} ${height}`)
    .attr('font-family', FONT).attr('font-size', 12).attr('role', 'img');
  svg.append('rect').attr('width', width).attr('height', height).attr('fill', BG);
  const title = 'Per-expert RMS: routed experts';
  svg.append('title').text(title);
  svg.append('text').attr('class', 'title').attr('x', m.left).attr('y', 24).attr('fill', INK).attr('font-size', 15).attr('font-weight', 600).text(title);
  svg.append('text').attr('class', 'subtitle').attr('x', m.left).attr('y', 42).attr('fill', MUTED)
    .text('mean RMS of each expert’s gate/up/down · one colour scale for both models');
  drawColorLegend(svg, color, width - m.right - 200, 16, 200);

  let x0 = m.left;
  const cells: { rect: SVGRectElement; panel: Panel; layer: number; expert: number; value: number | null }[] = [];
  for (const panel of panels) {
    const n = panel.profile.layers.length;
    const g = svg.append('g').attr('class', 'panel').attr('data-series', panel === panels[0] ? 'before' : 'after')
      .attr('transform', `translate(${x0 + axisW},${m.top})`);
    g.append('text').attr('class', 'panel-label').attr('x', 0).attr('y', -14).attr('fill', INK).attr('font-weight', 600)
      .text(`${panel.label} · ${n} layers × ${panel.experts} experts`);
    for (const [li, l] of panel.profile.layers.entries()) {
      for (let e = 0; e < panel.experts; e++) {
        const v = l.perExpert?.[e] ?? null;
        const ok = v !== null && Number.isFinite(v);
        const rect = g.append('rect').attr('class', ok ? 'cell' : 'cell missing')
          .attr('x', li * cw).attr('y', e * ch).attr('width', cw).attr('height', ch)
          .attr('fill', ok ? color(v) : EMPTY).attr('stroke', BG).attr('stroke-width', cw > 6 && ch > 6 ? 1 : 0.5);
        cells.push({ rect: rect.node()!, panel, layer: l.layer, expert: e, value: ok ? v : null });
      }
    }
    const xs = d3.scaleBand<number>().domain(panel.profile.layers.map((l) => l.layer)).range([0, n * cw]);
    const everyX = Math.ceil(28 / cw);
    g.append('g').attr('class', 'x-axis').attr('transform', `translate(0,${panel.experts * ch})`)
      .call(d3.axisBottom(xs).tickSize(3).tickValues(xs.domain().filter((_, i) => i % everyX === 0)));
    const ys = d3.scaleBand<number>().domain(d3.range(panel.experts)).range([0, panel.experts * ch]);
    const everyY = Math.ceil(14 / ch);
    g.append('g').attr('class', 'y-axis').call(d3.axisLeft(ys).tickSize(3).tickValues(ys.domain().filter((_, i) => i % everyY === 0)));
    g.append('text').attr('x', (n * cw) / 2).attr('y', panel.experts * ch + 34).attr('text-anchor', 'middle').attr('fill', INK).text('layer');
    g.append('text').attr('transform', `translate(-30,${(panel.experts * ch) / 2}) rotate(-90)`).attr('text-anchor', 'middle').attr('fill', INK).text('expert');
    x0 += axisW + n * cw + gap;
  }
  svg.selectAll('.domain').remove();
  svg.selectAll('.tick line').attr('stroke', MUTED);
  svg.selectAll('.tick text').attr('fill', INK).attr('font-size', 11);

  // One listener for all cells: a 64-expert × 96-layer model has thousands of rects.
  const byRect = new Map(cells.map((c) => [c.rect as Element, c]));
  const ring = svg.append('rect').attr('class', `hover-cell ${TRANSIENT}`).attr('fill', 'none').attr('stroke', INK)
    .attr('stroke-width', 2).attr('pointer-events', 'none').attr('visibility', 'hidden');
  const onOver = (e: PointerEvent): void => {
    const c = byRect.get(e.target as Element);
    if (!c) { hide(); return; }
    const box = c.rect.getBBox(), panelG = c.rect.parentNode as SVGGElement;
    const t = panelG.transform.baseVal.consolidate()?.matrix;
    const x = box.x + (t?.e ?? 0), y = box.y + (t?.f ?? 0);
    ring.attr('x', x - 1).attr('y', y - 1).attr('width', box.width + 2).attr('height', box.height + 2).attr('visibility', 'visible');
    const layer = c.panel.profile.layers.find((l) => l.layer === c.layer)!;
    const mean = layer.values.experts;
    const perExpert = layer.perExpert?.length ? Math.round(layer.counts.experts / layer.perExpert.length) : 0;
    const rows: [string, string][] = [['value', fmt4(c.value)], ['layer mean', fmt4(mean)]];
    if (c.value !== null && mean) rows.push(['vs mean', `${c.value >= mean ? '+' : ''}${(100 * (c.value / mean - 1)).toFixed(1)}%`]);
    if (perExpert) rows.push(['averaged', `${perExpert} matrices`]);
    const s = svg.node()!.getBoundingClientRect(), h = host.getBoundingClientRect();
    opts.tooltip.show({ heading: `${c.panel.label} · layer ${c.layer} · expert ${c.expert}`, rows },
      s.left - h.left + host.scrollLeft + x + box.width / 2, s.top - h.top + host.scrollTop + y + box.height / 2);
  };
  const hide = (): void => { ring.attr('visibility', 'hidden'); opts.tooltip.hide(); };
  const node = svg.node()!;
  node.addEventListener('pointerover', onOver);
  node.addEventListener('pointerleave', hide);
  return {
    svg: node,
    dispose: () => {
      node.removeEventListener('pointerover', onOver);
      node.removeEventListener('pointerleave', hide);
      hide();
      node.remove();
    },
  };
}

/** A horizontal gradient bar with min/max ticks; the gradient is sampled so it renders anywhere SVG 1.1 does. */
function drawColorLegend(svg: d3.Selection<SVGSVGElement, unknown, null, undefined>, color: d3.ScaleSequential<string>, x: number, y: number, w: number): void {
  const id = `graft-heat-${++gradientIds}`;
  const grad = svg.append('defs').append('linearGradient').attr('id', id);
  const [lo, hi] = color.domain();
  for (let i = 0; i <= 10; i++) grad.append('stop').attr('offset', `${i * 10}%`).attr('stop-color', color(lo + ((hi - lo) * i) / 10));
  const g = svg.append('g').attr('class', 'color-legend').attr('transform', `translate(${x},${y})`);
  g.append('rect').attr('width', w).attr('height', 10).attr('fill', `url(#${id})`).attr('stroke', MUTED).attr('stroke-width', 0.5);
  const s = d3.scaleLinear().domain([lo, hi]).range([0, w]);
  g.append('g').attr('transform', 'translate(0,10)').call(d3.axisBottom(s).ticks(4).tickSize(3).tickFormat(d3.format('.3~g')))
    .call((a) => a.select('.domain').remove())
    .call((a) => a.selectAll('text').attr('fill', INK).attr('font-size', 10))
    .call((a) => a.selectAll('line').attr('stroke', MUTED));
  g.append('text').attr('x', 0).attr('y', 42).attr('fill', MUTED).attr('font-size', 11).text('mean RMS per expert');
}
