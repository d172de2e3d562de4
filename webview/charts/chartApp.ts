// The norm-chart app: a component mounted into an element the panel owns. Plain data in (update), view state in
// and out (setState / onStateChange, for the host's getState/setState), exports out (onExport). It never talks to
// the host itself, so the same component runs in the extension's panel and in the browser test harness.
// Controls are plain themed HTML: the webview UI toolkit stays in webview/toolkit.ts alone.
import type { ProfileKind } from './sharedChart.js';
import { expertsCsv, profileCsv, serializeSvg, svgToPng } from './chartExport.js';
import {
  availableKinds, DEFAULT_STATE, effectiveState, hasPerExpert, parseState,
  type ChartData, type ChartState, type ChartView, type ExportFormat,
} from './chartState.js';
import { drawHeatmapView } from './heatmapView.js';
import { drawProfileView } from './profileView.js';
import { ChartTooltip } from './tooltip.js';

export type { ChartData, ChartState, ChartView, ExportFormat };

export interface ChartAppOptions {
  /** svg: the SVG file's text; png: a data URL; csv: the file's text. */
  onExport?: (kind: ExportFormat, data: string) => void;
  /** Fired on user changes only (not on setState), so the host can persist without echo loops. */
  onStateChange?: (state: ChartState) => void;
  initialState?: unknown;
}

export interface ChartApp {
  update(data: ChartData): void;
  /** Applies a state from the host; untrusted input, parsed with defaults. */
  setState(state: unknown): void;
  getState(): ChartState;
  /** The same export the toolbar buttons perform, for a host command ("Export Chart as PNG"). */
  exportAs(format: ExportFormat): Promise<string>;
  dispose(): void;
}

const KIND_TEXT: Record<ProfileKind, string> = {
  experts: 'Routed experts', attention: 'Attention', router: 'Router', norms: 'Norms', shared: 'Shared experts',
};
const VIEW_TEXT: Record<ChartView, string> = { profile: 'Per-layer profile', heatmap: 'Per-expert heatmap' };
const MIN_WIDTH = 420, MAX_WIDTH = 1200;

function el<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}

