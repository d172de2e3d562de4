// Entry point: activate only registers. Nothing here loads onnxruntime-node; engines load on first use.
import { activationTiming, markBundleLoaded } from './activationClock';
import type * as vscode from 'vscode';
import { NormCharts } from './charts/normCharts';
import { CheckpointRegistry } from './checkpointRegistry';
import { CheckpointTreeProvider } from './checkpointTreeProvider';
import { registerExportRecipe } from './commands/exportRecipe';
import { registerGrowDepth } from './commands/growDepth';
import { registerGrowExperts } from './commands/growExperts';
import { registerOpenCheckpointFolder } from './commands/openCheckpointFolder';
import { registerUpcycle } from './commands/upcycle';
import { ContextKeys } from './contextKeys';
import { GraftEditorProvider } from './graftEditorProvider';
import { log, registerLog } from './log';

markBundleLoaded();

export function activate(context: vscode.ExtensionContext): void {
  const start = performance.now();
  registerLog(context);
  const registry = CheckpointRegistry.register(context);
  GraftEditorProvider.register(context, registry);
  CheckpointTreeProvider.register(context, registry);
  NormCharts.register(context, registry);
  registerOpenCheckpointFolder(context);
  registerGrowDepth(context, registry);
  registerGrowExperts(context, registry);
  registerUpcycle(context, registry);
  registerExportRecipe(context, registry);
  ContextKeys.register(context, registry);
  const t = activationTiming(start, performance.now());
  // The e2e tests read this line from the log file.
  log().info(`Graft activated in ${t.total.toFixed(1)} ms (bundle load ${t.load.toFixed(1)} ms, activate ${t.activate.toFixed(1)} ms)`);
}

export function deactivate(): void {
  // Everything is in context.subscriptions.
}
