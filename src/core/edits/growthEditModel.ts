// The plain model behind a checkpoint document with growth edits: the source, the edit stack of growth ops, the
// pending (grown) model computed from the applied ops, and Save as "execute the recipe into a new folder, then mark
// saved". No vscode: the extension's CheckpointDocument is a shell over this, and test/core/edits drives it directly.
import type { GrowthOp, GrowthPlan, Recipe } from '../growth/index';
import type { ModelTree } from '../model/index';
import type { CheckpointSource } from '../safetensors/index';
import { EditStack, type EditHandle } from './editStack';
import { growthLabel } from './growthLabels';
import { pendingModel, recipeOf, type PendingModel } from './growthPreview';

/** Runs a plan into `dest` (the executor, in-process or in a worker); rejects on failure or abort. */
export type PlanRunner = (recipe: Recipe, dest: string, signal?: AbortSignal) => Promise<void>;

export class GrowthEditModel {
  private cache: { key: string; pending: PendingModel } | undefined;

  /**
   * `seed`: the noise seed of the recipe (graft.seed); it does not change what an op means, only its bytes.
   * `edits`: the stack, passed in when it outlives this model (a document re-reads its source but keeps its edits).
   */
  constructor(readonly source: CheckpointSource, readonly sourceModel: ModelTree, public seed = 0, readonly edits = new EditStack<GrowthOp>()) {}

  /** Checks `op` against the applied ones (a plan is built), then pushes it. Throws PlanError and pushes nothing. */
  apply(op: GrowthOp): { label: string; handle: EditHandle } {
    const label = growthLabel(op);
    pendingModel(this.source, [...this.ops(), op], this.seed);
    return { label, handle: this.edits.push({ label, op }) };
  }

  ops(): GrowthOp[] {
    return this.edits.applied().map((e) => e.op);
  }

  /** The grown model of the applied ops, or undefined when none is applied. Cached per op list. */
  pending(): PendingModel | undefined {
    const ops = this.ops();
    if (ops.length === 0) return undefined;
    const key = JSON.stringify([this.seed, ops]);
    if (this.cache?.key !== key) this.cache = { key, pending: pendingModel(this.source, ops, this.seed) };
    return this.cache.pending;
  }

  /** What the tree and the editor show: the grown model while edits are applied, else the source. */
  shown(): { model: ModelTree; source: CheckpointSource; plan?: GrowthPlan } {
    const p = this.pending();
    return p ? { model: p.model, source: p.source, plan: p.plan } : { model: this.sourceModel, source: this.source };
  }

  /** The applied ops as a recipe (`graft grow --recipe` reads it); throws when nothing is applied. */
  recipe(name?: string): Recipe {
    return recipeOf(this.ops(), this.seed, name);
  }

  /** Writes the grown model to `dest` and marks the edits saved; a failed or aborted run leaves them dirty. */
  async save(dest: string, run: PlanRunner, signal?: AbortSignal): Promise<void> {
    const recipe = this.recipe();
    const cursor = this.edits.applied().length;
    await run(recipe, dest, signal);
    // The user may have undone or redone while the write ran: only the state that was written is saved.
    if (this.edits.applied().length === cursor) this.edits.markSaved();
  }

  /** Applies a backed-up recipe's ops (hot exit): they come back as unsaved edits. */
  restore(recipe: Recipe): void {
    this.seed = recipe.seed;
    for (const op of recipe.ops) this.edits.push({ label: growthLabel(op), op });
  }
}
