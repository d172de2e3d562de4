// The fast paths of header and index parsing: single passes over the decoded JSON text. They accept only plain,
// valid JSON that the general paths (JSON.parse, then checks) accept with the same result, and return null (or -1)
// for anything else, errors included, so that the general paths decide and word every error.
import { DTYPES } from './dtypes';
import type { DType, TensorRef } from './types';

/** Side results of the last scan: whether its string held an escape, where its integer ended. */
const state = { escaped: false, numEnd: 0 };
/** Index after JSON whitespace from `i`. */
function skipWs(s: string, i: number): number {
  for (;;) {
    const c = s.charCodeAt(i);
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return i;
    i++;
  }
}

/** Scans the string whose opening quote is at `q`. Returns the index of the closing quote, or -1 when the text
 *  is not a plain JSON string; sets `escaped` when it holds a backslash escape. */
function scanString(s: string, q: number): number {
  state.escaped = false;
  const n = s.length;
  for (let j = q + 1; j < n; j++) {
    const c = s.charCodeAt(j);
    if (c === 0x22) return j;
    if (c === 0x5c) {
      state.escaped = true;
      j++;
    } else if (c < 0x20) return -1;
  }
  return -1;
}

/** The JSON string from `q` to the closing quote `end`; undefined when its escapes are invalid. */
function stringValue(s: string, q: number, end: number): string | undefined {
  if (!state.escaped) return s.slice(q + 1, end);
  try {
    return JSON.parse(s.slice(q, end + 1)) as string;
  } catch {
    return undefined;
  }
}

/** A non-negative JSON integer of at most 15 digits at `i` (anything else: -1); its end in `numEnd`. */
function scanInt(s: string, i: number): number {
  let c = s.charCodeAt(i);
  if (c < 0x30 || c > 0x39) return -1;
  let v = c - 0x30;
  let j = i + 1;
  if (v !== 0) {
    for (; (c = s.charCodeAt(j)) >= 0x30 && c <= 0x39; j++) {
      if (j - i >= 15) return -1;
      v = v * 10 + (c - 0x30);
    }
  }
  c = s.charCodeAt(j);
  if (c === 0x2e || c === 0x65 || c === 0x45 || (c >= 0x30 && c <= 0x39)) return -1; // fraction, exponent, leading zero
  state.numEnd = j;
  return v;
}

/** True when the name at q+1..end is `lit`. */
function nameIs(s: string, q: number, end: number, lit: string): boolean {
  return end - q - 1 === lit.length && s.startsWith(lit, q + 1);
}

/** End (exclusive) of the JSON value starting at `i`, found by bracket matching outside strings; -1 when unsure.
 *  Not a validator: callers JSON.parse the slice. */
function skipValue(s: string, i: number): number {
  const c = s.charCodeAt(i);
  if (c === 0x22) {
    const e = scanString(s, i);
    return e < 0 ? -1 : e + 1;
  }
  if (c === 0x7b || c === 0x5b) {
    let depth = 0;
    for (let j = i; j < s.length; j++) {
      const d = s.charCodeAt(j);
      if (d === 0x22) {
        j = scanString(s, j);
        if (j < 0) return -1;
      } else if (d === 0x7b || d === 0x5b) depth++;
      else if (d === 0x7d || d === 0x5d) {
        if (--depth === 0) return j + 1;
      }
    }
    return -1;
  }
  let j = i;
  for (; j < s.length; j++) {
    const d = s.charCodeAt(j);
    if (d === 0x2c || d === 0x7d || d === 0x5d || d === 0x20 || d === 0x0a || d === 0x0d || d === 0x09) break;
  }
  return j === i ? -1 : j;
}

const DTYPE_BITS = new Map<string, [DType, number]>(Object.entries(DTYPES).map(([k, v]) => [k, [k as DType, v.bits]]));

/** A header's entries in one pass over its decoded text, without intermediate objects: only what the general
 *  path (JSON.parse, then checks) accepts with the same result. Null for anything else, errors included, and for
 *  integer-like names (JSON.parse would reorder them). The caller still checks the layout (order, contiguity). */
