import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkVocab, loadTokens } from '../../src/train/data';
import { loadCheckpointTokenizer } from '../../src/train/tokenizer';
import { TrainError } from '../../src/core/errors';

const dir = mkdtempSync(join(tmpdir(), 'graft-tok-'));

const special = (id: number, content: string) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true });

// A tiny BPE tokenizer.json in the Hugging Face format: Whitespace pre-tokenizer (\w+|[^\w\s]+), seven merges.
function tokenizerJson(opts: { unk?: boolean; bosTemplate?: boolean } = {}) {
  const unk = opts.unk ?? true;
  return {
    version: '1.0', truncation: null, padding: null,
    added_tokens: [...(unk ? [special(0, '<unk>')] : []), special(1, '</s>'), special(17, '<s>')],
    normalizer: null,
    pre_tokenizer: { type: 'Whitespace' },
    post_processor: opts.bosTemplate ? {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: '<s>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }],
      pair: [{ SpecialToken: { id: '<s>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { Sequence: { id: 'B', type_id: 1 } }],
      special_tokens: { '<s>': { id: '<s>', ids: [17], tokens: ['<s>'] } },
    } : null,
    decoder: null,
    model: {
      type: 'BPE', dropout: null, unk_token: unk ? '<unk>' : null, continuing_subword_prefix: null, end_of_word_suffix: null,
      fuse_unk: false, byte_fallback: false, ignore_merges: false,
      vocab: { ...(unk ? { '<unk>': 0 } : {}), '</s>': 1, h: 2, e: 3, l: 4, o: 5, w: 6, r: 7, d: 8, '!': 9, he: 10, ll: 11, hell: 12, hello: 13, wo: 14, wor: 15, ld: 16, '<s>': 17 },
      merges: ['h e', 'l l', 'he ll', 'hell o', 'w o', 'wo r', 'l d'],
    },
  };
}

function ckpt(name: string, files: Record<string, unknown>): string {
  const p = join(dir, name);
  mkdirSync(p);
  for (const [f, v] of Object.entries(files)) writeFileSync(join(p, f), JSON.stringify(v));
  return p;
}

const all = (d: { train: Uint32Array; val: Uint32Array }) => [...d.train, ...d.val];

writeFileSync(join(dir, 'd.jsonl'), '{"text":"hello world!"}\n{"text":"hello xyz"}\n');
writeFileSync(join(dir, 'one.txt'), 'hello world!\nhello');

test('tokenizer.json: exact BPE ids, EOS between documents, no special tokens by default', () => {
  const c = ckpt('eos', { 'tokenizer.json': tokenizerJson({ bosTemplate: true }), 'tokenizer_config.json': { eos_token: '</s>' } });
  // hello → h e l l o → he ll o → hell o → hello (13); world → wo r l d → wor l d → wor ld (15 16); ! (9); x y z → <unk> ×3.
  const d = loadTokens(join(dir, 'd.jsonl'), 0.1, { checkpoint: c });
  assert.equal(d.tokenizer, 'tokenizer.json');
  assert.equal(d.tokenizerFile, join(c, 'tokenizer.json'));
  assert.deepEqual(all(d), [13, 15, 16, 9, 1, 13, 0, 0, 0, 1]);
  assert.match(d.tokenizerSummary, /tokenizer\.json \(BPE, EOS 1 between documents\)/);
  assert.deepEqual(all(loadTokens(join(dir, 'one.txt'), 0.1, { checkpoint: c })), [13, 15, 16, 9, 13, 1]);
  checkVocab(d, 18);
});

test('add_bos_token in tokenizer_config.json turns the template on; EOS from config.json', () => {
  const c = ckpt('bos', { 'tokenizer.json': tokenizerJson({ bosTemplate: true }), 'tokenizer_config.json': { add_bos_token: true }, 'config.json': { eos_token_id: [1, 2] } });
  assert.deepEqual(all(loadTokens(join(dir, 'd.jsonl'), 0.1, { checkpoint: c })), [17, 13, 15, 16, 9, 1, 17, 13, 0, 0, 0, 1]);
});

test('no EOS known: documents are separated by the byte path\'s newlines (Whitespace drops them here)', () => {
  const c = ckpt('noeos', { 'tokenizer.json': tokenizerJson() });
  const tok = loadCheckpointTokenizer(c);
  assert.equal(tok?.eosId, null);
  assert.deepEqual(all(loadTokens(join(dir, 'd.jsonl'), 0.1, { checkpoint: c })), [13, 15, 16, 9, 13, 0, 0, 0]);
});

test('byte-level fallback when the checkpoint has no tokenizer.json; .bin files ignore the tokenizer', () => {
  const c = ckpt('none', { 'config.json': { vocab_size: 259 } });
  const d = loadTokens(join(dir, 'd.jsonl'), 0.1, { checkpoint: c });
  assert.equal(d.tokenizer, 'bytes');
  assert.equal(d.tokenizerFile, undefined);
  assert.deepEqual(all(d), [...Buffer.from('hello world!\nhello xyz\n')]);
  assert.deepEqual(all(d), all(loadTokens(join(dir, 'd.jsonl'))));
  assert.match(d.tokenizerSummary, /byte-level/);
  writeFileSync(join(dir, 't.bin'), Uint16Array.from([1, 2, 3, 4, 5]));
  const b = loadTokens(join(dir, 't.bin'), 0.1, { checkpoint: ckpt('bin', { 'tokenizer.json': tokenizerJson() }) });
  assert.equal(b.tokenizer, 'pretokenized-u16');
  assert.deepEqual(all(b), [1, 2, 3, 4, 5]);
});

test('ids beyond vocab_size name the tokenizer file, the id and vocab_size; bad tokenizer.json fails', () => {
  const c = ckpt('vocab', { 'tokenizer.json': tokenizerJson(), 'tokenizer_config.json': { eos_token: '</s>' } });
  const d = loadTokens(join(dir, 'd.jsonl'), 0.1, { checkpoint: c });
  assert.throws(() => checkVocab(d, 16), (e: unknown) => e instanceof TrainError && e.details.key === 'vocab_size'
    && e.details.file === join(c, 'tokenizer.json') && /token id 16\b/.test(e.message) && /vocab_size 16\b/.test(e.message));
  const n = ckpt('nounk', { 'tokenizer.json': tokenizerJson({ unk: false }) });
  // BPE without an unk_token drops unknown characters (as the Rust tokenizers crate does).
  assert.deepEqual(all(loadTokens(join(dir, 'd.jsonl'), 0.1, { checkpoint: n })), [13, 15, 16, 9, 13]);
  const wordLevel = (unk: boolean) => ({
    added_tokens: [], normalizer: null, pre_tokenizer: { type: 'Whitespace' }, post_processor: null, decoder: null,
    model: { type: 'WordLevel', vocab: { '[UNK]': 0, hello: 1, world: 2, '!': 3 }, unk_token: unk ? '[UNK]' : null },
  });
  assert.deepEqual(all(loadTokens(join(dir, 'd.jsonl'), 0.1, { checkpoint: ckpt('wl', { 'tokenizer.json': wordLevel(true) }) })), [1, 2, 3, 1, 0]);
  const w = ckpt('wlnounk', { 'tokenizer.json': wordLevel(false) });
  assert.throws(() => loadTokens(join(dir, 'd.jsonl'), 0.1, { checkpoint: w }), (e: unknown) => e instanceof TrainError && /"xyz"/.test(e.message) && e.details.file === join(w, 'tokenizer.json'));
  writeFileSync(join(dir, 'vocab', 'tokenizer.json'), '{ not json');
  assert.throws(() => loadTokens(join(dir, 'd.jsonl'), 0.1, { checkpoint: c }), (e: unknown) => e instanceof TrainError && e.details.file === join(c, 'tokenizer.json'));
});
