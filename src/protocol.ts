// The one message protocol between the extension host and Graft's webviews. One union per direction, discriminated
// on `type`; a doc line per message; a request/reply helper with ids; and runtime validators that both sides run
// on everything they receive (a webview is untrusted input, and the host's messages are checked too, so a bad
// payload fails loudly at the boundary instead of deep inside rendering). Only type imports from src/core: this
// file is bundled into the webview and must stay free of Node, vscode and the DOM.
import type { DType } from './core/safetensors/types';
import type { ModelTree, NodeKind, NodeOrigin, TreeNode } from './core/model/types';
import type { BeforeAfter, GrowthPreview } from './core/edits/growthPreview';

export type { BeforeAfter, DType, GrowthPreview, ModelTree, NodeKind, NodeOrigin, TreeNode };

// ---------------------------------------------------------------------------------------------------------------
// Payloads

/** A failure as the webview shows it: already worded for the user (GraftError's fields when it was one). */
export interface ErrorView {
  /** Error class name, e.g. "SafetensorsError". */
  name: string;
  /** Stable code, e.g. "safetensors.header_past_end"; "internal" for bugs. */
  code: string;
  message: string;
  file?: string;
  tensor?: string;
  rule?: string;
}

/** One tensor as listed under a node: what the safetensors header says about it. */
export interface TensorView {
  name: string;
  dtype: DType;
  shape: number[];
  params: number;
  bytes: number;
}

// ---------------------------------------------------------------------------------------------------------------
// Host → webview

export type ToWebview =
  /** Shows a checkpoint: summary and layer/expert listing, replacing whatever was shown. */
  | { type: 'model/show'; title: string; model: ModelTree }
  /** Shows why the checkpoint could not be read, in place of the model. */
  | { type: 'error/show'; title: string; error: ErrorView }
  /** A node was selected in the Checkpoint tree: scroll it into view and highlight it. */
  | { type: 'tree/select'; nodeId: string }
  /** The growth edits: applied labels (oldest first), redoable ones, unsaved or not, and the plan preview (null: none applied). */
  | { type: 'edits/show'; applied: string[]; redoable: string[]; dirty: boolean; preview: GrowthPreview | null }
  /** The answer to a webview request. */
  | Reply;

// ---------------------------------------------------------------------------------------------------------------
// Webview → host

export type FromWebview =
  /** The webview's script runs and listens: the host sends (or sends again, after a reload) its content. */
  | { type: 'ready' }
  /** The user picked a node in the webview: reveal and select it in the Checkpoint tree. Request; reply `ok`. */
  | { type: 'node/reveal'; requestId: number; nodeId: string }
  /** The webview wants the tensors a node holds directly. Request; reply `value` is `TensorView[]`. */
  | { type: 'node/tensors'; requestId: number; nodeId: string }
  /** The user asked for the Graft log (the error view's button). */
  | { type: 'log/show' }
  /** The pending-changes list's undo / redo buttons: VS Code's undo / redo on this editor. */
  | { type: 'edits/undo' }
  | { type: 'edits/redo' }
  /** An uncaught error inside the webview, for the host's log. */
  | { type: 'webview/error'; message: string };

/** The answer to a request, in either direction: `ok` with an optional `value`, or `error` worded for the user. */
export interface Reply {
  type: 'reply';
  inReplyTo: number;
  ok: boolean;
  value?: unknown;
  error?: string;
}

/** The requests of each direction: the messages that carry a `requestId`. */
export type RequestOf<M> = Extract<M, { requestId: number }>;
/** A request before the messenger numbers it. */
export type Unnumbered<M> = M extends { requestId: number } ? Omit<M, 'requestId'> : never;

// ---------------------------------------------------------------------------------------------------------------
// Request/reply

