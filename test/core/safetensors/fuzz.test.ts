// Seeded mutations of valid files (header text and raw bytes): every failure must be a SafetensorsError, never a
// crash, another error type or a hang. Mutants that still parse must satisfy the format's invariants.
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { SafetensorsError } from '../../../src/core/errors';
import { readSafetensorsHeader } from '../../../src/core/safetensors/reader';
import { bufferTensor, writeCheckpoint } from '../../../src/core/safetensors/writer';
import { randomBytes, rng, withTmp } from './helpers';

const TOKENS = ['{', '}', '[', ']', '"', ':', ',', '-1', '0', '1e400', '"F32"', '"F4"', '"__metadata__"', '"dtype"', '"shape"',
  '"data_offsets"', 'null', 'true', '\\', '\u00e9', '\uffff', '99999999999999999999', '1.5', ' '];

function mutate(base: Buffer, r: () => number): Buffer {
  const b = Buffer.from(base);
  const n = Number(b.readBigUInt64LE(0));
  const kind = Math.floor(r() * 6);
  const pos = (lo: number, hi: number) => lo + Math.floor(r() * Math.max(1, hi - lo));
  if (kind === 0) { b[pos(8, 8 + n)] = Math.floor(r() * 256); return b; } // flip a header byte
  if (kind === 1) { // splice a JSON token into the header text, keeping the length field right
    const at = pos(8, 8 + n);
    const tok = Buffer.from(TOKENS[Math.floor(r() * TOKENS.length)]);
    const cut = Math.floor(r() * 4);
    const header = Buffer.concat([b.subarray(8, at), tok, b.subarray(Math.min(at + cut, 8 + n), 8 + n)]);
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(BigInt(header.length));
    return Buffer.concat([len, header, b.subarray(8 + n)]);
  }
  if (kind === 2) { b.writeBigUInt64LE(BigInt(Math.floor(r() * (n + 64))), 0); return b; } // wrong length
  if (kind === 3) return b.subarray(0, pos(0, b.length)); // truncated
  if (kind === 4) return Buffer.concat([b, Buffer.from(randomBytes(pos(1, 9), Math.floor(r() * 1e9)))]); // trailing bytes
  const digits = [...b.subarray(8, 8 + n).entries()].filter(([, c]) => c >= 0x30 && c <= 0x39);
  if (digits.length) b[8 + digits[Math.floor(r() * digits.length)][0]] = 0x30 + Math.floor(r() * 10); // change a number
  return b;
}

test('3000 seeded mutations: only SafetensorsErrors, valid survivors keep the invariants', { timeout: 60_000 }, () => withTmp(async (dir) => {
  await writeCheckpoint(join(dir, 'base'), {
    metadata: { format: 'pt', note: 'fuzz "q" \\' },
    tensors: [bufferTensor('a.weight', 'BF16', [4, 3], randomBytes(24, 1)), bufferTensor('b', 'F4', [6], randomBytes(3, 2)),
      bufferTensor('c.ü', 'I64', [2], randomBytes(16, 3)), bufferTensor('e', 'F32', [0], new Uint8Array(0)), bufferTensor('d', 'F8_E4M3', [5], randomBytes(5, 4))],
  });
  const base = await readFile(join(dir, 'base', 'model.safetensors'));
  const r = rng(20251130);
  const f = join(dir, 'm.safetensors');
  const counts = { ok: 0, err: 0 };
  for (let i = 0; i < 3000; i++) {
    const m = mutate(base, r);
    await writeFile(f, m);
    try {
      const h = await readSafetensorsHeader(f);
      counts.ok++;
      let end = h.dataOffset;
      for (const t of h.tensors) {
        assert.equal(t.offset, end, `case ${i}: contiguous`);
        end += t.byteLength;
      }
      assert.equal(end, h.fileSize, `case ${i}: no trailing bytes`);
    } catch (e) {
      if (!(e instanceof SafetensorsError)) assert.fail(`case ${i}: ${String(e)}\n${m.toString('latin1')}`);
      assert.ok(e.details.rule && e.details.file === f, `case ${i}: error names rule and file`);
      counts.err++;
    }
  }
  assert.ok(counts.err > 1500 && counts.ok > 25, JSON.stringify(counts));
}));
