import { InputError } from '../messages.ts';

/** Run node:util parseArgs, turning its errors into a one-line usage message (exit 2). */
export function parseOrFail<T>(usage: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw new InputError('arguments', `valid options (${usage.trim()})`, (e as Error).message);
  }
}
