// "Graft: Grow Experts…": E → factor·E experts per MoE layer, copies plus noise of std α·σ (METHOD.md §2); top-k
// scaled with them (function-preserving at α = 0) or kept (cheaper, flagged: it changes the model's function).
import * as vscode from 'vscode';
import type { ExpertsOp } from '../../core/growth/index';
import type { CheckpointRegistry } from '../checkpointRegistry';
import { settings } from '../settings';
import { applyGrowth, askNumber, pick, targetDocument } from './growthTarget';

export const GROW_EXPERTS = 'graft.growExperts';

export function registerGrowExperts(context: vscode.ExtensionContext, registry: CheckpointRegistry): vscode.Disposable {
  const command = vscode.commands.registerCommand(GROW_EXPERTS, async () => {
    const document = targetDocument(registry);
    if (!document) return;
    const m = document.shownModel!;
    if (!m.moeLayers.length) {
      void vscode.window.showWarningMessage(`${document.title} has no MoE layers: use "Graft: Upcycle to MoE…" to make experts first.`);
      return;
    }
    const op = await askExpertsOp(m.numExperts ?? 0, m.topK ?? 0, settings().defaultNoiseAlpha);
    if (op) applyGrowth(document, op);
  });
  context.subscriptions.push(command);
  return command;
}

const TITLE = 'Grow Experts';

async function askExpertsOp(e: number, k: number, alphaDefault: number): Promise<ExpertsOp | undefined> {
  const factor = await pick(`${TITLE} (${e} experts, top-${k}): factor`, [2, 4].map((f) => ({
    label: `×${f}`, detail: `${e} → ${e * f} experts per MoE layer; expert E+i starts as a copy of expert i plus noise`, value: f,
  })));
  if (!factor) return undefined;
  const keep = await pick(`${TITLE}: top-k`, [
    { label: `Scale top-k ×${factor} (${k} → ${k * factor})`, description: 'recommended', detail: 'Capacity and computation grow together; with α = 0 the model computes exactly the same function', value: false },
    { label: `Keep top-k ${k}`, description: "$(warning) changes the model's function", detail: 'Cheaper inference, but each token sees half of what it saw: not function-preserving', value: true },
  ]);
  if (keep === undefined) return undefined;
  const alpha = await askNumber(`${TITLE}: noise α`, { value: alphaDefault, prompt: 'Noise std = α · σ of each original tensor (0.01: the paper\'s best; 0: exact copies)', min: 0, max: 10 });
  if (alpha === undefined) return undefined;
  return { op: 'experts', factor, alpha, sigma: 'tensor', keep_topk: keep, zero_router_bias: false, placement: 'grouped' };
}