/** Numbers outgoing requests and settles them when their reply arrives; one per side. */
export class Messenger<Out extends { type: string }> {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (r: Reply) => void; reject: (e: Error) => void; timer: ReturnType<typeof setTimeout> }>();

  constructor(private readonly post: (message: Out) => void, private readonly timeoutMs = 10_000) {}

  send(message: Out): void {
    this.post(message);
  }

  /** Sends a request and resolves with its reply (rejects when the reply says not ok, or none comes in time). */
  request(message: Unnumbered<RequestOf<Out>>): Promise<Reply> {
    const requestId = this.nextId++;
    return new Promise<Reply>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(requestId);
        reject(new Error(`no reply to ${message.type} within ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      this.pending.set(requestId, { resolve, reject, timer });
      this.post({ ...message, requestId } as unknown as Out);
    });
  }

  /** Settles the request a reply answers; returns false for a reply nobody waits for. */
  settle(reply: Reply): boolean {
    const p = this.pending.get(reply.inReplyTo);
    if (!p) return false;
    this.pending.delete(reply.inReplyTo);
    clearTimeout(p.timer);
    if (reply.ok) p.resolve(reply);
    else p.reject(new Error(reply.error ?? 'request failed'));
    return true;
  }

  /** Rejects every pending request (the other side went away). */
  dispose(): void {
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(new Error('the other side closed'));
      this.pending.delete(id);
    }
  }
}

export function replyTo(request: { requestId: number }, outcome: { value?: unknown } | { error: string }): Reply {
  return 'error' in outcome
    ? { type: 'reply', inReplyTo: request.requestId, ok: false, error: outcome.error }
    : { type: 'reply', inReplyTo: request.requestId, ok: true, value: outcome.value };
}

// ---------------------------------------------------------------------------------------------------------------
// Validators: each returns the typed message, or throws ProtocolViolation naming what is wrong.

export class ProtocolViolation extends Error {
  override readonly name = 'ProtocolViolation';
}

type Obj = Record<string, unknown>;
const MAX_ID = 512;
const MAX_TEXT = 64 * 1024;
const MAX_DEPTH = 16;

function violation(what: string): never {
  throw new ProtocolViolation(what);
}
function obj(v: unknown, what: string): Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : violation(`${what} must be an object`);
}
function str(v: unknown, what: string, max = MAX_TEXT): string {
  return typeof v === 'string' && v.length <= max ? v : violation(`${what} must be a string of at most ${max} characters`);
}
function optStr(v: unknown, what: string): string | undefined {
  return v === undefined ? undefined : str(v, what);
}
function count(v: unknown, what: string): number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : violation(`${what} must be a non-negative integer`);
}
function optCount(v: unknown, what: string): number | undefined {
  return v === undefined ? undefined : count(v, what);
}
function arr(v: unknown, what: string): unknown[] {
  return Array.isArray(v) ? v : violation(`${what} must be an array`);
}
function bool(v: unknown, what: string): boolean {
  return typeof v === 'boolean' ? v : violation(`${what} must be a boolean`);
}

const NODE_KINDS: ReadonlySet<string> = new Set<NodeKind>([
  'model', 'embeddings', 'layers', 'layer', 'attention', 'norms', 'router', 'experts', 'expert',
  'shared_experts', 'mlp', 'final_norm', 'head', 'mtp', 'mtp_layer', 'other',
]);

function checkNode(v: unknown, what: string, depth: number): TreeNode {
  if (depth > MAX_DEPTH) violation(`${what} is nested deeper than ${MAX_DEPTH}`);
  const n = obj(v, what);
  str(n.id, `${what}.id`, MAX_ID);
  str(n.label, `${what}.label`);
  if (!NODE_KINDS.has(str(n.kind, `${what}.kind`))) violation(`${what}.kind ${JSON.stringify(n.kind)} is not a node kind`);
  count(n.params, `${what}.params`);
  count(n.bytes, `${what}.bytes`);
  arr(n.dtypes, `${what}.dtypes`).forEach((d, i) => str(d, `${what}.dtypes[${i}]`, 16));
  arr(n.tensors, `${what}.tensors`).forEach((t, i) => str(t, `${what}.tensors[${i}]`));
  optCount(n.layer, `${what}.layer`);
  optCount(n.expert, `${what}.expert`);
  if (n.origin !== undefined) checkOrigin(n.origin, `${what}.origin`);
  arr(n.children, `${what}.children`).forEach((c, i) => checkNode(c, `${what}.children[${i}]`, depth + 1));
  return n as unknown as TreeNode;
}

const ORIGIN_CHANGES: ReadonlySet<string> = new Set<NodeOrigin['change']>(['copied', 'zeroed', 'noised']);

function checkOrigin(v: unknown, what: string): NodeOrigin {
  const o = obj(v, what);
  if (!ORIGIN_CHANGES.has(str(o.change, `${what}.change`, 16))) violation(`${what}.change ${JSON.stringify(o.change)} is not an origin`);
  optCount(o.sourceLayer, `${what}.sourceLayer`);
  if (o.sourceExpert !== undefined && o.sourceExpert !== 'mlp') count(o.sourceExpert, `${what}.sourceExpert`);
  str(o.text, `${what}.text`, 256);
  return o as unknown as NodeOrigin;
}

function beforeAfter(v: unknown, what: string): BeforeAfter {
  const o = obj(v, what);
  return { before: count(o.before, `${what}.before`), after: count(o.after, `${what}.after`) };
}

function optBeforeAfter(v: unknown, what: string): BeforeAfter | null {
  return v === null ? null : beforeAfter(v, what);
}

const MAX_EDITS = 1000;

function labels(v: unknown, what: string): string[] {
  const a = arr(v, what);
  if (a.length > MAX_EDITS) violation(`${what} has more than ${MAX_EDITS} entries`);
  return a.map((x, i) => str(x, `${what}[${i}]`, 512));
}

/** Checks a growth plan preview (host → webview). */
export function checkGrowthPreview(v: unknown, what = 'preview'): GrowthPreview {
  const p = obj(v, what);
  const c = obj(p.counts, `${what}.counts`);
  const f = obj(p.functionPreserved, `${what}.functionPreserved`);
  return {
    layers: beforeAfter(p.layers, `${what}.layers`), experts: optBeforeAfter(p.experts, `${what}.experts`), topK: optBeforeAfter(p.topK, `${what}.topK`),
    params: beforeAfter(p.params, `${what}.params`), activeParams: beforeAfter(p.activeParams, `${what}.activeParams`), bytes: beforeAfter(p.bytes, `${what}.bytes`),
    counts: { tensors: count(c.tensors, `${what}.counts.tensors`), copied: count(c.copied, `${what}.counts.copied`), zeroed: count(c.zeroed, `${what}.counts.zeroed`), noised: count(c.noised, `${what}.counts.noised`) },
    functionPreserved: { preserved: bool(f.preserved, `${what}.functionPreserved.preserved`), reasons: labels(f.reasons, `${what}.functionPreserved.reasons`) },
    layerMap: arr(p.layerMap, `${what}.layerMap`).map((x, i) => count(x, `${what}.layerMap[${i}]`)),
    notes: labels(p.notes, `${what}.notes`),
  };
}

/** Checks the parts of a ModelTree that the webview reads. */
export function checkModelTree(v: unknown, what = 'model'): ModelTree {
  const m = obj(v, what);
  checkNode(m.root, `${what}.root`, 0);
  str(m.family, `${what}.family`, 64);
  str(m.familyLabel, `${what}.familyLabel`);
  count(m.numLayers, `${what}.numLayers`);
  optCount(m.numExperts, `${what}.numExperts`);
  optCount(m.topK, `${what}.topK`);
  optCount(m.numSharedExperts, `${what}.numSharedExperts`);
  arr(m.notes, `${what}.notes`).forEach((t, i) => str(t, `${what}.notes[${i}]`));
  arr(m.moeLayers, `${what}.moeLayers`).forEach((t, i) => count(t, `${what}.moeLayers[${i}]`));
  bool(m.tiedEmbeddings, `${what}.tiedEmbeddings`);
  arr(m.layers, `${what}.layers`).forEach((l, i) => {
    const layer = obj(l, `${what}.layers[${i}]`);
    count(layer.index, `${what}.layers[${i}].index`);
    count(layer.params, `${what}.layers[${i}].params`);
    count(layer.bytes, `${what}.layers[${i}].bytes`);
  });
  const totals = obj(m.totals, `${what}.totals`);
  for (const k of ['params', 'bytes', 'tensors', 'embeddingParams', 'headParams', 'expertParams']) count(totals[k], `${what}.totals.${k}`);
  arr(totals.dtypes, `${what}.totals.dtypes`).forEach((d, i) => str(d, `${what}.totals.dtypes[${i}]`, 16));
  if (totals.active !== null) {
    const a = obj(totals.active, `${what}.totals.active`);
    count(a.withEmbeddings, `${what}.totals.active.withEmbeddings`);
    count(a.withoutEmbeddings, `${what}.totals.active.withoutEmbeddings`);
    str(a.embeddingsCounted, `${what}.totals.active.embeddingsCounted`);
  }
  return m as unknown as ModelTree;
}

function checkError(v: unknown): ErrorView {
  const e = obj(v, 'error');
  return {
    name: str(e.name, 'error.name', 128), code: str(e.code, 'error.code', 128), message: str(e.message, 'error.message'),
    file: optStr(e.file, 'error.file'), tensor: optStr(e.tensor, 'error.tensor'), rule: optStr(e.rule, 'error.rule'),
  };
}

function checkReply(m: Obj): Reply {
  const reply: Reply = { type: 'reply', inReplyTo: count(m.inReplyTo, 'inReplyTo'), ok: bool(m.ok, 'ok') };
  if (m.value !== undefined) reply.value = m.value;
  if (m.error !== undefined) reply.error = str(m.error, 'error');
  return reply;
}

export function checkTensorViews(v: unknown): TensorView[] {
  return arr(v, 'tensors').map((t, i) => {
    const o = obj(t, `tensors[${i}]`);
    return {
      name: str(o.name, `tensors[${i}].name`), dtype: str(o.dtype, `tensors[${i}].dtype`, 16) as DType,
      shape: arr(o.shape, `tensors[${i}].shape`).map((d, j) => count(d, `tensors[${i}].shape[${j}]`)),
      params: count(o.params, `tensors[${i}].params`), bytes: count(o.bytes, `tensors[${i}].bytes`),
    };
  });
}

/** Validates a message from the host (run by the webview). */
export function parseToWebview(raw: unknown): ToWebview {
  const m = obj(raw, 'message');
  switch (m.type) {
    case 'model/show': return { type: m.type, title: str(m.title, 'title'), model: checkModelTree(m.model) };
    case 'error/show': return { type: m.type, title: str(m.title, 'title'), error: checkError(m.error) };
    case 'tree/select': return { type: m.type, nodeId: str(m.nodeId, 'nodeId', MAX_ID) };
    case 'edits/show':
      return { type: m.type, applied: labels(m.applied, 'applied'), redoable: labels(m.redoable, 'redoable'), dirty: bool(m.dirty, 'dirty'), preview: m.preview === null ? null : checkGrowthPreview(m.preview) };
    case 'reply': return checkReply(m);
    default: return violation(`unknown message type ${JSON.stringify(m.type)}`);
  }
}

/** Validates a message from a webview (run by the host: webview content is untrusted). */
export function parseFromWebview(raw: unknown): FromWebview {
  const m = obj(raw, 'message');
  switch (m.type) {
    case 'ready':
    case 'log/show':
    case 'edits/undo':
    case 'edits/redo':
      return { type: m.type };
    case 'node/reveal':
    case 'node/tensors':
      return { type: m.type, requestId: count(m.requestId, 'requestId'), nodeId: str(m.nodeId, 'nodeId', MAX_ID) };
    case 'webview/error':
      return { type: m.type, message: str(m.message, 'message') };
    default:
      return violation(`unknown message type ${JSON.stringify(m.type)}`);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Display: how both sides spell numbers, so the tree view, the webview and the tests agree.

/** 46702792704 → "46.70 B"; 8 → "8". Parameters, elements. */
export function formatCount(n: number): string {
  const units: [number, string][] = [[1e12, 'T'], [1e9, 'B'], [1e6, 'M'], [1e3, 'K']];
  for (const [scale, unit] of units) if (n >= scale) return `${(n / scale).toFixed(2)} ${unit}`;
  return String(n);
}

/** Bytes in binary units: 1536 → "1.50 KiB". */
export function formatBytes(n: number): string {
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  if (n < 1024) return `${n} B`;
  let v = n;
  let u = -1;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(2)} ${units[u]}`;
}

/** [8, 4096, 14336] → "8 × 4096 × 14336"; a scalar → "scalar". */
export function formatShape(shape: readonly number[]): string {
  return shape.length ? shape.join(' × ') : 'scalar';
}

// ---------------------------------------------------------------------------------------------------------------
// The norm-chart panel ("Graft: Show Norm Profile"): its own pair of unions, since it is another webview with
// another bundle (dist/charts.js). Same rules: a doc line per message, validated on both sides.

export type { NormProfile, ProfileKind, ProfileLayer } from './core/stats/types';
import type { NormProfile, ProfileKind, ProfileLayer } from './core/stats/types';

export type ChartKind = ProfileKind;
export type ChartView = 'profile' | 'heatmap';
export type ChartExportFormat = 'svg' | 'png' | 'csv';

/** What the chart shows: the source's profile and, with pending growth edits, the grown model's. */
export interface ChartPayload {
  before: NormProfile;
  after?: NormProfile;
  /** The applied edits as the edit stack words them, e.g. "Grow depth ×2 (interposition)". */
  pendingLabel?: string;
  /** Depth growth: after layer j is a copy of source layer layerMap[j]. */
  layerMap?: number[];
}

/** The chart's view state: kept by the webview (getState/setState) and by the host (for the panel serializer). */
export interface ChartViewState {
  kind: ChartKind;
  view: ChartView;
}

export type ChartsToWebview =
  /** The checkpoint the panel shows (its URI, for the webview's saved state) and the data to draw. */
  | { type: 'charts/data'; title: string; uri: string; caption: string; data: ChartPayload }
  /** Work in progress (statistics, an edit's preview): `fraction` in [0, 1] when known. */
  | { type: 'charts/progress'; title: string; uri: string; message: string; fraction?: number }
  /** The profile could not be computed; `stale` says the last chart drawn is still shown. */
  | { type: 'charts/error'; error: ErrorView; stale: boolean }
  /** Applies a view state chosen by the host (a command's arguments). */
  | { type: 'charts/state'; state: ChartViewState };

export type ChartsFromWebview =
  /** The webview's script listens: the host sends (or sends again, after a reload) the data. */
  | { type: 'charts/ready' }
  /** The user changed the kind or the view: the host remembers it for the panel serializer. */
  | { type: 'charts/state'; state: ChartViewState }
  /** The user exported the chart: the host asks where and writes `data` (SVG or CSV text; PNG as a data URL). */
  | { type: 'charts/export'; format: ChartExportFormat; data: string }
  /** An uncaught error inside the webview, for the host's log. */
  | { type: 'webview/error'; message: string };

const CHART_KINDS: readonly ChartKind[] = ['experts', 'attention', 'router', 'norms', 'shared'];
const CHART_VIEWS: readonly ChartView[] = ['profile', 'heatmap'];
const EXPORT_FORMATS: readonly ChartExportFormat[] = ['svg', 'png', 'csv'];
/** A PNG of a 1200 px chart at 2× is well under this. */
const MAX_EXPORT = 32 * 1024 * 1024;
const MAX_LAYERS = 4096;
const MAX_EXPERTS = 4096;

function oneOf<T extends string>(v: unknown, options: readonly T[], what: string): T {
  return options.find((o) => o === v) ?? violation(`${what} must be one of ${options.join(', ')}`);
}
function numOrNull(v: unknown, what: string): number | null {
  return v === null || (typeof v === 'number' && Number.isFinite(v)) ? v : violation(`${what} must be a finite number or null`);
}
function list(v: unknown, what: string, max: number): unknown[] {
  const a = arr(v, what);
  return a.length <= max ? a : violation(`${what} has more than ${max} entries`);
}

function checkProfileLayer(v: unknown, what: string): ProfileLayer {
  const l = obj(v, what);
  const values = obj(l.values, `${what}.values`);
  const counts = obj(l.counts, `${what}.counts`);
  const layer: ProfileLayer = {
    layer: count(l.layer, `${what}.layer`),
    values: Object.fromEntries(CHART_KINDS.map((k) => [k, numOrNull(values[k], `${what}.values.${k}`)])) as ProfileLayer['values'],
    counts: Object.fromEntries(CHART_KINDS.map((k) => [k, count(counts[k], `${what}.counts.${k}`)])) as ProfileLayer['counts'],
  };
  if (l.perExpert !== undefined) layer.perExpert = list(l.perExpert, `${what}.perExpert`, MAX_EXPERTS).map((x, i) => numOrNull(x, `${what}.perExpert[${i}]`));
  return layer;
}

/** Checks a norm profile as the chart reads it. */
export function checkNormProfile(v: unknown, what = 'profile'): NormProfile {
  const p = obj(v, what);
  const profile: NormProfile = {
    source: str(p.source, `${what}.source`), family: str(p.family, `${what}.family`, 128), provider: str(p.provider, `${what}.provider`, 64),
    layers: list(p.layers, `${what}.layers`, MAX_LAYERS).map((l, i) => checkProfileLayer(l, `${what}.layers[${i}]`)),
    notes: list(p.notes, `${what}.notes`, 256).map((n, i) => str(n, `${what}.notes[${i}]`)),
  };
  if (p.fallbackReason !== undefined) profile.fallbackReason = str(p.fallbackReason, `${what}.fallbackReason`);
  return profile;
}

function checkChartPayload(v: unknown): ChartPayload {
  const d = obj(v, 'data');
  const data: ChartPayload = { before: checkNormProfile(d.before, 'data.before') };
  if (d.after !== undefined) data.after = checkNormProfile(d.after, 'data.after');
  if (d.pendingLabel !== undefined) data.pendingLabel = str(d.pendingLabel, 'data.pendingLabel', 1024);
  if (d.layerMap !== undefined) data.layerMap = list(d.layerMap, 'data.layerMap', MAX_LAYERS).map((x, i) => count(x, `data.layerMap[${i}]`));
  return data;
}

/** Parses a chart view state: a stale or hand-edited one is a violation (callers fall back to defaults). */
export function checkChartViewState(v: unknown): ChartViewState {
  const s = obj(v, 'state');
  return { kind: oneOf(s.kind, CHART_KINDS, 'state.kind'), view: oneOf(s.view, CHART_VIEWS, 'state.view') };
}

/** Validates a message from the host (run by the charts webview). */
export function parseChartsToWebview(raw: unknown): ChartsToWebview {
  const m = obj(raw, 'message');
  switch (m.type) {
    case 'charts/data':
      return { type: m.type, title: str(m.title, 'title'), uri: str(m.uri, 'uri'), caption: str(m.caption, 'caption'), data: checkChartPayload(m.data) };
    case 'charts/progress': {
      const fraction = m.fraction === undefined ? undefined : numOrNull(m.fraction, 'fraction');
      if (fraction !== undefined && (fraction === null || fraction < 0 || fraction > 1)) violation('fraction must be in [0, 1]');
      return { type: m.type, title: str(m.title, 'title'), uri: str(m.uri, 'uri'), message: str(m.message, 'message'), ...(fraction === undefined ? {} : { fraction }) };
    }
    case 'charts/error': return { type: m.type, error: checkError(m.error), stale: bool(m.stale, 'stale') };
    case 'charts/state': return { type: m.type, state: checkChartViewState(m.state) };
    default: return violation(`unknown message type ${JSON.stringify(m.type)}`);
  }
}

/** Validates a message from the charts webview (run by the host: webview content is untrusted). */
export function parseChartsFromWebview(raw: unknown): ChartsFromWebview {
  const m = obj(raw, 'message');
  switch (m.type) {
    case 'charts/ready': return { type: m.type };
    case 'charts/state': return { type: m.type, state: checkChartViewState(m.state) };
    case 'charts/export': {
      const format = oneOf(m.format, EXPORT_FORMATS, 'format');
      const data = str(m.data, 'data', MAX_EXPORT);
      if (format === 'png' && !data.startsWith('data:image/png;base64,')) violation('a PNG export must be a data:image/png;base64 URL');
      if (format === 'svg' && !/^\s*(<\?xml[^>]*>\s*)?<svg[\s>]/.test(data)) violation('an SVG export must start with <svg');
      return { type: m.type, format, data };
    }
    case 'webview/error': return { type: m.type, message: str(m.message, 'message') };
    default: return violation(`unknown message type ${JSON.stringify(m.type)}`);
  }
}
