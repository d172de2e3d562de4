// Growth operations (METHOD.md §1-§3) as data: recipe → plan (preview) → streaming executor.
export type { GrowthPlan, NoiseSpec, ParamCounts, PlanTensor, ScaleSpec, SigmaMode, SlicePiece, Transform, Verdict } from './types';
export { canonicalJson, parseRecipe, RECIPE_SCHEMA, recipeHash, validateRecipe } from './recipe';
export type { DepthMethod, DepthOp, ExpertsOp, GrowthOp, MergekitSlice, Recipe, UpcycleOp } from './recipe';
export { checkMap, composeSlots, depthSlots, interpositionMap, llamaProSlots, slicesMap, solarMap, stackMap, type LayerSlot } from './layerMaps';
export { rewriteDepthConfig, rewriteWidthConfig, upcycleConfig } from './configRewrite';
export { makePlacement, type Placement } from './placement';
export { buildGrowthPlan, type BuildOptions } from './planBuilder';
export { resolveNoiseScales, computeScale } from './scales';
export { dropChannels, planTensorWriter } from './tensorWriters';
export { executeGrowthPlan, provenanceMetadata, type ExecuteOptions, type ExecuteResult, type GrowthProgress } from './executor';
export { diffCheckpoints, type CheckpointDiff, type TensorDiff } from './diff';
export { GRAFT_VERSION } from './provenance';
export { formatBytes, formatCount, planOverview, planSummary } from './summary';
export { planToSource } from './planSource';
