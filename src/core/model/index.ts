// Public API of the model layer: the tree, counts, and the tiny-model fixture factory.
export type { ActiveParams, LayerSummary, ModelTree, NodeKind, NodeOrigin, TensorSlice, TreeNode } from './types';
export { buildModelTree, configPathOf } from './buildTree';
export { computeActive, paramsOf } from './counts';
export { findNode, walkTree } from './walk';
export {
  depthProfile, makeTinyMoe, tinyConfig, tinyFamily, tinyMoeSource, tinyMoeSpec, tinyTensorValues, BYTE_SPECIALS, TOKENIZER_NOTE,
  type TinyMoeOptions, type TinyMoeSpec, type TinyTensorSpec, type TinyWriteOptions,
} from './tinyMoe';
