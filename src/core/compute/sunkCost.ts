// Compute accounting and the paper's growth guidelines (METHOD.md §5): FLOPs ≈ 6·N_active·tokens, the
// Chinchilla-optimal budget F_c ≈ 120·N_active², and when growing beats training from scratch.

export function trainingFlops(activeParams: number, tokens: number): number {
  return 6 * activeParams * tokens;
}

/** Chinchilla-optimal compute for a model of this many active parameters (20 tokens per parameter). */
export function chinchillaFlops(activeParams: number): number {
  return 120 * activeParams * activeParams;
}

export interface GrowthAdviceInput {
  /** Active parameters per token of the base model (the paper counts embeddings). */
  activeParams: number;
  /** Tokens the base checkpoint was trained on. */
  tokensTrained: number;
  /** FLOPs the user can spend on continued training after growth (optional). */
  extraBudgetFlops?: number;
  /** The base checkpoint's learning-rate phase, when known. */
  lrPhase?: 'constant' | 'annealed' | 'unknown';
}

export interface GrowthAdvice {
  sunkFlops: number;
  chinchillaFlops: number;
  /** sunkFlops / chinchillaFlops. */
  chinchillaMultiple: number;
  depthMethod: 'interposition' | 'stack';
  /** 'grow' unless the extra budget is known and smaller than the sunk cost. */
  verdict: 'grow' | 'train-from-scratch' | 'grow-if-budget-allows';
  reasons: string[];
}

export function growthAdvice(input: GrowthAdviceInput): GrowthAdvice {
  const sunk = trainingFlops(input.activeParams, input.tokensTrained);
  const fc = chinchillaFlops(input.activeParams);
  const multiple = fc > 0 ? sunk / fc : 0;
  const reasons: string[] = [];
  const depthMethod = multiple >= 1 ? 'interposition' : 'stack';
  reasons.push(
    multiple >= 1
      ? `the base was trained past the Chinchilla budget (${multiple.toFixed(2)} × F_c): interposition keeps its converged norm profile and beats stacking`
      : `the base is under-trained (${multiple.toFixed(2)} × F_c < 1): stacking and interposition are close; interposition wins once past ≈ 1 × F_c`,
  );
  let verdict: GrowthAdvice['verdict'] = 'grow-if-budget-allows';
  if (input.extraBudgetFlops !== undefined) {
    if (input.extraBudgetFlops >= sunk) {
      verdict = 'grow';
      reasons.push(`the continued-training budget (${sci(input.extraBudgetFlops)} FLOPs) covers the sunk cost (${sci(sunk)} FLOPs)`);
    } else {
      verdict = 'train-from-scratch';
      reasons.push(`the continued-training budget (${sci(input.extraBudgetFlops)} FLOPs) is below the sunk cost (${sci(sunk)} FLOPs): the paper finds growth pays off when extra compute ≥ sunk compute`);
    }
  } else {
    reasons.push(`grow when the continued-training budget is at least the sunk cost, ${sci(sunk)} FLOPs`);
  }
  if (input.lrPhase === 'annealed') reasons.push('the checkpoint is annealed: a constant-LR checkpoint from before the decay grows better');
  else if (input.lrPhase === 'constant') reasons.push('the checkpoint is from a constant-LR phase, as the paper recommends');
  return { sunkFlops: sunk, chinchillaFlops: fc, chinchillaMultiple: multiple, depthMethod, verdict, reasons };
}

export function sci(x: number): string {
  return x === 0 ? '0' : x.toExponential(2).replace('e+', 'e');
}
