import { parseArgs, type ParseArgsConfig } from 'node:util';
import { InputError } from '../messages.ts';

/** `quiet`, which every command takes. */
export const quietOption = { quiet: { type: 'boolean', default: false } } as const;

/** Run node:util parseArgs, turning its errors into a one-line usage message (exit 2). */
export function parseOrFail<T>(usage: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw new InputError('arguments', `valid options (${usage.trim()})`, (e as Error).message);
  }
}

/** A command's arguments: strict `options` plus positionals, parse errors as usage messages. */
export function parseCommandArgs<const T extends NonNullable<ParseArgsConfig['options']>>(usage: string, args: string[], options: T) {
  return parseOrFail(usage, () => parseArgs({ args, options, allowPositionals: true, strict: true }));
}
