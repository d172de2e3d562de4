// One norm-chart panel: a checkpoint's per-layer norm profile (paper Figure 2) beside its editor. The profile is
// computed in the statistics worker (cached per file by the engine, so reopening is instant); while the checkpoint's
// document has growth edits applied, the grown model's profile is previewed (computePlanProfile, nothing written)
// and overlaid. The webview keeps its view state and the checkpoint's URI (getState/setState), which is what the
// panel serializer gets back after a reload.
import { basename, dirname, join } from 'node:path';
import * as vscode from 'vscode';
import { CancelledError } from '../../core/errors';
import type { GrowthOp } from '../../core/growth/index';
import {
  parseChartsFromWebview, type ChartExportFormat, type NormProfile, type ChartsFromWebview, type ChartsToWebview, type ChartViewState,
} from '../../protocol';
import type { CheckpointDocument } from '../checkpointDocument';
import { toErrorView } from '../checkpointDocument';
import type { CheckpointRegistry } from '../checkpointRegistry';
import { Disposable } from '../dispose';
import { log, reportError } from '../log';
import { settings } from '../settings';
import { webviewRoots } from '../webviewHtml';
import { chartHtml } from './chartHtml';
import { runStatsJob, type StatsJobRequest, type StatsJobResult } from './statsJob';

/** How long a job may run before a cancellable notification appears (a cached profile answers well within it). */
const NOTIFY_AFTER_MS = 400;
/** Edits arrive in bursts (undo several times): preview the last state only. */
const EDIT_DEBOUNCE_MS = 250;
const READY_TIMEOUT_MS = 5000;
const MAX_LOADS = 3;

export function chartTitle(uri: vscode.Uri): string {
  const file = basename(uri.fsPath);
  // A checkpoint is usually a folder holding model.safetensors (or an index): name the folder.
  return /^model(\.safetensors|\.safetensors\.index\.json)$/.test(file) || file.endsWith('.index.json') ? basename(dirname(uri.fsPath)) : file;
}

export class NormChartPanel extends Disposable {
  static readonly viewType = 'graft.normChart';

  private readonly title: string;
  private document: CheckpointDocument | undefined;
  private readonly documentSubs: vscode.Disposable[] = [];
  private job: AbortController | undefined;
  private editTimer: ReturnType<typeof setTimeout> | undefined;
  private readyTimer: ReturnType<typeof setTimeout> | undefined;
  /** The last message that drew something: sent again when the webview (re)loads. */
  private lastData: Extract<ChartsToWebview, { type: 'charts/data' }> | undefined;
  private lastStatus: ChartsToWebview | undefined;
  private viewState: ChartViewState | undefined;

  private readonly _onDidDispose = this._register(new vscode.EventEmitter<void>());
  readonly onDidDispose = this._onDidDispose.event;

  constructor(
    readonly panel: vscode.WebviewPanel,
    readonly uri: vscode.Uri,
    private readonly extensionUri: vscode.Uri,
    registry: CheckpointRegistry,
    viewState?: ChartViewState,
  ) {
    super();
    this.title = chartTitle(uri);
    this.viewState = viewState;
    panel.title = `Norms: ${this.title}`;
    panel.webview.options = { enableScripts: true, localResourceRoots: webviewRoots(extensionUri) };
    this.load();
    this._register(panel.webview.onDidReceiveMessage((raw: unknown) => this.onMessage(raw)));
    this._register(panel.onDidDispose(() => this.dispose()));
    this._register(registry.onDidChangeActive((doc) => this.follow(doc)));
    this.follow(registry.activeDocument);
    void this.compute();
  }

  /** Sets the page; when its script does not say "ready" in time (a restored webview in a browser VS Code can come
   *  up before its resources load), sets it again, a few times at most. */
  private load(attempt = 1): void {
    this.panel.webview.html = chartHtml(this.panel.webview, this.extensionUri, this.panel.title);
    clearTimeout(this.readyTimer);
    if (attempt >= MAX_LOADS) return;
    this.readyTimer = setTimeout(() => {
      if (this.isDisposed || !this.panel.visible) return;
      log().warn(`Norm chart of ${this.uri.fsPath}: the webview did not start within ${READY_TIMEOUT_MS} ms; loading it again`);
      this.load(attempt + 1);
    }, READY_TIMEOUT_MS);
  }

