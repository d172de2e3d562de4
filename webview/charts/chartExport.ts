// Export of what the chart shows. SVG: a clone whose theme colours (CSS variables, currentColor, stylesheet-only
// opacity) are replaced by the computed values, so the file renders the same outside the webview. PNG: that SVG
// drawn onto a canvas at 2× (needs `img-src blob:` in the panel's CSP). CSV: the numbers at full precision.
import type { NormProfile, ProfileKind } from './sharedChart.js';
import type { ChartData } from './chartState.js';
import { TRANSIENT } from './pointHover.js';

/** Presentation attributes whose value may depend on the theme. */
const PAINT = ['fill', 'stroke', 'stop-color', 'color'];
/** Numbers the stylesheet may override (softened gridlines, high contrast's thicker lines): copied when the
 *  computed value differs from the attribute, or from the initial value where there is no attribute. */
const NUMERIC: [prop: string, initial: number][] = [['stroke-width', 1], ['stroke-opacity', 1], ['fill-opacity', 1], ['opacity', 1]];

export function serializeSvg(live: SVGSVGElement): string {
  const clone = live.cloneNode(true) as SVGSVGElement;
  const liveEls = [live, ...Array.from(live.querySelectorAll('*'))];
  const cloneEls = [clone, ...Array.from(clone.querySelectorAll('*'))];
  liveEls.forEach((el, i) => {
    const out = cloneEls[i];
    const cs = getComputedStyle(el);
    for (const attr of PAINT) {
      const v = el.getAttribute(attr);
      if (v && (v.includes('var(') || v === 'currentColor')) out.setAttribute(attr, cs.getPropertyValue(attr));
    }
    for (const [prop, initial] of NUMERIC) {
      const v = parseFloat(cs.getPropertyValue(prop));
      const attr = el.getAttribute(prop);
      if (Number.isFinite(v) && v !== (attr === null ? initial : parseFloat(attr))) out.setAttribute(prop, String(v));
    }
  });
  clone.querySelectorAll(`.${TRANSIENT}`).forEach((el) => el.remove());
  for (const attr of ['tabindex', 'aria-label', 'class']) clone.removeAttribute(attr);
  clone.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  // The webview's font stack names VS Code's UI font; a standalone file keeps the chart's own generic stack.
  return `<?xml version="1.0" encoding="UTF-8"?>\n${new XMLSerializer().serializeToString(clone)}\n`;
}

/** Rasterises SVG text at `scale`× and returns a PNG data URL. */
export async function svgToPng(svgText: string, width: number, height: number, scale = 2): Promise<string> {
  const url = URL.createObjectURL(new Blob([svgText], { type: 'image/svg+xml' }));
  try {
    const img = new Image();
    img.src = url;
    await img.decode();
    const canvas = document.createElement('canvas');
    canvas.width = Math.round(width * scale);
    canvas.height = Math.round(height * scale);
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new Error('no 2d canvas context');
    ctx.scale(scale, scale);
    ctx.drawImage(img, 0, 0, width, height);
    return canvas.toDataURL('image/png');
  } finally {
    URL.revokeObjectURL(url);
  }
}

function cell(v: number | null | undefined): string {
  return v === null || v === undefined || !Number.isFinite(v) ? '' : String(v);
}

function byLayer(p: NormProfile | undefined): Map<number, NormProfile['layers'][number]> {
  return new Map((p?.layers ?? []).map((l) => [l.layer, l]));
}

function unionLayers(data: ChartData): number[] {
  return [...new Set([...data.before.layers, ...(data.after?.layers ?? [])].map((l) => l.layer))].sort((a, b) => a - b);
}

/** One row per layer index: `layer,kind,before,after` (after empty without an overlay). Values round-trip. */
export function profileCsv(data: ChartData, kind: ProfileKind): string {
  const b = byLayer(data.before), a = byLayer(data.after);
  const rows = ['layer,kind,before,after'];
  for (const layer of unionLayers(data)) rows.push([layer, kind, cell(b.get(layer)?.values[kind]), cell(a.get(layer)?.values[kind])].join(','));
  return rows.join('\n') + '\n';
}

/** The heatmap's numbers: one row per (layer, expert) present in either model. */
export function expertsCsv(data: ChartData): string {
  const b = byLayer(data.before), a = byLayer(data.after);
  const rows = ['layer,expert,before,after'];
  for (const layer of unionLayers(data)) {
    const eb = b.get(layer)?.perExpert ?? [], ea = a.get(layer)?.perExpert ?? [];
    for (let e = 0; e < Math.max(eb.length, ea.length); e++) rows.push([layer, e, cell(eb[e]), cell(ea[e])].join(','));
  }
  return rows.join('\n') + '\n';
}
