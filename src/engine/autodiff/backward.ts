// Reverse-mode walker: records are appended in creation order, so walking them backwards is a reverse
// topological order. Gradients of a value used twice are summed; each rule must return one gradient per input;
// an op without a rule that a gradient needs to cross is an error naming it.
import { EngineError } from '../../core/errors';
import { sameShape, type Tape, type Tensor } from './tape';
import { add } from './ops/elementwise';

/**
 * Emits the gradient of `loss` (any shape; seeded with ones, or `seed`) with respect to each of `wrt`.
 * Inputs that the loss does not depend on get zeros.
 */
export function grad(tp: Tape, loss: Tensor, wrt: Tensor[], seed?: Tensor): Tensor[] {
  return tp.noGrad(() => {
    const grads = new Map<string, Tensor>();
    const accumulate = (t: Tensor, g: Tensor, op: string) => {
      if (!sameShape(t.shape, g.shape)) {
        throw new EngineError('engine/autodiff', `${op}: gradient of shape [${g.shape}] for value ${t.name} of shape [${t.shape}]`, { key: op, rule: 'gradient shape equals value shape' });
      }
      const prev = grads.get(t.name);
      grads.set(t.name, prev ? add(tp, prev, g) : g);
    };
    grads.set(loss.name, seed ?? ones(tp, loss));
    // Only records on a path from some wrt input to the loss matter.
    const needed = reachable(tp, loss);
    const keep = new Set(wrt.map((w) => w.name));
    for (let r = tp.records.length - 1; r >= 0; r--) {
      const rec = tp.records[r];
      if (!needed.has(r)) continue;
      const gOut = rec.outputs.map((o) => grads.get(o.name));
      if (gOut.every((g) => g === undefined)) continue;
      if (!rec.vjp) throw new EngineError('engine/autodiff', `no gradient rule for op ${rec.op}`, { key: rec.op, rule: 'every differentiable op has a VJP' });
      const gIn = rec.vjp(gOut);
      if (gIn.length !== rec.inputs.length) {
        throw new EngineError('engine/autodiff', `rule for ${rec.op} returned ${gIn.length} gradients for ${rec.inputs.length} inputs`, { key: rec.op, rule: 'one gradient per input' });
      }
      gIn.forEach((g, i) => {
        if (g && rec.inputs[i].requiresGrad) accumulate(rec.inputs[i], g, rec.op);
      });
      for (const o of rec.outputs) if (!keep.has(o.name)) grads.delete(o.name);
    }
    return wrt.map((w) => grads.get(w.name) ?? zerosLike(tp, w));
  });
}

/** Indices of records whose outputs lead to `loss`. */
function reachable(tp: Tape, loss: Tensor): Set<number> {
  const live = new Set([loss.name]);
  const out = new Set<number>();
  for (let r = tp.records.length - 1; r >= 0; r--) {
    const rec = tp.records[r];
    if (rec.outputs.some((o) => live.has(o.name))) {
      out.add(r);
      for (const i of rec.inputs) if (i.requiresGrad) live.add(i.name);
    }
  }
  return out;
}

function ones(tp: Tape, like: Tensor): Tensor {
  return tp.emit1('Expand', [tp.scalar(1), tp.constInt(like.shape as number[])], {}, like.shape, like.dtype);
}

function zerosLike(tp: Tape, like: Tensor): Tensor {
  return tp.emit1('Expand', [tp.scalar(0), tp.constInt(like.shape as number[])], {}, like.shape, like.dtype);
}