  /** Shows the panel and, when given, applies a view state (a command's arguments). */
  reveal(viewState?: ChartViewState): void {
    this.panel.reveal(undefined, true);
    if (viewState) {
      this.viewState = viewState;
      this.post({ type: 'charts/state', state: viewState });
    }
  }

  /** Attaches to the checkpoint's open document, if `doc` is it: its edits drive the after-profile. */
  private follow(doc: CheckpointDocument | undefined): void {
    if (!doc || doc === this.document || doc.uri.toString() !== this.uri.toString()) return;
    this.detach();
    this.document = doc;
    this.documentSubs.push(
      doc.edits.onDidChange(() => this.editsChanged()),
      doc.onDidChangeState(() => void this.compute()),
      doc.onDidDispose(() => this.detach()),
    );
    // The document may already carry edits the chart has not previewed.
    if (doc.edits.applied().length || this.lastData?.data.after) this.editsChanged();
  }

  private detach(): void {
    const hadEdits = !!this.lastData?.data.after;
    this.documentSubs.splice(0).forEach((s) => s.dispose());
    this.document = undefined;
    // A closed editor drops its unsaved edits: the preview goes with them.
    if (hadEdits && !this.isDisposed) void this.compute();
  }

  private editsChanged(): void {
    clearTimeout(this.editTimer);
    this.editTimer = setTimeout(() => void this.compute(), EDIT_DEBOUNCE_MS);
  }

  /** The document's applied growth edits: the recipe Save would execute (its seed decides the noise). */
  private appliedEdits(): { ops: GrowthOp[]; seed?: number; label?: string } {
    const doc = this.document;
    if (!doc || doc.state.kind !== 'model') return { ops: [] };
    const applied = doc.edits.applied();
    const ops: GrowthOp[] = applied.map((e) => e.op);
    if (!ops.length) return { ops };
    return { ops, seed: doc.recipe()?.seed, label: applied.map((e) => e.label).join(' + ') };
  }

