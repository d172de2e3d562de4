// The one-pass header and index parsers must agree with JSON.parse on everything they accept: spacing, escapes,
// non-ASCII names, integer-like names (which JSON.parse moves first), key order inside entries, numbers written
// as 1.0 or 1e1, metadata null, duplicate names (errors), and indexes with extra top-level members.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { SafetensorsError } from '../../../src/core/errors';
import { readIndex } from '../../../src/core/safetensors/checkpoint';
import { DTYPES } from '../../../src/core/safetensors/dtypes';
import { parseHeader } from '../../../src/core/safetensors/header';
import type { DType } from '../../../src/core/safetensors/types';
import { withTmp } from './helpers';

/** What the format says the header means, computed the plain way (JSON.parse, for-in order, stable sort). */
function reference(text: string, dataOffset: number) {
  const obj = JSON.parse(text) as Record<string, { dtype: DType; shape: number[]; data_offsets: [number, number] }>;
  const tensors = Object.keys(obj).filter((k) => k !== '__metadata__').map((name) => {
    const e = obj[name];
    return { name, dtype: e.dtype, shape: e.shape, offset: dataOffset + e.data_offsets[0], byteLength: e.data_offsets[1] - e.data_offsets[0] };
  });
  tensors.sort((a, b) => a.offset - b.offset || a.byteLength - b.byteLength);
  return { metadata: (obj.__metadata__ ?? {}) as unknown as Record<string, string>, tensors };
}

function check(text: string, dataSize: number): void {
  const bytes = Buffer.from(text, 'utf8');
  const got = parseHeader(bytes, '/f', dataSize);
  const want = reference(text, 8 + bytes.length);
  assert.deepEqual(got.metadata, want.metadata, text);
  assert.deepEqual(got.tensors.map(({ file: _f, ...t }) => t), want.tensors, text);
  for (const t of got.tensors) assert.ok(t.byteLength === t.shape.reduce((a, b) => a * b, 1) * DTYPES[t.dtype].bits / 8);
}

test('header fast path: same result as JSON.parse on valid variants', () => {
  check('{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"BF16","shape":[],"data_offsets":[8,10]}}', 10);
  check(' {\n  "__metadata__" : { "format" : "pt", "x": "\\"q\\" \\u00e9" } ,\n\t"a" : { "shape" : [ 1 , 2 ] , "data_offsets" : [ 0 , 8 ] , "dtype" : "F32" }\r\n}  '.slice(1), 8);
  check('{"__metadata__":null,"caf\u00e9.\u4e2d":{"dtype":"U8","shape":[3],"data_offsets":[0,3]},"a\\nb":{"dtype":"U8","shape":[1],"data_offsets":[3,4]}}', 4);
  // Integer-like names come first in JSON.parse's order; ties at one offset (empty tensors) keep that order.
  check('{"z":{"dtype":"U8","shape":[0],"data_offsets":[0,0]},"7":{"dtype":"U8","shape":[0],"data_offsets":[0,0]},"a":{"dtype":"U8","shape":[2],"data_offsets":[0,2]}}', 2);
  // Out of offset order, numbers spelled 2.0 and 1e0, a zero-size dimension, sub-byte dtypes.
  check('{"b":{"dtype":"F4","shape":[2.0,2],"data_offsets":[3,5]},"a":{"dtype":"F6_E2M3","shape":[4,1e0],"data_offsets":[0,3]},"c":{"dtype":"F64","shape":[0,9007199254740991],"data_offsets":[5,5]}}', 5);
  check('{"__metadata__":{"b":"x","1":"one"}}', 0);
  // A "__proto__" metadata key is dropped, as it always was (assigned, not defined).
  assert.deepEqual(parseHeader(Buffer.from('{"__metadata__":{"__proto__":"p","b":"x"}}'), '/f', 0).metadata, { b: 'x' });
  check('{}', 0);
});

test('header fast path: errors are those of the general path', () => {
  const rule = (text: string, dataSize: number): string => {
    try {
      parseHeader(Buffer.from(text), '/f', dataSize);
    } catch (e) {
      assert.ok(e instanceof SafetensorsError);
      return e.code;
    }
    return 'ok';
  };
  const e = (n: string, o: string) => `"${n}":{"dtype":"U8","shape":[${o === '0,1' ? 1 : 0}],"data_offsets":[${o}]}`;
  assert.equal(rule(`{${e('a', '0,1')},${e('a', '1,1')}}`, 1), 'safetensors.duplicate_name');
  assert.equal(rule('{"a":{"dtype":"U8","dtype":"U8","shape":[1],"data_offsets":[0,1]}}', 1), 'safetensors.duplicate_name');
  assert.equal(rule('{"a":{"dtype":"U8","shape":[01],"data_offsets":[0,1]}}', 1), 'safetensors.invalid_json');
  assert.equal(rule('{"a":{"dtype":"U8","shape":[-0],"data_offsets":[0,0]}}', 0), 'ok'); // -0 passes `d >= 0`, as before
  assert.equal(rule('{"a":{"dtype":"U8","shape":[1099511627776,1099511627776,0],"data_offsets":[0,0]}}', 0), 'safetensors.numel_overflow');
  assert.equal(rule('{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}} x', 1), 'safetensors.invalid_json');
  assert.equal(rule('{"a":{"dtype":"U9","shape":[1],"data_offsets":[0,1]}}', 1), 'safetensors.unknown_dtype');
  assert.equal(rule('{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1],"x":1}}', 1), 'safetensors.bad_entry');
  assert.equal(rule('{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"__metadata__":{"k":1}}', 1), 'safetensors.bad_metadata');
  assert.equal(rule('{"a":{"dtype":"U8","shape":[1],"data_offsets":[1,2]}}', 2), 'safetensors.offsets_hole');
  assert.equal(rule('{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}', 2), 'safetensors.trailing_bytes');
  assert.equal(rule('{"a\u0001":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}', 1), 'safetensors.invalid_json');
});

test('index fast path: same weight map as JSON.parse; integer-like, repeated and escaped names; other members', () => withTmp(async (dir) => {
  const p = join(dir, 'model.safetensors.index.json');
  const cases = [
    '{"metadata": {"total_size": 12, "extra": [1, {"a": "}"}]}, "weight_map": {"b": "s1.safetensors", "a": "s2.safetensors", "c": "s1.safetensors"}}',
    '{"weight_map": {"x": "s.safetensors", "9": "t.safetensors", "x": "u.safetensors"}, "note": "{["}',
    '{"other": null, "weight_map": {"caf\\u00e9": "s\\u0031.safetensors", "\u4e2d": "s1.safetensors"}}',
    '{"weight_map": {}}',
  ];
  for (const text of cases) {
    await writeFile(p, text);
    const ix = await readIndex(p);
    const obj = JSON.parse(text) as { metadata?: { total_size?: number }; weight_map: Record<string, string> };
    assert.deepEqual([...ix.weightMap], Object.entries(obj.weight_map), text);
    assert.deepEqual(ix.shards, [...new Set(Object.values(obj.weight_map))].sort(), text);
    assert.equal(ix.totalSize, obj.metadata?.total_size ?? null);
  }
  for (const bad of ['{"weight_map": {"a": 1}}', '{"weight_map": {"a": "s"}} x', '{"weight_map": {"a": "../s"}}', '\ufeff{"weight_map": {}}', '{"metadata": {"total_size": -1}, "weight_map": {}}']) {
    await writeFile(p, bad);
    await assert.rejects(readIndex(p), SafetensorsError, bad);
  }
}));
