// Does the grown model compute the source's function at step 0? (METHOD.md §2.) Each op contributes a reason.
import type { MoeConfig } from '../families/index';
import type { LayerSlot } from './layerMaps';
import type { ExpertsOp, UpcycleOp } from './recipe';
import type { Verdict } from './types';

export function depthVerdict(slots: LayerSlot[], n: number): Verdict {
  const plain = slots.filter((s) => !s.identity);
  const unchanged = plain.length === n && plain.every((s, i) => s.src === i);
  if (unchanged && slots.length === n) return { preserved: true, reasons: ['depth: layer map is the identity'] };
  if (unchanged) return { preserved: true, reasons: [`depth: LLaMA-Pro inserted ${slots.length - n} blocks with zeroed output projections (each is the identity at start)`] };
  return { preserved: false, reasons: ['depth: duplicated or removed pre-norm blocks change the function (a loss jump after growth is expected)'] };
}

export function widthVerdict(op: ExpertsOp, moe: MoeConfig, groupScoreSumTop2: boolean): Verdict {
  const why: string[] = [];
  if (op.alpha > 0) why.push(`noise α = ${op.alpha} perturbs every copy (approximately preserved, not exactly)`);
  if (op.keep_topk) why.push(`top-k kept at ${moe.topK} while experts grow ×${op.factor}: each token uses fewer distinct experts`);
  if (op.zero_router_bias) why.push('zeroing the expanded router bias changes expert selection');
  if (moe.scoring === 'sigmoid' && !moe.normTopK) why.push('sigmoid scores without renormalisation: each copy receives the full weight, doubling the output');
  if (op.placement === 'append' && (moe.nGroup ?? 1) > 1) why.push('appended copies leave their routing group: group-limited routing changes');
  if ((moe.nGroup ?? 1) > 1 && (moe.topkGroup ?? moe.nGroup!) < moe.nGroup! && groupScoreSumTop2) {
    why.push('group score is the sum of the top-2 scores of a group: after duplication it is 2× the group\'s best, so group selection may change');
  }
  if (why.length) return { preserved: false, reasons: why.map((w) => `experts: ${w}`) };
  const how = moe.scoring === 'softmax'
    ? 'softmax routing: each copy gets half of its original\'s probability and top-k ×' + op.factor + ' selects every copy'
    : 'sigmoid routing renormalised over the selected experts';
  return { preserved: true, reasons: [`experts: α = 0, top-k ×${op.factor}, ${how}`] };
}

export function upcycleVerdict(op: UpcycleOp): Verdict {
  const why: string[] = [];
  if (op.alpha > 0) why.push(`noise α = ${op.alpha} on the copies`);
  if (op.drop_ratio > 0) why.push(`Drop-Upcycling re-initialises ${op.drop_ratio * 100}% of each expert's channels`);
  if (why.length) return { preserved: false, reasons: why.map((w) => `upcycle: ${w}`) };
  return { preserved: true, reasons: ['upcycle: identical experts with renormalised top-k weights compute the dense MLP'] };
}

export function combine(vs: Verdict[]): Verdict {
  return { preserved: vs.every((v) => v.preserved), reasons: vs.flatMap((v) => v.reasons) };
}
