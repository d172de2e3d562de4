// The registry of `graft` subcommands: one import and one entry per command.
import type { Command } from '../command';
import { inspect } from './inspect';
import { norms } from './norms';
import { trainCommand } from './train';
import { evalCommand } from './eval';
import { planCommand } from './plan';
import { growCommand } from './grow';
import { upcycleCommand } from './upcycle';
import { diffCommand } from './diff';

export const commands: Command[] = [planCommand, growCommand, upcycleCommand, diffCommand, inspect, norms, trainCommand, evalCommand];