  /** (Re)computes the profile, with the applied edits' preview; a newer call supersedes a running one. */
  private async compute(): Promise<void> {
    if (this.isDisposed) return;
    this.job?.abort();
    const abort = new AbortController();
    this.job = abort;
    const { ops, seed, label } = this.appliedEdits();
    const { executionProvider, threads } = settings();
    const request: StatsJobRequest = {
      path: this.uri.fsPath, provider: executionProvider, ...(threads > 0 ? { threads } : {}), ...(ops.length ? { ops, seed } : {}),
    };
    const what = ops.length ? `Previewing ${label}` : 'Computing the norm profile';
    this.setStatus({ type: 'charts/progress', title: this.title, uri: this.uri.toString(), message: `${what}…` });

    let notify: ((fraction: number, message?: string) => void) | undefined;
    const onProgress = (p: { done: number; total: number; message?: string }) => {
      const fraction = p.total > 0 ? Math.min(1, Math.max(0, p.done / p.total)) : undefined;
      this.setStatus({
        type: 'charts/progress', title: this.title, uri: this.uri.toString(),
        message: `${what}${p.message ? ` (${p.message})` : ''}…`, ...(fraction === undefined ? {} : { fraction }),
      });
      if (fraction !== undefined) notify?.(fraction, p.message);
    };
    const t0 = performance.now();
    const running = runStatsJob(this.extensionUri, request, { signal: abort.signal, onProgress });
    const timer = setTimeout(() => {
      void vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `${what} of ${this.title}`, cancellable: true },
        (progress, token) => {
          token.onCancellationRequested(() => abort.abort());
          let reported = 0;
          notify = (fraction, message) => {
            progress.report({ increment: Math.max(0, fraction * 100 - reported), message });
            reported = Math.max(reported, fraction * 100);
          };
          return running.catch(() => undefined);
        },
      );
    }, NOTIFY_AFTER_MS);
    try {
      const result = await running;
      if (this.job !== abort || this.isDisposed) return;
      this.show(result, label);
      log().info(`Norm profile of ${this.uri.fsPath}${label ? ` with "${label}"` : ''} in ${(performance.now() - t0).toFixed(0)} ms `
        + `(statistics on ${result.run.provider}, ${result.run.filesFromCache} file(s) from cache, ${result.run.filesComputed} computed)`);
    } catch (err) {
      if (this.job !== abort || this.isDisposed) return; // superseded by a newer job
      const cancelled = err instanceof CancelledError;
      if (!cancelled) reportError(`Cannot compute the norm profile of ${this.title}`, err);
      this.setStatus({
        type: 'charts/error', stale: !!this.lastData,
        error: cancelled ? { name: 'Cancelled', code: 'cancelled', message: 'Cancelled. Run "Graft: Show Norm Profile" to compute it again.' } : toErrorView(err),
      });
    } finally {
      clearTimeout(timer);
      if (this.job === abort) this.job = undefined;
    }
  }

  private show(result: StatsJobResult, label: string | undefined): void {
    const { run } = result;
    const cache = run.filesComputed === 0 && run.filesFromCache > 0 ? ' · from cache' : '';
    const caption = `statistics on ${run.provider}${run.fallbackReason ? ` (fell back from ${shortReason(run.fallbackReason)})` : ''}${cache}`;
    this.lastData = {
      type: 'charts/data', title: this.title, uri: this.uri.toString(), caption,
      data: {
        before: withShortReason(result.before),
        ...(result.after ? { after: withShortReason(result.after) } : {}),
        ...(result.after && label ? { pendingLabel: label } : {}),
        ...(result.after && result.layerMap ? { layerMap: result.layerMap } : {}),
      },
    };
    this.lastStatus = undefined;
    this.post(this.lastData);
  }

  private setStatus(message: ChartsToWebview): void {
    this.lastStatus = message;
    this.post(message);
  }

  private post(message: ChartsToWebview): void {
    if (!this.isDisposed) void this.panel.webview.postMessage(message);
  }

  private onMessage(raw: unknown): void {
    let message: ChartsFromWebview;
    try {
      message = parseChartsFromWebview(raw);
    } catch (err) {
      log().warn(`Norm chart: rejected a message from the webview: ${(err as Error).message}`);
      return;
    }
    switch (message.type) {
      case 'charts/ready':
        clearTimeout(this.readyTimer);
        if (this.lastData) this.post(this.lastData);
        if (this.lastStatus) this.post(this.lastStatus);
        if (this.viewState) this.post({ type: 'charts/state', state: this.viewState });
        return;
      case 'charts/state':
        this.viewState = message.state;
        return;
      case 'charts/export':
        void this.export(message.format, message.data).catch((err: unknown) => reportError('Cannot export the norm chart', err));
        return;
      case 'webview/error':
        log().error(`Norm chart webview: ${message.message}`);
        return;
    }
  }

  private async export(format: ChartExportFormat, data: string): Promise<void> {
    const s = this.viewState;
    const part = s?.view === 'heatmap' ? 'experts-heatmap' : (s?.kind ?? 'experts');
    const suggested = join(dirname(this.uri.fsPath), `${this.title}-norms-${part}.${format}`);
    const target = await vscode.window.showSaveDialog({
      defaultUri: vscode.Uri.file(suggested), title: `Export Norm Chart as ${format.toUpperCase()}`,
      filters: { [format.toUpperCase()]: [format] },
    });
    if (!target) return;
    const bytes = format === 'png'
      ? Buffer.from(data.slice(data.indexOf(',') + 1), 'base64')
      : Buffer.from(data, 'utf8');
    await vscode.workspace.fs.writeFile(target, bytes);
    log().info(`Exported the norm chart of ${this.uri.fsPath} to ${target.fsPath} (${bytes.length} bytes)`);
    vscode.window.setStatusBarMessage(`$(check) Exported ${basename(target.fsPath)}`, 4000);
  }

  override dispose(): void {
    if (this.isDisposed) return;
    this.job?.abort();
    clearTimeout(this.editTimer);
    clearTimeout(this.readyTimer);
    this.documentSubs.splice(0).forEach((s) => s.dispose());
    this._onDidDispose.fire();
    super.dispose();
    this.panel.dispose();
  }
}

/** The chart's own caption names the provider and its fallback reason too: the same short wording there. */
function withShortReason(p: NormProfile): NormProfile {
  return p.fallbackReason ? { ...p, fallbackReason: shortReason(p.fallbackReason) } : p;
}

/** ORT's fallback reasons carry source paths and lambdas: the caption keeps the sentence a user can act on. */
export function shortReason(reason: string): string {
  const tail = reason.split(/ was false\.\s*|\n/).filter((x) => x.trim()).at(-1)?.trim() ?? reason;
  const provider = /^(\w+):/.exec(reason)?.[1];
  const text = provider && !tail.startsWith(`${provider}:`) ? `${provider}: ${tail}` : tail;
  return text.length > 140 ? `${text.slice(0, 139)}…` : text;
}
