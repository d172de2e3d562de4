// "Graft: Show Norm Profile": one chart panel per checkpoint, opened beside its editor, and restored after a reload
// by the panel serializer from the state the webview saved (the checkpoint's URI and the chart's kind and view).
import * as vscode from 'vscode';
import { checkChartViewState, type ChartViewState } from '../../protocol';
import type { CheckpointRegistry } from '../checkpointRegistry';
import { Disposable } from '../dispose';
import { GraftEditorProvider } from '../graftEditorProvider';
import { log } from '../log';
import { NormChartPanel } from './normChartPanel';

export const SHOW_NORM_PROFILE = 'graft.showNormProfile';

/** What the command accepts besides a URI (the editor title passes the editor's): for scripts and tests. */
export interface ShowNormProfileArgs {
  uri?: string;
  kind?: string;
  view?: string;
}

/** The state the charts webview saves (webview/chartsMain.ts), as the serializer gets it back. */
function parseSavedState(raw: unknown): { uri: vscode.Uri; viewState?: ChartViewState } | undefined {
  const s = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
  if (typeof s.uri !== 'string') return undefined;
  let uri: vscode.Uri;
  try {
    uri = vscode.Uri.parse(s.uri, true);
  } catch {
    return undefined;
  }
  if (uri.scheme !== 'file') return undefined;
  return { uri, viewState: viewStateOf(s.chart) };
}

function viewStateOf(raw: unknown): ChartViewState | undefined {
  try {
    return checkChartViewState(raw);
  } catch {
    return undefined;
  }
}

export class NormCharts extends Disposable implements vscode.WebviewPanelSerializer {
  static register(context: vscode.ExtensionContext, registry: CheckpointRegistry): NormCharts {
    const charts = new NormCharts(context.extensionUri, registry);
    charts._register(vscode.window.registerWebviewPanelSerializer(NormChartPanel.viewType, charts));
    charts._register(vscode.commands.registerCommand(SHOW_NORM_PROFILE, (arg?: unknown) => charts.show(arg)));
    context.subscriptions.push(charts);
    return charts;
  }

  private readonly panels = new Map<string, NormChartPanel>();

  private constructor(private readonly extensionUri: vscode.Uri, private readonly registry: CheckpointRegistry) {
    super();
  }

  async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown): Promise<void> {
    const saved = parseSavedState(state);
    if (!saved) {
      log().warn('Norm chart: a restored panel had no checkpoint in its state; closing it');
      panel.dispose();
      return;
    }
    this.track(new NormChartPanel(panel, saved.uri, this.extensionUri, this.registry, saved.viewState));
  }

  async show(arg?: unknown): Promise<void> {
    const { uri, viewState } = await this.target(arg);
    if (!uri) return;
    const existing = this.panels.get(uri.toString());
    if (existing) {
      existing.reveal(viewState);
      return;
    }
    const panel = vscode.window.createWebviewPanel(NormChartPanel.viewType, 'Norms', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true });
    this.track(new NormChartPanel(panel, uri, this.extensionUri, this.registry, viewState));
  }

  private track(chart: NormChartPanel): void {
    const key = chart.uri.toString();
    this.panels.get(key)?.dispose();
    this.panels.set(key, chart);
    chart.onDidDispose(() => {
      if (this.panels.get(key) === chart) this.panels.delete(key);
    });
  }

  /** The checkpoint to chart: the argument's, else the active Graft editor's, else one the user picks. */
  private async target(arg: unknown): Promise<{ uri?: vscode.Uri; viewState?: ChartViewState }> {
    let uri: vscode.Uri | undefined;
    let viewState: ChartViewState | undefined;
    if (arg instanceof vscode.Uri) uri = arg;
    else if (arg && typeof arg === 'object') {
      const a = arg as ShowNormProfileArgs;
      if (typeof a.uri === 'string') uri = a.uri.includes('://') ? vscode.Uri.parse(a.uri) : vscode.Uri.file(a.uri);
      if (a.kind !== undefined || a.view !== undefined) viewState = viewStateOf({ kind: a.kind ?? 'experts', view: a.view ?? 'profile' });
    }
    uri ??= this.registry.activeDocument?.uri ?? activeGraftTab();
    if (!uri) {
      const picked = await vscode.window.showOpenDialog({
        title: 'Show Norm Profile of a Checkpoint', canSelectMany: false,
        filters: { Checkpoints: ['safetensors', 'json'] }, openLabel: 'Show Norm Profile',
      });
      uri = picked?.[0];
    }
    if (uri && uri.scheme !== 'file') {
      void vscode.window.showErrorMessage(`Graft reads checkpoints from local files only, not ${uri.scheme}: URIs`);
      return {};
    }
    return { uri, viewState };
  }
}

function activeGraftTab(): vscode.Uri | undefined {
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  return input instanceof vscode.TabInputCustom && input.viewType === GraftEditorProvider.viewType ? input.uri : undefined;
}