export function parseHeaderFast(s: string, file: string, dataSize: number, dataOffset: number): { metadata: Record<string, string>; tensors: TensorRef[] } | null {
  const tensors: TensorRef[] = [];
  const seen = new Set<string>();
  let metadata: Record<string, string> | undefined;
  let lastDtype: [DType, number] = DTYPE_BITS.get('BF16')!;
  let i = skipWs(s, 1);
  if (s.charCodeAt(i) === 0x7d) i++;
  else {
    for (;;) {
      if (s.charCodeAt(i) !== 0x22) return null;
      const nameEnd = scanString(s, i);
      if (nameEnd < 0) return null;
      const name = stringValue(s, i, nameEnd);
      if (name === undefined) return null;
      i = skipWs(s, nameEnd + 1);
      if (s.charCodeAt(i) !== 0x3a) return null;
      i = skipWs(s, i + 1);
      if (name === '__metadata__') {
        if (metadata !== undefined) return null;
        metadata = {};
        if (s.startsWith('null', i)) i += 4;
        else {
          i = parseMetadata(s, i, metadata);
          if (i < 0) return null;
        }
      } else {
        // Integer-like names come first in a parsed object's order: leave them to the general path.
        const c0 = name.charCodeAt(0);
        if ((c0 >= 0x30 && c0 <= 0x39) || seen.has(name)) return null;
        seen.add(name);
        if (s.charCodeAt(i) !== 0x7b) return null;
        i = skipWs(s, i + 1);
        let have = 0;
        let dt = lastDtype;
        const shape: number[] = [];
        let begin = 0;
        let end = 0;
        for (;;) {
          if (s.charCodeAt(i) !== 0x22) return null;
          const kEnd = scanString(s, i);
          if (kEnd < 0 || state.escaped) return null;
          const k = i;
          i = skipWs(s, kEnd + 1);
          if (s.charCodeAt(i) !== 0x3a) return null;
          i = skipWs(s, i + 1);
          if (nameIs(s, k, kEnd, 'dtype')) {
            if (have & 1 || s.charCodeAt(i) !== 0x22) return null;
            have |= 1;
            const vEnd = scanString(s, i);
            if (vEnd < 0 || state.escaped) return null;
            if (!nameIs(s, i, vEnd, dt[0])) {
              const found = DTYPE_BITS.get(s.slice(i + 1, vEnd));
              if (found === undefined) return null;
              dt = lastDtype = found;
            }
            i = vEnd + 1;
          } else if (nameIs(s, k, kEnd, 'shape')) {
            if (have & 2 || s.charCodeAt(i) !== 0x5b) return null;
            have |= 2;
            i = skipWs(s, i + 1);
            if (s.charCodeAt(i) === 0x5d) i++;
            else {
              for (;;) {
                const d = scanInt(s, i);
                if (d < 0) return null;
                shape.push(d);
                i = skipWs(s, state.numEnd);
                const c = s.charCodeAt(i);
                i = skipWs(s, i + 1);
                if (c === 0x5d) break;
                if (c !== 0x2c) return null;
              }
            }
          } else if (nameIs(s, k, kEnd, 'data_offsets')) {
            if (have & 4 || s.charCodeAt(i) !== 0x5b) return null;
            have |= 4;
            begin = scanInt(s, skipWs(s, i + 1));
            if (begin < 0) return null;
            i = skipWs(s, state.numEnd);
            if (s.charCodeAt(i) !== 0x2c) return null;
            end = scanInt(s, skipWs(s, i + 1));
            if (end < 0) return null;
            i = skipWs(s, state.numEnd);
            if (s.charCodeAt(i) !== 0x5d) return null;
            i++;
          } else return null;
          i = skipWs(s, i);
          const c = s.charCodeAt(i);
          i = skipWs(s, i + 1);
          if (c === 0x7d) break;
          if (c !== 0x2c) return null;
        }
        if (have !== 7 || begin > end || end > dataSize) return null;
        let numel = 1;
        for (let j = 0; j < shape.length; j++) {
          numel *= shape[j];
          if (numel > Number.MAX_SAFE_INTEGER) return null; // numelOverflow, judged by the general path
        }
        const bits = numel * dt[1];
        if (!Number.isSafeInteger(bits) || bits % 8 !== 0 || end - begin !== bits / 8) return null;
        tensors.push({ name, dtype: dt[0], shape, file, offset: dataOffset + begin, byteLength: end - begin });
        // `i` is already past the entry's closing brace and whitespace.
        const c = s.charCodeAt(i);
        if (c === 0x7d) {
          i++;
          break;
        }
        if (c !== 0x2c) return null;
        i = skipWs(s, i + 1);
        continue;
      }
      i = skipWs(s, i);
      const c = s.charCodeAt(i);
      if (c === 0x7d) {
        i++;
        break;
      }
      if (c !== 0x2c) return null;
      i = skipWs(s, i + 1);
    }
  }
  if (skipWs(s, i) !== s.length) return null;
  return { metadata: metadata ?? {}, tensors };
}

