// The header: parse + validate (as the reference Rust crate does, plus duplicate-name detection) and build
// (tensors in write order, contiguous offsets, space-padded to a multiple of 8). No I/O here.
import { byteLengthOf, isDType } from './dtypes';
import { parseHeaderFast } from './jsonScan';
import { fail } from './rules';
import type { DType, TensorRef } from './types';

export const MAX_HEADER_BYTES = 100_000_000;

export interface ParsedHeader {
  metadata: Record<string, string>;
  /** In offset order; `offset` is absolute (8 + N + begin). */
  tensors: TensorRef[];
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Validates header bytes `json` of `file` whose data section holds `dataSize` bytes. */
export function parseHeader(json: Uint8Array, file: string, dataSize: number): ParsedHeader {
  let text: string;
  try {
    text = utf8.decode(json);
  } catch (e) {
    throw fail('invalidUtf8', `${json.length} header bytes`, { file }, e);
  }
  // The fast path accepts only what the general path below would accept with the same result; anything else
  // (an error, an escape it does not know, an ordering subtlety) returns null and the general path decides.
  const fast = json[0] === 0x7b ? parseHeaderFast(text, file, dataSize, 8 + json.length) : null;
  if (!fast) return parseGeneral(json, text, file, dataSize);
  checkLayout(fast.tensors, file, 8 + json.length, dataSize);
  return fast;
}

function parseGeneral(json: Uint8Array, text: string, file: string, dataSize: number): ParsedHeader {
  if (json[0] !== 0x7b) throw fail('headerNotObject', `first byte is ${JSON.stringify(text.slice(0, 1))}`, { file });
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch (e) {
    throw fail('invalidJson', (e as Error).message, { file }, e);
  }
  if (typeof root !== 'object' || root === null || Array.isArray(root)) throw fail('headerNotObject', 'not an object', { file });
  const obj = root as Record<string, unknown>;
  // JSON.parse keeps the last of duplicate names; compare the names in the text with those parsed.
  if (countKeysInText(json) !== countKeysParsed(obj)) throw duplicateError(json, text, file);

  const dataOffset = 8 + json.length;
  let metadata: Record<string, string> = {};
  const tensors: TensorRef[] = [];
  for (const name in obj) {
    const entry = obj[name];
    if (name === '__metadata__') {
      metadata = checkMetadata(entry, file);
      continue;
    }
    const where = { file, tensor: name };
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) throw fail('badEntry', 'entry is not an object', where);
    const e = entry as Record<string, unknown>;
    let n = 0;
    for (const k in e) {
      if (k !== 'dtype' && k !== 'shape' && k !== 'data_offsets') throw fail('badEntry', `unexpected field "${k}"`, where);
      n++;
    }
    if (n !== 3) throw fail('badEntry', `missing field (has ${Object.keys(e).join(', ') || 'none'})`, where);
    const { dtype, shape, data_offsets: offs } = e;
    if (typeof dtype !== 'string') throw fail('badEntry', 'dtype is not a string', where);
    if (!isDType(dtype)) throw fail('unknownDtype', JSON.stringify(dtype), where);
    if (!Array.isArray(shape)) throw fail('badShape', 'shape is not a list', where);
    for (const d of shape) {
      if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) throw fail('badShape', JSON.stringify(shape), where);
    }
    if (!Array.isArray(offs) || offs.length !== 2 || !offs.every((o) => typeof o === 'number' && Number.isSafeInteger(o) && o >= 0)) {
      throw fail('badEntry', `data_offsets ${JSON.stringify(offs)} is not two non-negative integers`, where);
    }
    const [begin, end] = offs as [number, number];
    if (begin > end) throw fail('offsetsReversed', `[${begin}, ${end}]`, where);
    if (end > dataSize) throw fail('offsetsOutOfBounds', `end ${end} > data section size ${dataSize}`, where);
    const byteLength = byteLengthOf(dtype as DType, shape as number[], where);
    if (end - begin !== byteLength) {
      throw fail('byteLengthMismatch', `[${begin}, ${end}] holds ${end - begin} bytes, ${dtype} [${shape.join(', ')}] needs ${byteLength}`, where);
    }
    tensors.push({ name, dtype: dtype as DType, shape: shape as number[], file, offset: dataOffset + begin, byteLength });
  }
  checkLayout(tensors, file, dataOffset, dataSize);
  return { metadata, tensors };
}

/** Offset order (sorting only when the file is not already in it), then contiguity from 0 to the end. */
function checkLayout(tensors: TensorRef[], file: string, dataOffset: number, dataSize: number): void {
  let sorted = true;
  for (let i = 1; i < tensors.length && sorted; i++) sorted = tensors[i - 1].offset <= tensors[i].offset;
  if (!sorted) tensors.sort((a, b) => a.offset - b.offset || a.byteLength - b.byteLength);
  let expected = 0;
  for (const t of tensors) {
    const begin = t.offset - dataOffset;
    if (begin > expected) throw fail('offsetsHole', `tensor starts at ${begin}, previous ends at ${expected}`, { file, tensor: t.name });
    if (begin < expected) throw fail('offsetsOverlap', `tensor starts at ${begin}, previous ends at ${expected}`, { file, tensor: t.name });
    expected = begin + t.byteLength;
  }
  if (expected !== dataSize) throw fail('trailingBytes', `tensors end at ${expected}, data section holds ${dataSize} bytes`, { file });
}

