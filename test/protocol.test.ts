import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { buildModelTree } from '../src/core/model/index';
import { openCheckpoint } from '../src/core/safetensors/index';
import {
  Messenger, ProtocolViolation, formatBytes, formatCount, formatShape, parseFromWebview, parseToWebview, replyTo, type FromWebview, type Reply,
} from '../src/protocol';

test('messages from the webview are checked before the host acts on them', () => {
  assert.deepEqual(parseFromWebview({ type: 'ready' }), { type: 'ready' });
  assert.deepEqual(parseFromWebview({ type: 'node/reveal', requestId: 3, nodeId: 'layers.0', extra: 'dropped' }), { type: 'node/reveal', requestId: 3, nodeId: 'layers.0' });
  for (const bad of [null, 'ready', [], { type: 'nope' }, { type: 'node/reveal', nodeId: 'x' }, { type: 'node/tensors', requestId: -1, nodeId: 'x' },
    { type: 'node/reveal', requestId: 1, nodeId: 'x'.repeat(10_000) }, { type: 'webview/error', message: 42 }]) {
    assert.throws(() => parseFromWebview(bad), ProtocolViolation, JSON.stringify(bad)?.slice(0, 80));
  }
});

test('a real model tree survives the trip to the webview and its validator', async () => {
  const model = buildModelTree(await openCheckpoint(join(__dirname, '..', 'demo', 'tiny-mixtral')));
  const wire = JSON.parse(JSON.stringify({ type: 'model/show', title: 'tiny', model }));
  const parsed = parseToWebview(wire);
  assert.equal(parsed.type, 'model/show');
  assert.deepEqual(parsed.type === 'model/show' && parsed.model, model);
  const broken = JSON.parse(JSON.stringify(wire));
  broken.model.root.children[0].params = -1;
  assert.throws(() => parseToWebview(broken), /root\.children\[0\]\.params/);
  broken.model.root.children[0].params = 1;
  broken.model.root.children[0].kind = 'bogus';
  assert.throws(() => parseToWebview(broken), /kind/);
});

test('requests get numbered and settle with their own reply', async () => {
  const sent: FromWebview[] = [];
  const m = new Messenger<FromWebview>((msg) => sent.push(msg), 1000);
  const a = m.request({ type: 'node/reveal', nodeId: 'a' });
  const b = m.request({ type: 'node/tensors', nodeId: 'b' });
  assert.deepEqual(sent.map((s) => 'requestId' in s && s.requestId), [1, 2]);
  const second = sent[1] as Extract<FromWebview, { requestId: number }>;
  const first = sent[0] as Extract<FromWebview, { requestId: number }>;
  assert.equal(m.settle(replyTo(second, { value: ['t'] })), true);
  assert.equal(m.settle(replyTo(first, { error: 'no such node' })), true);
  assert.deepEqual((await b).value, ['t']);
  await assert.rejects(a, /no such node/);
  assert.equal(m.settle({ type: 'reply', inReplyTo: 99, ok: true } satisfies Reply), false);
});

test('a request without a reply times out, and dispose rejects what is pending', async () => {
  const m = new Messenger<FromWebview>(() => undefined, 20);
  await assert.rejects(m.request({ type: 'node/reveal', nodeId: 'x' }), /no reply to node\/reveal/);
  const m2 = new Messenger<FromWebview>(() => undefined, 10_000);
  const p = m2.request({ type: 'node/reveal', nodeId: 'x' });
  m2.dispose();
  await assert.rejects(p, /closed/);
});

test('numbers are spelled the same on both sides', () => {
  assert.equal(formatCount(871_360), '871.36 K');
  assert.equal(formatCount(46_702_792_704), '46.70 B');
  assert.equal(formatCount(64), '64');
  assert.equal(formatBytes(512), '512 B');
  assert.equal(formatBytes(3_485_440), '3.32 MiB');
  assert.equal(formatShape([8, 64]), '8 × 64');
  assert.equal(formatShape([]), 'scalar');
});