/** `{"k": "v", ...}` at `i` into `out`; the index past it, or -1 for anything the general path should judge. */
function parseMetadata(s: string, i: number, out: Record<string, string>): number {
  if (s.charCodeAt(i) !== 0x7b) return -1;
  i = skipWs(s, i + 1);
  if (s.charCodeAt(i) === 0x7d) return i + 1;
  for (;;) {
    if (s.charCodeAt(i) !== 0x22) return -1;
    const kEnd = scanString(s, i);
    if (kEnd < 0) return -1;
    const k = stringValue(s, i, kEnd);
    // Integer-like keys reorder and __proto__ is special as an assigned property: the general path handles both.
    if (k === undefined || k === '__proto__' || Object.prototype.hasOwnProperty.call(out, k)) return -1;
    const c0 = k.charCodeAt(0);
    if (c0 >= 0x30 && c0 <= 0x39) return -1;
    i = skipWs(s, kEnd + 1);
    if (s.charCodeAt(i) !== 0x3a) return -1;
    i = skipWs(s, i + 1);
    if (s.charCodeAt(i) !== 0x22) return -1;
    const vEnd = scanString(s, i);
    if (vEnd < 0) return -1;
    const v = stringValue(s, i, vEnd);
    if (v === undefined) return -1;
    out[k] = v;
    i = skipWs(s, vEnd + 1);
    const c = s.charCodeAt(i);
    if (c === 0x7d) return i + 1;
    if (c !== 0x2c) return -1;
    i = skipWs(s, i + 1);
  }
}

export interface FastIndex {
  raw: Record<string, unknown>;
  weightMap: Map<string, string>;
  /** Distinct shard → the first tensor naming it, in order of first appearance. */
  shards: Map<string, string>;
}

/** The index in one pass when it is the usual shape: a top-level object whose weight_map is an object of string
 *  values, without repeated or integer-like names (JSON.parse would reorder or collapse those). Other top-level
 *  values go through JSON.parse one by one. Null when the general path must decide (it then also reports errors). */
export function parseIndexFast(s: string): FastIndex | null {
  const raw: Record<string, unknown> = {};
  const seenKeys = new Set<string>();
  let weightMap: Map<string, string> | undefined;
  const shards = new Map<string, string>();
  let i = skipWs(s, 0);
  if (s.charCodeAt(i) !== 0x7b) return null;
  i = skipWs(s, i + 1);
  if (s.charCodeAt(i) === 0x7d) i++;
  else {
    for (;;) {
      if (s.charCodeAt(i) !== 0x22) return null;
      const kEnd = scanString(s, i);
      const key = kEnd < 0 ? undefined : stringValue(s, i, kEnd);
      if (key === undefined || seenKeys.has(key)) return null;
      seenKeys.add(key);
      i = skipWs(s, kEnd + 1);
      if (s.charCodeAt(i) !== 0x3a) return null;
      i = skipWs(s, i + 1);
      if (key === 'weight_map') {
        weightMap = new Map();
        i = parseWeightMap(s, i, weightMap, shards);
        if (i < 0) return null;
        raw.weight_map = {};
      } else {
        const end = skipValue(s, i);
        if (end < 0) return null;
        let v: unknown;
        try {
          v = JSON.parse(s.slice(i, end));
        } catch {
          return null;
        }
        if (key === 'metadata') raw.metadata = v;
        i = end;
      }
      i = skipWs(s, i);
      const c = s.charCodeAt(i);
      i = skipWs(s, i + 1);
      if (c === 0x7d) break;
      if (c !== 0x2c) return null;
    }
  }
  if (skipWs(s, i) !== s.length || !weightMap) return null;
  return { raw, weightMap, shards };
}

function parseWeightMap(s: string, i: number, out: Map<string, string>, shards: Map<string, string>): number {
  if (s.charCodeAt(i) !== 0x7b) return -1;
  i = skipWs(s, i + 1);
  if (s.charCodeAt(i) === 0x7d) return i + 1;
  let last = '\u0000';
  const canon = new Map<string, string>();
  for (;;) {
    if (s.charCodeAt(i) !== 0x22) return -1;
    const nEnd = scanString(s, i);
    const name = nEnd < 0 ? undefined : stringValue(s, i, nEnd);
    if (name === undefined) return -1;
    const c0 = name.charCodeAt(0);
    if (c0 >= 0x30 && c0 <= 0x39) return -1;
    i = skipWs(s, nEnd + 1);
    if (s.charCodeAt(i) !== 0x3a) return -1;
    i = skipWs(s, i + 1);
    if (s.charCodeAt(i) !== 0x22) return -1;
    const vEnd = scanString(s, i);
    if (vEnd < 0) return -1;
    let shard: string;
    // Names are usually grouped by shard: reuse the previous value's string (later comparisons are then by identity).
    if (!state.escaped && vEnd - i - 1 === last.length && s.startsWith(last, i + 1)) shard = last;
    else {
      const v = stringValue(s, i, vEnd);
      if (v === undefined) return -1;
      const known = canon.get(v);
      if (known === undefined) {
        canon.set(v, v);
        shards.set(v, name);
        shard = v;
      } else shard = known;
      last = shard;
    }
    const size = out.size;
    out.set(name, shard);
    if (out.size === size) return -1; // a repeated name
    i = skipWs(s, vEnd + 1);
    const c = s.charCodeAt(i);
    if (c === 0x7d) return i + 1;
    if (c !== 0x2c) return -1;
    i = skipWs(s, i + 1);
  }
}

