// The edit list of an open checkpoint document: growth operations are edits of the model tree, not of bytes.
// Bytes move only on save, when the executor runs the plan built from `pending()`. Mirrors hexeditor's model:
// an index of the last saved edit instead of a dirty flag, and undo/redo as pure moves of a cursor.

export interface Edit<Op> {
  /** Readable label for VS Code's undo stack and the pending-changes list ("Grow depth ×2 (interposition)"). */
  label: string;
  op: Op;
}

export interface EditHandle {
  undo(): void;
  redo(): void;
}

export class EditStack<Op> {
  private edits: Edit<Op>[] = [];
  /** Number of edits currently applied (edits[cursor..] are redoable). */
  private cursor = 0;
  /** Value of `cursor` when the document was last saved; -1 when the saved state is no longer reachable. */
  private savedAt = 0;
  private readonly listeners = new Set<() => void>();

  /** Applies an edit, dropping the redo tail, and returns the handle VS Code's undo stack calls. */
  push(edit: Edit<Op>): EditHandle {
    if (this.savedAt > this.cursor) this.savedAt = -1;
    this.edits = [...this.edits.slice(0, this.cursor), edit];
    this.cursor = this.edits.length;
    const position = this.cursor;
    this.changed();
    return {
      undo: () => this.moveTo(position - 1),
      redo: () => this.moveTo(position),
    };
  }

  undo(): boolean {
    if (this.cursor === 0) return false;
    this.moveTo(this.cursor - 1);
    return true;
  }

  redo(): boolean {
    if (this.cursor >= this.edits.length) return false;
    this.moveTo(this.cursor + 1);
    return true;
  }

  private moveTo(position: number): void {
    const p = Math.max(0, Math.min(this.edits.length, position));
    if (p === this.cursor) return;
    this.cursor = p;
    this.changed();
  }

  /** The edits in effect, oldest first: the recipe that Save executes. */
  applied(): readonly Edit<Op>[] {
    return this.edits.slice(0, this.cursor);
  }

  /** Edits that redo would re-apply. */
  redoable(): readonly Edit<Op>[] {
    return this.edits.slice(this.cursor);
  }

  get dirty(): boolean {
    return this.cursor !== this.savedAt;
  }

  /** Marks the current state as saved (after a save completed; a cancelled save must not call this). */
  markSaved(): void {
    this.savedAt = this.cursor;
    this.changed();
  }

  /** Drops every edit (revert): the document shows the source checkpoint again. */
  reset(): void {
    this.edits = [];
    this.cursor = 0;
    this.savedAt = 0;
    this.changed();
  }

  onDidChange(listener: () => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  private changed(): void {
    for (const l of [...this.listeners]) l();
  }
}
