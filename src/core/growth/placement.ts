// Where expert copies go. Grouped placement (the default) keeps each copy inside its original's routing group,
// so DeepSeek's group-limited routing selects the same groups; with one group it is plain appending.
import { PlanError } from '../errors';

export interface Placement {
  /** Output expert index of copy c (0 = the original) of source expert e. */
  index: (e: number, c: number) => number;
  /** For each output expert: [source expert, copy number]. */
  inverse: [number, number][];
}

export function makePlacement(numExperts: number, factor: number, groups: number, mode: 'grouped' | 'append'): Placement {
  if (numExperts % groups !== 0) throw new PlanError('plan', `experts: ${numExperts} experts do not split into ${groups} routing groups`, { key: 'n_group' });
  const s = numExperts / groups;
  const index = mode === 'append'
    ? (e: number, c: number) => c * numExperts + e
    : (e: number, c: number) => Math.floor(e / s) * factor * s + c * s + (e % s);
  const inverse: [number, number][] = new Array(numExperts * factor);
  for (let e = 0; e < numExperts; e++) for (let c = 0; c < factor; c++) inverse[index(e, c)] = [e, c];
  return { index, inverse };
}
