// The norm-chart panel's webview (bundle dist/charts.js, styles dist/charts.css): mounts the chart app, says
// "ready", and draws what the host sends. Every host message is validated first. The view state (kind, view) and
// the checkpoint's URI are saved with setState, so a reload (or the panel serializer after a window reload)
// brings back the same chart.
import './charts/charts.css';
import { parseChartsToWebview, type ChartsFromWebview, type ChartsToWebview, type ChartViewState } from '../src/protocol.js';
import { mountChartApp } from './charts/chartApp.js';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

/** What this webview saves; the host's serializer reads `uri` and `chart` (src/extension/charts/normCharts.ts). */
interface SavedState {
  uri?: string;
  title?: string;
  chart?: ChartViewState;
}

const api = acquireVsCodeApi();
const post = (m: ChartsFromWebview) => api.postMessage(m);
const saved = ((): SavedState => {
  const s = api.getState();
  return s && typeof s === 'object' ? (s as SavedState) : {};
})();
let current: SavedState = { ...saved };
const save = (patch: Partial<SavedState>) => {
  current = { ...current, ...patch };
  api.setState(current);
};

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

const root = document.getElementById('charts')!;
const heading = el('h2', { 'data-testid': 'chart-title' }, saved.title ? `Norm profile: ${saved.title}` : 'Norm profile');
const caption = el('p', { class: 'graft-charts-status', 'data-testid': 'chart-caption' });
const status = el('p', { class: 'graft-charts-status', role: 'status', 'data-testid': 'chart-status' });
const progress = el('progress', { max: '1', 'aria-label': 'Progress' });
progress.hidden = true;
const chartRoot = el('div', { 'data-testid': 'chart' });
root.append(heading, caption, status, progress, chartRoot);

const app = mountChartApp(chartRoot, {
  initialState: saved.chart,
  onStateChange(state) {
    save({ chart: state });
    post({ type: 'charts/state', state });
  },
  onExport(format, data) {
    post({ type: 'charts/export', format, data });
  },
});
if (saved.chart) post({ type: 'charts/state', state: app.getState() });

function handle(m: ChartsToWebview): void {
  switch (m.type) {
    case 'charts/data': {
      heading.textContent = `Norm profile: ${m.title}`;
      document.title = `Norms: ${m.title}`;
      caption.textContent = m.caption;
      status.textContent = m.data.after && m.data.pendingLabel ? `after: ${m.data.pendingLabel}` : '';
      progress.hidden = true;
      app.update(m.data);
      root.dataset.state = m.data.after ? 'overlay' : 'profile';
      root.dataset.layers = String(m.data.before.layers.length);
      if (m.data.after) root.dataset.afterLayers = String(m.data.after.layers.length);
      else delete root.dataset.afterLayers;
      save({ uri: m.uri, title: m.title, chart: app.getState() });
      return;
    }
    case 'charts/progress':
      heading.textContent = `Norm profile: ${m.title}`;
      status.textContent = m.message;
      progress.hidden = false;
      if (m.fraction === undefined) progress.removeAttribute('value');
      else progress.value = m.fraction;
      save({ uri: m.uri, title: m.title });
      return;
    case 'charts/error':
      progress.hidden = true;
      status.textContent = m.stale ? `${m.error.message} (the chart shows the last result)` : m.error.message;
      root.dataset.state = m.stale ? root.dataset.state ?? 'error' : 'error';
      return;
    case 'charts/state':
      app.setState(m.state);
      save({ chart: app.getState() });
      return;
  }
}

const reportError = (message: string) => post({ type: 'webview/error', message });
window.addEventListener('error', (e) => reportError(`${e.message} (${e.filename}:${e.lineno})`));
document.addEventListener('securitypolicyviolation', (e) => reportError(`CSP blocked ${e.violatedDirective} (${e.sourceFile}:${e.lineNumber})`));
window.addEventListener('unhandledrejection', (e) => reportError(`unhandled rejection: ${e.reason}`));
window.addEventListener('message', (event: MessageEvent) => {
  let message: ChartsToWebview;
  try {
    message = parseChartsToWebview(event.data);
  } catch (err) {
    reportError(`rejected a message from the host: ${(err as Error).message}`);
    return;
  }
  try {
    handle(message);
  } catch (err) {
    reportError(`handling ${message.type}: ${(err as Error).stack ?? err}`);
  }
});
post({ type: 'charts/ready' });
