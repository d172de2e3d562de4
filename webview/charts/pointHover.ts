// Hover and keyboard reading of a line chart's points. The pointer snaps to the nearest point (Delaunay), so the
// 3px dots need no aiming; arrow keys walk the same points for keyboard and screen-reader users.
import * as d3 from 'd3';
import type { ChartTooltip, TooltipContent } from './tooltip.js';

export interface HoverPoint extends TooltipContent {
  /** 0 = source curve, 1 = overlay. */
  series: number;
  cx: number;
  cy: number;
  element: SVGElement;
}

export interface PlotRect { left: number; right: number; top: number; bottom: number }

/** Elements with this class are interaction chrome: the exporter leaves them out. */
export const TRANSIENT = 'graft-transient';

export function attachPointHover(svg: SVGSVGElement, host: HTMLElement, points: HoverPoint[], plot: PlotRect, tooltip: ChartTooltip): () => void {
  if (!points.length) return () => undefined;
  const delaunay = d3.Delaunay.from(points, (p) => p.cx, (p) => p.cy);
  const root = d3.select(svg);
  const ring = root.append('circle').attr('class', `hover-ring ${TRANSIENT}`).attr('r', 6.5).attr('fill', 'none')
    .attr('stroke', 'var(--graft-chart-ink, #3a3a3a)').attr('stroke-width', 2).attr('pointer-events', 'none').attr('visibility', 'hidden');
  const pad = 12;
  const target = root.append('rect').attr('class', `hover-target ${TRANSIENT}`)
    .attr('x', plot.left - pad).attr('y', plot.top - pad)
    .attr('width', plot.right - plot.left + 2 * pad).attr('height', plot.bottom - plot.top + 2 * pad)
    .attr('fill', 'transparent').attr('pointer-events', 'all');
  let active = -1;

  const show = (i: number): void => {
    active = i;
    const p = points[i];
    ring.attr('cx', p.cx).attr('cy', p.cy).attr('stroke', p.element.getAttribute('fill')).attr('visibility', 'visible');
    svg.setAttribute('aria-label', `${p.heading}: ${p.rows.map(([k, v]) => `${k} ${v}`).join(', ')}`);
    const s = svg.getBoundingClientRect(), h = host.getBoundingClientRect();
    tooltip.show(p, s.left - h.left + host.scrollLeft + p.cx, s.top - h.top + host.scrollTop + p.cy);
  };
  const hide = (): void => {
    ring.attr('visibility', 'hidden');
    tooltip.hide();
  };

  const onMove = (e: PointerEvent): void => {
    const [x, y] = d3.pointer(e, svg);
    show(delaunay.find(x, y, active >= 0 ? active : 0));
  };
  // Left/right walk one curve; up/down jump to the other curve's point nearest in x.
  const onKey = (e: KeyboardEvent): void => {
    const cur = active >= 0 ? points[active] : undefined;
    const same = (s: number) => points.map((p, i) => ({ p, i })).filter((q) => q.p.series === s).sort((a, b) => a.p.cx - b.p.cx);
    let next: number | undefined;
    if (e.key === 'Escape') { hide(); return; }
    if (!cur) next = 0;
    else if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') {
      const line = same(cur.series);
      const k = line.findIndex((q) => q.i === active) + (e.key === 'ArrowRight' ? 1 : -1);
      next = line[Math.max(0, Math.min(line.length - 1, k))].i;
    } else if (e.key === 'ArrowUp' || e.key === 'ArrowDown') {
      const other = same(cur.series === 0 ? 1 : 0);
      if (other.length) next = other.reduce((a, b) => (Math.abs(b.p.cx - cur.cx) < Math.abs(a.p.cx - cur.cx) ? b : a)).i;
    } else return;
    e.preventDefault();
    if (next !== undefined) show(next);
  };

  svg.setAttribute('tabindex', '0');
  svg.setAttribute('aria-label', 'Norm profile chart. Arrow keys read the values.');
  target.on('pointermove', onMove).on('pointerleave', hide);
  svg.addEventListener('keydown', onKey);
  svg.addEventListener('focus', () => show(active >= 0 ? active : 0));
  svg.addEventListener('blur', hide);
  return () => {
    target.on('pointermove', null).on('pointerleave', null);
    svg.removeEventListener('keydown', onKey);
    hide();
  };
}
