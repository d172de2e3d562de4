// Readable labels for growth edits: VS Code's undo stack ("Undo Grow depth ×2 (interposition)") and the editor's
// pending-changes list show them. Plain functions of the op, so a recipe restored from a backup gets the same words.
import type { DepthOp, GrowthOp } from '../growth/index';

const DEPTH_NAMES: Record<DepthOp['method'], string> = {
  interposition: 'interposition', stack: 'stack', 'llama-pro': 'LLaMA-Pro', solar: 'SOLAR', map: 'layer map', slices: 'slices',
};

function depthLabel(op: DepthOp): string {
  const name = DEPTH_NAMES[op.method];
  switch (op.method) {
    case 'interposition':
    case 'stack': {
      const a = op.ignore_first ?? 0;
      const b = op.ignore_last ?? 0;
      return `Grow depth ×${op.factor ?? 2} (${name}${a || b ? `, edges ${a}/${b}` : ''})`;
    }
    case 'llama-pro':
      return op.add !== undefined ? `Grow depth +${op.add} blocks (${name})` : `Grow depth ×${op.factor ?? 1.25} (${name})`;
    case 'solar':
      return `Grow depth (${name}, m = ${op.m ?? 0})`;
    case 'map':
      return `Grow depth to ${op.map?.length ?? 0} layers (${name})`;
    case 'slices':
      return `Grow depth (${name})`;
  }
}

export function growthLabel(op: GrowthOp): string {
  switch (op.op) {
    case 'depth':
      return depthLabel(op);
    case 'experts':
      return `Grow experts ×${op.factor} (α ${op.alpha}, ${op.keep_topk ? 'keep top-k' : `top-k ×${op.factor}`})`;
    case 'upcycle':
      return `Upcycle to MoE (${op.experts} experts, top-${op.topk})`;
  }
}
