import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EditStack } from '../../../src/core/edits/editStack';

const ops = (s: EditStack<string>) => s.applied().map((e) => e.op);

test('apply, undo and redo move through the edit list', () => {
  const s = new EditStack<string>();
  s.push({ label: 'Grow depth ×2', op: 'depth' });
  s.push({ label: 'Grow experts ×2', op: 'width' });
  assert.deepEqual(ops(s), ['depth', 'width']);
  assert.equal(s.undo(), true);
  assert.deepEqual(ops(s), ['depth']);
  assert.deepEqual(s.redoable().map((e) => e.op), ['width']);
  assert.equal(s.redo(), true);
  assert.deepEqual(ops(s), ['depth', 'width']);
  assert.equal(s.redo(), false);
  s.undo();
  s.undo();
  assert.equal(s.undo(), false);
  assert.deepEqual(ops(s), []);
});

test('a new edit after undo drops the redo tail', () => {
  const s = new EditStack<string>();
  s.push({ label: 'a', op: 'a' });
  s.push({ label: 'b', op: 'b' });
  s.undo();
  s.push({ label: 'c', op: 'c' });
  assert.deepEqual(ops(s), ['a', 'c']);
  assert.equal(s.redo(), false);
});

test('handles returned by push undo and redo their own edit', () => {
  const s = new EditStack<string>();
  const h1 = s.push({ label: 'a', op: 'a' });
  const h2 = s.push({ label: 'b', op: 'b' });
  h2.undo();
  assert.deepEqual(ops(s), ['a']);
  h1.undo();
  assert.deepEqual(ops(s), []);
  h1.redo();
  h2.redo();
  assert.deepEqual(ops(s), ['a', 'b']);
});

test('dirty tracks the saved position; a cancelled save leaves the document dirty', () => {
  const s = new EditStack<string>();
  assert.equal(s.dirty, false);
  s.push({ label: 'a', op: 'a' });
  assert.equal(s.dirty, true);
  // a save that was cancelled never calls markSaved
  assert.equal(s.dirty, true);
  s.markSaved();
  assert.equal(s.dirty, false);
  s.undo();
  assert.equal(s.dirty, true);
  s.redo();
  assert.equal(s.dirty, false);
});

test('the saved state becomes unreachable when its branch is dropped', () => {
  const s = new EditStack<string>();
  s.push({ label: 'a', op: 'a' });
  s.push({ label: 'b', op: 'b' });
  s.markSaved();
  s.undo();
  s.push({ label: 'c', op: 'c' });
  assert.equal(s.dirty, true);
  s.undo();
  s.redo();
  assert.equal(s.dirty, true);
});

test('listeners hear every change and can be disposed', () => {
  const s = new EditStack<string>();
  let n = 0;
  const d = s.onDidChange(() => n++);
  s.push({ label: 'a', op: 'a' });
  s.undo();
  s.redo();
  s.markSaved();
  assert.equal(n, 4);
  d.dispose();
  s.reset();
  assert.equal(n, 4);
  assert.deepEqual(ops(s), []);
  assert.equal(s.dirty, false);
});
