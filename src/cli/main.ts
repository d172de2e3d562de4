// `graft`: the command line over core, engine and train. Parses, dispatches, maps typed errors to exit codes.
import { GraftError } from '../core/errors';
import { formatFlags, parseArgs, UsageError } from './args';
import type { CliIO } from './command';
import { commands } from './commands/index';

export const VERSION = '0.1.0';

/** Exit codes: 0 ok, 1 internal error, 2 usage, 3 bad input file/format, 4 invalid plan/recipe, 5 engine, 6 training, 130 cancelled. */
export function exitCodeFor(err: unknown): number {
  if (!(err instanceof GraftError)) return 1;
  switch (err.name) {
    case 'UsageError': return 2;
    case 'SafetensorsError': case 'FamilyError': return 3;
    case 'PlanError': return 4;
    case 'EngineError': return 5;
    case 'TrainError': return 6;
    case 'CancelledError': return 130;
    default: return 1;
  }
}

function help(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    `graft ${VERSION} — grow pretrained Mixture-of-Experts checkpoints`,
    '',
    'usage: graft <command> [options]',
    '',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'graft <command> --help for its options.',
  ].join('\n');
}

export async function main(argv: string[], io: CliIO): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.out(help() + '\n');
    return name ? 0 : 2;
  }
  if (name === '--version' || name === '-V') {
    io.out(`${VERSION}\n`);
    return 0;
  }
  const cmd = commands.find((c) => c.name === name);
  const json = rest.includes('--json');
  try {
    if (!cmd) throw new UsageError(`unknown command "${name}" (graft --help lists them)`);
    if (rest.includes('--help') || rest.includes('-h')) {
      io.out(`usage: graft ${cmd.usage}\n\n${cmd.summary}\n\n${formatFlags(cmd.flags)}\n`);
      return 0;
    }
    return await cmd.run(parseArgs(rest, cmd.flags), io);
  } catch (err) {
    const code = exitCodeFor(err);
    if (json) {
      const body = err instanceof GraftError ? err.toJSON() : { name: 'Error', code: 'internal', message: String((err as Error)?.stack ?? err) };
      io.out(JSON.stringify({ error: body }, null, 2) + '\n');
    } else if (err instanceof GraftError) {
      io.err(`graft ${name}: ${err.message}\n`);
    } else {
      io.err(`graft ${name}: internal error: ${(err as Error)?.stack ?? String(err)}\n`);
    }
    return code;
  }
}

if (require.main === module || process.env.GRAFT_CLI_MAIN === '1') {
  const controller = new AbortController();
  let interrupts = 0;
  const onSignal = (sig: string) => {
    interrupts++;
    if (interrupts > 1) process.exit(130);
    process.stderr.write(`\n${sig}: cancelling (again to force)…\n`);
    controller.abort();
  };
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  const io: CliIO = {
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
    signal: controller.signal,
    tty: Boolean(process.stderr.isTTY),
  };
  main(process.argv.slice(2), io).then((code) => {
    process.exitCode = code;
  });
}
