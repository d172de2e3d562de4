// Training data: pre-tokenized flat token files (nanoGPT-style .bin: uint16, or uint32 when named *.u32.bin),
// or raw text (.txt/.md, a folder of them, or .jsonl with a "text" field) through a byte-level tokenizer
// (token = UTF-8 byte, 0..255), or through the checkpoint's tokenizer.json when it has one (./tokenizer). A fixed
// train/val split, and deterministic seeded batches: the batch of step s depends only on (seed, s), so a resumed
// run sees exactly the batches the uninterrupted run would have seen.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { TrainError } from '../core/errors';
import { describeTokenizer, encodeDocuments, loadCheckpointTokenizer } from './tokenizer';

export interface TokenData {
  source: string;
  tokenizer: 'pretokenized-u16' | 'pretokenized-u32' | 'bytes' | 'tokenizer.json';
  /** The tokenizer.json used for text, when `tokenizer` is 'tokenizer.json'. */
  tokenizerFile?: string;
  /** A human line naming the tokenizer, for the data summary. */
  tokenizerSummary: string;
  train: Uint32Array;
  val: Uint32Array;
  maxToken: number;
}

const TEXT_EXT = new Set(['.txt', '.md', '.text']);

function textTokens(buf: Buffer): Uint32Array {
  return Uint32Array.from(buf);
}

function readJsonl(path: string): string[] {
  const parts: string[] = [];
  readFileSync(path, 'utf8').split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    let obj: unknown;
    try {
      obj = JSON.parse(line);
    } catch {
      throw new TrainError('train/data', `line ${i + 1} is not JSON`, { file: path, rule: 'one JSON object per line' });
    }
    const text = (obj as { text?: unknown })?.text;
    if (typeof text !== 'string') throw new TrainError('train/data', `line ${i + 1} has no string "text" field`, { file: path, rule: 'JSONL needs "text"' });
    parts.push(text);
  });
  return parts;
}

export interface LoadTokensOptions {
  /** The checkpoint folder: text and JSONL go through its tokenizer.json when it has one. */
  checkpoint?: string;
}

/** Reads a data source; `valFraction` of the tokens (the tail) is held out. */
export function loadTokens(path: string, valFraction = 0.1, opts: LoadTokensOptions = {}): TokenData {
  let st;
  try {
    st = statSync(path);
  } catch {
    throw new TrainError('train/data', 'training data not found', { file: path, rule: 'data path exists' });
  }
  let tokens: Uint32Array;
  let tokenizer: TokenData['tokenizer'] = 'bytes';
  const isBin = !st.isDirectory() && extname(path) === '.bin';
  const tok = !isBin && opts.checkpoint ? loadCheckpointTokenizer(opts.checkpoint) : null;
  let tokenizerSummary = describeTokenizer(tok);
  if (tok) tokenizer = 'tokenizer.json';
  if (st.isDirectory()) {
    const files = readdirSync(path).filter((f) => TEXT_EXT.has(extname(f))).sort();
    if (!files.length) throw new TrainError('train/data', 'the folder has no .txt/.md files', { file: path, rule: 'text files in a data folder' });
    const docs = files.map((f) => readFileSync(join(path, f)));
    tokens = tok ? encodeDocuments(tok, docs.map((b) => b.toString('utf8')), '\n\n') : textTokens(Buffer.concat(docs.flatMap((b) => [b, Buffer.from('\n\n')])));
  } else if (extname(path) === '.bin') {
    const buf = readFileSync(path);
    const u32 = basename(path).endsWith('.u32.bin');
    const width = u32 ? 4 : 2;
    if (buf.byteLength % width) throw new TrainError('train/data', `size ${buf.byteLength} is not a multiple of ${width}`, { file: path, rule: `flat uint${width * 8} tokens` });
    const ab = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
    tokens = u32 ? new Uint32Array(ab) : Uint32Array.from(new Uint16Array(ab));
    tokenizer = u32 ? 'pretokenized-u32' : 'pretokenized-u16';
    tokenizerSummary = `pre-tokenized uint${width * 8}`;
  } else if (extname(path) === '.jsonl') {
    const docs = readJsonl(path);
    tokens = tok ? encodeDocuments(tok, docs, '\n') : textTokens(Buffer.from(docs.map((t) => t + '\n').join(''), 'utf8'));
  } else {
    tokens = tok ? encodeDocuments(tok, [readFileSync(path, 'utf8')], '') : textTokens(readFileSync(path));
  }
  if (tokens.length < 4) throw new TrainError('train/data', `only ${tokens.length} tokens`, { file: path, rule: 'enough tokens to train' });
  const nVal = Math.max(1, Math.floor(tokens.length * valFraction));
  let maxToken = 0;
  for (const t of tokens) if (t > maxToken) maxToken = t;
  return { source: path, tokenizer, ...(tok ? { tokenizerFile: tok.file } : {}), tokenizerSummary, train: tokens.subarray(0, tokens.length - nVal), val: tokens.subarray(tokens.length - nVal), maxToken };
}

export function checkVocab(data: TokenData, vocab: number): void {
  if (data.maxToken >= vocab && data.tokenizerFile) {
    throw new TrainError('train/data', `${data.tokenizerFile} produced token id ${data.maxToken}, which does not fit the model's vocab_size ${vocab}`, { file: data.tokenizerFile, key: 'vocab_size', rule: 'token ids < vocab_size' });
  }
  if (data.maxToken >= vocab) {
    throw new TrainError('train/data', `token id ${data.maxToken} does not fit the model's vocabulary of ${vocab}`, { file: data.source, key: 'vocab_size', rule: 'token ids < vocab_size' });
  }
}

/** splitmix32-style hash → mulberry32 stream: deterministic on every machine. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The training batch of `step`: `batch` random windows of seq + 1 tokens, as int64 row-major [batch, seq + 1]. */
export function trainBatch(tokens: Uint32Array, batch: number, seq: number, seed: number, step: number): BigInt64Array {
  const w = seq + 1;
  if (tokens.length < w) throw new TrainError('train/data', `${tokens.length} training tokens, fewer than seq + 1 = ${w}`, { rule: 'seq fits the data' });
  const next = rng(Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(step + 1, 0xc2b2ae35));
  const out = new BigInt64Array(batch * w);
  for (let b = 0; b < batch; b++) {
    const start = Math.floor(next() * (tokens.length - w + 1));
    for (let t = 0; t < w; t++) out[b * w + t] = BigInt(tokens[start + t]);
  }
  return out;
}

/** Consecutive evaluation batches over `tokens` (deterministic, non-overlapping windows; at most `maxBatches`). */
export function* evalBatches(tokens: Uint32Array, batch: number, seq: number, maxBatches: number): Generator<BigInt64Array> {
  const w = seq + 1;
  const windows = Math.floor((tokens.length - 1) / seq);
  if (windows < batch) throw new TrainError('train/data', `${tokens.length} evaluation tokens hold ${windows} windows of ${w}, fewer than one batch of ${batch}`, { rule: 'eval data holds one batch' });
  for (let k = 0; k < maxBatches && (k + 1) * batch <= windows; k++) {
    const out = new BigInt64Array(batch * w);
    for (let b = 0; b < batch; b++) {
      const start = (k * batch + b) * seq;
      for (let t = 0; t < w; t++) out[b * w + t] = BigInt(tokens[start + t]);
    }
    yield out;
  }
}