function checkMetadata(m: unknown, file: string): Record<string, string> {
  if (m === null) return {};
  if (typeof m !== 'object' || Array.isArray(m)) throw fail('badMetadata', `got ${Array.isArray(m) ? 'a list' : typeof m}`, { file, key: '__metadata__' });
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(m as Record<string, unknown>)) {
    if (typeof v !== 'string') throw fail('badMetadata', `value of "${k}" is ${v === null ? 'null' : typeof v}`, { file, key: k });
    out[k] = v;
  }
  return out;
}

/** End index of the string whose opening quote is at `q` (index of the closing quote), or -1. A plain byte loop:
 *  Buffer#indexOf costs a native call each time, far more than scanning a short name. */
function stringEnd(b: Uint8Array, q: number): number {
  const n = b.length;
  for (let j = q + 1; j < n; j++) {
    const c = b[j];
    if (c === 0x5c) j++; // skip the escaped character
    else if (c === 0x22) return j;
  }
  return -1;
}

function nextNonSpace(b: Uint8Array, i: number): number {
  while (i < b.length) {
    const c = b[i];
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
    i++;
  }
  return i;
}

/** Counts object member names in already-valid JSON text: strings followed by ':'. */
function countKeysInText(b: Uint8Array): number {
  let keys = 0;
  const n = b.length;
  for (let i = 0; i < n; i++) {
    if (b[i] !== 0x22) continue;
    const end = stringEnd(b, i);
    if (end < 0) return keys;
    if (b[nextNonSpace(b, end + 1)] === 0x3a) keys++;
    i = end;
  }
  return keys;
}

function countKeysParsed(v: unknown): number {
  if (typeof v !== 'object' || v === null) return 0;
  let n = 0;
  if (Array.isArray(v)) {
    for (const x of v) n += countKeysParsed(x);
    return n;
  }
  for (const k in v as Record<string, unknown>) n += 1 + countKeysParsed((v as Record<string, unknown>)[k]);
  return n;
}

/** Slow path, only on error: walk the objects with a set of names each to say which name repeats and where. */
function duplicateError(b: Uint8Array, text: string, file: string): Error {
  const stack: Set<string>[] = [];
  let tensor: string | undefined;
  const enc = new TextDecoder();
  for (let i = 0; i < b.length; i++) {
    const c = b[i];
    if (c === 0x7b) stack.push(new Set());
    else if (c === 0x7d) stack.pop();
    else if (c === 0x22) {
      const end = stringEnd(b, i);
      if (b[nextNonSpace(b, end + 1)] === 0x3a) {
        const key = JSON.parse(enc.decode(b.subarray(i, end + 1))) as string;
        const set = stack[stack.length - 1];
        if (stack.length === 1) tensor = key;
        if (set.has(key)) {
          return stack.length === 1
            ? fail('duplicateName', `"${key}" appears twice`, { file, tensor: key })
            : fail('duplicateName', `field "${key}" appears twice`, { file, tensor, key });
        }
        set.add(key);
      }
      i = end;
    }
  }
  return fail('duplicateName', `${text.length} characters`, { file });
}

export interface HeaderEntry {
  name: string;
  dtype: DType;
  shape: readonly number[];
  byteLength: number;
}

/** The 8-byte length and the JSON header for `entries` laid out contiguously in order, padded with spaces to a
 *  multiple of 8 so the data section starts aligned. Names are written in the given order (a JS object would
 *  move integer-like names first). */
export function buildHeader(entries: readonly HeaderEntry[], metadata?: Record<string, string>): Uint8Array {
  const parts: string[] = [];
  if (metadata && Object.keys(metadata).length) parts.push(`"__metadata__":${JSON.stringify(metadata)}`);
  let offset = 0;
  for (const e of entries) {
    parts.push(`${JSON.stringify(e.name)}:{"dtype":"${e.dtype}","shape":[${e.shape.join(',')}],"data_offsets":[${offset},${offset + e.byteLength}]}`);
    offset += e.byteLength;
  }
  const json = Buffer.from(`{${parts.join(',')}}`, 'utf8');
  const padded = Math.ceil(json.length / 8) * 8;
  if (padded > MAX_HEADER_BYTES) throw fail('headerTooLarge', `${padded} bytes for ${entries.length} tensors`);
  const out = Buffer.alloc(8 + padded, 0x20);
  out.writeBigUInt64LE(BigInt(padded), 0);
  json.copy(out, 8);
  return out;
}
