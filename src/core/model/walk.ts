// Small helpers over the plain tree (the extension's tree view and the CLI use them).
import type { TreeNode } from './types';

export function* walkTree(node: TreeNode): Generator<TreeNode> {
  yield node;
  for (const c of node.children) yield* walkTree(c);
}

export function findNode(root: TreeNode, id: string): TreeNode | undefined {
  for (const n of walkTree(root)) if (n.id === id) return n;
  return undefined;
}