export function mountChartApp(root: HTMLElement, opts: ChartAppOptions = {}): ChartApp {
  let state = opts.initialState === undefined ? { ...DEFAULT_STATE } : parseState(opts.initialState);
  let data: ChartData | undefined;
  let current: { svg: SVGSVGElement; dispose(): void } | undefined;
  let drawnWidth = 0;

  const app = el('div', 'graft-charts');
  const toolbar = el('div', 'graft-charts-toolbar');
  toolbar.setAttribute('role', 'toolbar');
  toolbar.setAttribute('aria-label', 'Norm chart');

  const kindLabel = el('label', 'graft-charts-field');
  const kindSelect = el('select', 'graft-charts-select graft-charts-kind');
  kindLabel.append(el('span', undefined, 'Tensors'), kindSelect);
  for (const k of Object.keys(KIND_TEXT) as ProfileKind[]) {
    const o = el('option', undefined, KIND_TEXT[k]);
    o.value = k;
    kindSelect.append(o);
  }

  const viewGroup = el('div', 'graft-charts-segmented');
  viewGroup.setAttribute('role', 'group');
  viewGroup.setAttribute('aria-label', 'View');
  const viewButtons = new Map<ChartView, HTMLButtonElement>();
  for (const v of Object.keys(VIEW_TEXT) as ChartView[]) {
    const b = el('button', 'graft-charts-button', VIEW_TEXT[v]);
    b.type = 'button';
    b.dataset.view = v;
    viewButtons.set(v, b);
    viewGroup.append(b);
  }

  const exportGroup = el('div', 'graft-charts-export');
  exportGroup.setAttribute('role', 'group');
  exportGroup.setAttribute('aria-label', 'Export');
  exportGroup.append(el('span', 'graft-charts-export-label', 'Export'));
  for (const f of ['svg', 'png', 'csv'] as ExportFormat[]) {
    const b = el('button', 'graft-charts-button', f.toUpperCase());
    b.type = 'button';
    b.dataset.export = f;
    b.title = `Export the chart as ${f.toUpperCase()}`;
    exportGroup.append(b);
  }
  exportGroup.hidden = !opts.onExport;

  const status = el('span', 'graft-charts-status');
  status.setAttribute('role', 'status');
  toolbar.append(kindLabel, viewGroup, el('span', 'graft-charts-spacer'), status, exportGroup);

  const figure = el('div', 'graft-charts-figure');
  const tooltip = new ChartTooltip(figure);
  const notes = el('ul', 'graft-charts-notes');
  app.append(toolbar, figure, notes);
  root.append(app);

  function figureWidth(): number {
    const w = figure.clientWidth;
    return Math.round(Math.min(MAX_WIDTH, Math.max(MIN_WIDTH, w || 760)));
  }

  function syncControls(shown: ChartState): void {
    const kinds = data ? availableKinds(data) : [];
    for (const o of Array.from(kindSelect.options)) o.disabled = !kinds.includes(o.value as ProfileKind);
    kindSelect.value = shown.kind;
    // The heatmap is per routed expert: the kind does not apply there.
    kindSelect.disabled = !data || shown.view === 'heatmap';
    kindLabel.title = shown.view === 'heatmap' ? 'The heatmap shows routed experts' : '';
    const heat = !!data && (hasPerExpert(data.before) || hasPerExpert(data.after));
    for (const [v, b] of viewButtons) {
      b.setAttribute('aria-pressed', String(v === shown.view));
      b.disabled = !data || (v === 'heatmap' && !heat);
    }
    viewButtons.get('heatmap')!.title = heat ? '' : 'No per-expert values in this profile';
    for (const b of Array.from(exportGroup.querySelectorAll('button'))) b.disabled = !current;
  }

  function render(): void {
    current?.dispose();
    current = undefined;
    tooltip.hide();
    status.textContent = '';
    figure.querySelector('.graft-charts-empty')?.remove();
    const shown = data ? effectiveState(state, data) : state;
    if (!data || !data.before.layers.length) {
      const msg = el('p', 'graft-charts-empty', data ? 'This profile has no layers.' : 'Computing the norm profile…');
      figure.append(msg);
    } else {
      const width = figureWidth();
      drawnWidth = width;
      current = shown.view === 'heatmap'
        ? drawHeatmapView(figure, data, { width, tooltip })
        : drawProfileView(figure, data, { kind: shown.kind, width, height: Math.round(Math.min(460, Math.max(320, width * 0.52))), tooltip });
      figure.append(tooltip.element); // keep the tooltip above the SVG in paint order
      figure.dataset.view = shown.view;
      figure.dataset.kind = shown.kind;
    }
    renderNotes();
    syncControls(shown);
  }

  function renderNotes(): void {
    const lines = [
      ...(data?.before.notes ?? []).map((n) => `source: ${n}`),
      ...(data?.after?.notes ?? []).map((n) => `after: ${n}`),
    ];
    const shown = lines.slice(0, 4).map((t) => el('li', undefined, t));
    if (lines.length > 4) shown.push(el('li', undefined, `… and ${lines.length - 4} more`));
    notes.replaceChildren(...shown);
    notes.hidden = !shown.length;
  }

  function userChange(next: ChartState): void {
    state = next;
    render();
    opts.onStateChange?.({ ...state });
  }

  async function exportAs(format: ExportFormat): Promise<string> {
    if (!data || !current) throw new Error('nothing to export yet');
    const shown = effectiveState(state, data);
    if (format === 'csv') return shown.view === 'heatmap' ? expertsCsv(data) : profileCsv(data, shown.kind);
    const svgText = serializeSvg(current.svg);
    if (format === 'svg') return svgText;
    return svgToPng(svgText, current.svg.width.baseVal.value, current.svg.height.baseVal.value);
  }

  const onKind = (): void => userChange({ ...state, kind: kindSelect.value as ProfileKind });
  const onClick = (e: MouseEvent): void => {
    const b = (e.target as Element).closest<HTMLButtonElement>('button');
    if (!b || b.disabled) return;
    if (b.dataset.view) {
      if (b.dataset.view !== state.view) userChange({ ...state, view: b.dataset.view as ChartView });
    } else if (b.dataset.export) {
      const format = b.dataset.export as ExportFormat;
      exportAs(format).then((out) => {
        opts.onExport?.(format, out);
        status.textContent = `Exported ${format.toUpperCase()}`;
      }, (err: unknown) => {
        status.textContent = `Export failed: ${(err as Error).message ?? err}`;
      });
    }
  };
  kindSelect.addEventListener('change', onKind);
  toolbar.addEventListener('click', onClick);

  // Redraw on width changes only (the chart sets its own height), once per frame at most.
  let frame = 0;
  const resize = new ResizeObserver(() => {
    cancelAnimationFrame(frame);
    frame = requestAnimationFrame(() => { if (current && Math.abs(figureWidth() - drawnWidth) > 1) render(); });
  });
  resize.observe(figure);
  render();

  return {
    update(next) { data = next; render(); },
    setState(raw) { state = parseState(raw); render(); },
    getState: () => ({ ...state }),
    exportAs,
    dispose() {
      resize.disconnect();
      cancelAnimationFrame(frame);
      kindSelect.removeEventListener('change', onKind);
      toolbar.removeEventListener('click', onClick);
      current?.dispose();
      app.remove();
    },
  };
}
