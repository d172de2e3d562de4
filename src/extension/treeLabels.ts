// Labels of tensor rows in the Checkpoint tree. Plain functions (no vscode), so they are unit-tested directly.

/** Sibling tensor names without the dotted prefix they share (`w1.weight`, `w2.weight`); a lone one keeps two parts. */
export function shortNames(names: readonly string[]): string[] {
  const split = names.map((n) => n.split('.'));
  if (split.length <= 1) return split.map((p) => p.slice(-2).join('.'));
  let common = 0;
  while (split.every((p) => common < p.length - 1 && p[common] === split[0][common])) common++;
  return split.map((p) => p.slice(common).join('.'));
}
