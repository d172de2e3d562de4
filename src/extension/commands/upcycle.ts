// "Graft: Upcycle to MoE…": a dense model's MLPs become E experts that start as copies of it, with a new router
// (sparse upcycling, METHOD.md §3). Offered for dense models only.
import * as vscode from 'vscode';
import type { UpcycleOp } from '../../core/growth/index';
import type { CheckpointRegistry } from '../checkpointRegistry';
import { applyGrowth, askNumber, pick, targetDocument } from './growthTarget';

export const UPCYCLE = 'graft.upcycle';

export function registerUpcycle(context: vscode.ExtensionContext, registry: CheckpointRegistry): vscode.Disposable {
  const command = vscode.commands.registerCommand(UPCYCLE, async () => {
    const document = targetDocument(registry);
    if (!document) return;
    if (document.shownModel!.moeLayers.length) {
      void vscode.window.showWarningMessage(`${document.title} already has experts: use "Graft: Grow Experts…".`);
      return;
    }
    const op = await askUpcycleOp();
    if (op) applyGrowth(document, op);
  });
  context.subscriptions.push(command);
  return command;
}

const TITLE = 'Upcycle to MoE';

async function askUpcycleOp(): Promise<UpcycleOp | undefined> {
  const experts = await askNumber(`${TITLE}: experts`, { value: 8, prompt: 'Experts per layer, each a copy of the dense MLP', min: 2, max: 1024, integer: true });
  if (experts === undefined) return undefined;
  const topk = await askNumber(`${TITLE}: top-k`, { value: 2, prompt: 'Experts each token is routed to', min: 1, max: experts, integer: true });
  if (topk === undefined) return undefined;
  const routerInit = await pick<UpcycleOp['router_init']>(`${TITLE}: router`, [
    { label: 'Zeros', detail: 'Uniform routing at start: the upcycled model computes the dense function (with α = 0)', value: 'zeros' },
    { label: 'Small random (std 0.02)', detail: 'Breaks the symmetry between experts from the first step', value: 'normal' },
  ]);
  if (!routerInit) return undefined;
  const alpha = await askNumber(`${TITLE}: noise α`, { value: 0, prompt: 'Noise on experts 1…E−1 (std α·σ of the MLP); expert 0 stays the exact MLP', min: 0, max: 10 });
  if (alpha === undefined) return undefined;
  return { op: 'upcycle', experts, topk, router_init: routerInit, router_std: 0.02, alpha, drop_ratio: 0 };
}
