// Every family table, by id, model_type and architecture. Adding a family = a table file + one entry here + a fixture.
import { FamilyError } from '../errors';
import { deepseekV2, deepseekV3 } from './deepseek';
import { llama, mistral, qwen2, qwen3 } from './dense';
import { gptOss } from './gptOss';
import { hf5FusedMoe } from './hf5Fused';
import { mixtral } from './mixtral';
import { olmoe } from './olmoe';
import { qwen2Moe } from './qwen2Moe';
import { qwen3Moe } from './qwen3Moe';
import type { FamilyId, FamilyTable } from './types';
import { validateFamilyTable } from './validate';

/** The tables selected by config; hf5_fused_moe is reached by tensor names (detect.ts), generic by fallback. */
export const FAMILIES: readonly FamilyTable[] = [
  mixtral, qwen2Moe, qwen3Moe, olmoe, deepseekV2, deepseekV3, gptOss, llama, mistral, qwen2, qwen3,
];

const byId = new Map<FamilyId, FamilyTable>([...FAMILIES, hf5FusedMoe].map((f) => [f.id, f]));

// A broken table is a programming error: fail at load, naming the table and key.
for (const f of byId.values()) validateFamilyTable(f);

export function getFamily(id: FamilyId | string): FamilyTable {
  const f = byId.get(id as FamilyId);
  if (!f) throw new FamilyError('family', `unknown family "${id}" (known: ${[...byId.keys()].join(', ')})`, { key: 'family' });
  return f;
}

export function familyForModelType(modelType: string): FamilyTable | undefined {
  return FAMILIES.find((f) => f.modelTypes.includes(modelType));
}

export function familyForArchitecture(arch: string): FamilyTable | undefined {
  return FAMILIES.find((f) => f.architectures.includes(arch));
}
