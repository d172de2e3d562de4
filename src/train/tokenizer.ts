// The checkpoint's own tokenizer: tokenizer.json (and tokenizer_config.json when present) through Tokenizers.js
// (@huggingface/tokenizers, pure JS). Special tokens are added only when tokenizer_config.json asks for them
// (add_bos_token / add_eos_token); documents are separated by the EOS id when it is known (tokenizer_config's
// eos_token, else config.json's eos_token_id), otherwise by the same newlines the byte-level path uses.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import { TrainError } from '../core/errors';

export interface CheckpointTokenizer {
  /** Path of the tokenizer.json in use. */
  file: string;
  /** The model type in tokenizer.json (BPE, Unigram, WordPiece, …). */
  model: string;
  eosId: number | null;
  addSpecialTokens: boolean;
  encode(text: string): number[];
}

function readJson(path: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new TrainError('train/tokenizer', `cannot read JSON: ${(e as Error).message}`, { file: path, rule: 'a JSON object' }, { cause: e });
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new TrainError('train/tokenizer', 'not a JSON object', { file: path, rule: 'a JSON object' });
  return v as Record<string, unknown>;
}

function tokenContent(t: unknown): string | null {
  if (typeof t === 'string') return t;
  if (t && typeof t === 'object' && typeof (t as { content?: unknown }).content === 'string') return (t as { content: string }).content;
  return null;
}

/** The checkpoint folder's tokenizer.json, or null when it has none (the byte-level fallback). */
export function loadCheckpointTokenizer(path: string): CheckpointTokenizer | null {
  // A checkpoint may be named by its folder, its .safetensors file or its index: the tokenizer sits in the folder.
  const checkpoint = existsSync(path) && statSync(path).isFile() ? dirname(path) : path;
  const file = join(checkpoint, 'tokenizer.json');
  if (!existsSync(file)) return null;
  const json = readJson(file);
  const cfgPath = join(checkpoint, 'tokenizer_config.json');
  const config = existsSync(cfgPath) ? readJson(cfgPath) : {};
  let tok: Tokenizer;
  try {
    tok = new Tokenizer({ added_tokens: [], normalizer: null, pre_tokenizer: null, post_processor: null, decoder: null, ...json }, config);
  } catch (e) {
    throw new TrainError('train/tokenizer', `Tokenizers.js cannot load it: ${(e as Error).message}`, { file, rule: 'a Hugging Face tokenizer.json' }, { cause: e });
  }
  const addSpecialTokens = config.add_bos_token === true || config.add_eos_token === true;
  let eosId: number | null = null;
  const eos = tokenContent(config.eos_token);
  if (eos !== null) eosId = tok.token_to_id(eos) ?? null;
  if (eosId === null && existsSync(join(checkpoint, 'config.json'))) {
    const raw = readJson(join(checkpoint, 'config.json')).eos_token_id;
    const id = Array.isArray(raw) ? raw[0] : raw;
    if (Number.isInteger(id) && id >= 0) eosId = id as number;
  }
  const modelJson = (json.model ?? {}) as { type?: unknown; unk_token?: unknown };
  const model = String(modelJson.type ?? 'unknown');
  // Tokenizers.js leaves a WordLevel model's unknown words without an id (it reads unk_token from the config only).
  const unk = tokenContent(modelJson.unk_token) ?? tokenContent(config.unk_token);
  const unkId = unk === null ? undefined : tok.token_to_id(unk);
  return {
    file, model, eosId, addSpecialTokens,
    encode(text: string): number[] {
      const ids = (tok.encode(text, { add_special_tokens: addSpecialTokens }).ids as (number | undefined)[]).map((id) => id ?? unkId);
      const bad = ids.findIndex((id) => !Number.isInteger(id) || (id as number) < 0);
      if (bad >= 0) {
        const piece = tok.tokenize(text)[bad];
        throw new TrainError('train/tokenizer', `the text has a piece ${JSON.stringify(piece)} with no token id and the tokenizer has no unk_token`, { file, rule: 'every piece maps to a token id' });
      }
      return ids as number[];
    },
  };
}

/** Token ids of `docs`, each followed by the EOS id when known, else by `sep` (as the byte-level path does). */
export function encodeDocuments(tok: CheckpointTokenizer, docs: string[], sep: string): Uint32Array {
  const parts: number[][] = [];
  let n = 0;
  for (const d of docs) {
    const ids = tok.encode(tok.eosId === null ? d + sep : d);
    if (tok.eosId !== null && ids[ids.length - 1] !== tok.eosId) ids.push(tok.eosId);
    parts.push(ids);
    n += ids.length;
  }
  const out = new Uint32Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** A short description for the data summary, e.g. "tokenizer.json (BPE, EOS 2 between documents)". */
export function describeTokenizer(tok: CheckpointTokenizer | null): string {
  if (!tok) return 'byte-level (UTF-8 bytes 0..255)';
  const extras = [tok.model, tok.eosId === null ? 'no EOS: newlines between documents' : `EOS ${tok.eosId} between documents`];
  if (tok.addSpecialTokens) extras.push('special tokens per tokenizer_config.json');
  return `tokenizer.json (${extras.join(', ')})`;
}
