// The registry of `graft` subcommands: one import and one entry per command.
import type { Command } from '../command';

export const commands: Command[] = [];
