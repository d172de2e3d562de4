// `graft eval CKPT --data D`: mean next-token loss and perplexity over deterministic windows of the data's
// validation split (or all of it with --all).
import { resolve } from 'node:path';
import { PROVIDER_CHOICES, type ProviderChoice } from '../../engine/providers';
import { checkVocab, loadTokens } from '../../train/data';
import { evaluate } from '../../train/evaluate';
import { loadModel } from '../../train/model';
import { UsageError } from '../args';
import type { Command } from '../command';

export const evalCommand: Command = {
  name: 'eval',
  summary: 'loss and perplexity of a checkpoint on a data set',
  usage: 'eval CKPT --data D [--batch B --seq T --batches N --provider P] [--all] [--json]',
  flags: {
    data: { type: 'string', description: 'token file (.bin), text file/folder or .jsonl (the checkpoint\'s tokenizer.json, else bytes)' },
    batch: { type: 'number', default: 4, description: 'sequences per batch' },
    seq: { type: 'number', default: 128, description: 'tokens per sequence' },
    batches: { type: 'number', default: 8, description: 'at most this many batches' },
    all: { type: 'boolean', description: 'evaluate on all of the data, not just its validation split' },
    provider: { type: 'string', choices: [...PROVIDER_CHOICES], default: 'cpu', description: 'ONNX Runtime execution provider' },
    threads: { type: 'number', description: 'ONNX Runtime intra-op threads' },
    json: { type: 'boolean', description: 'print the result as JSON' },
  },
  async run(args, io) {
    const [ckpt, ...extra] = args.positionals;
    if (!ckpt || extra.length) throw new UsageError('eval needs exactly one CKPT');
    if (typeof args.flags.data !== 'string') throw new UsageError('eval needs --data');
    const model = await loadModel(resolve(ckpt), io.signal);
    const data = loadTokens(resolve(args.flags.data), 0.1, { checkpoint: resolve(ckpt) });
    checkVocab(data, model.cfg.vocab);
    io.err(`data ${data.source}: ${data.train.length + data.val.length} tokens, ${data.tokenizerSummary}\n`);
    const tokens = args.flags.all ? Uint32Array.from([...data.train, ...data.val]) : data.val;
    const r = await evaluate(model, model.params, tokens, {
      batch: args.flags.batch as number, seq: args.flags.seq as number, batches: args.flags.batches as number,
      provider: args.flags.provider as ProviderChoice, threads: args.flags.threads as number | undefined, signal: io.signal,
    });
    if (args.flags.json) io.out(JSON.stringify(r, null, 2) + '\n');
    else io.out(`loss ${r.loss.toFixed(6)}  perplexity ${r.perplexity.toFixed(3)}  (${r.batches} batches, ${r.tokens} tokens)\n`);
    return 0;
  },
};
