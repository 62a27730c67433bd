/**
 * Every user-facing error and warning text lives here, so wording stays consistent and the
 * CLI can map error classes to exit codes (InputError → 2, anything else → 3).
 */

/** A problem with the user's input: names the file or key, what was expected and what was found. */
export class InputError extends Error {
  constructor(
    readonly where: string,
    readonly expected: string,
    readonly found: string,
  ) {
    super(`${where}: expected ${expected}, found ${found}`);
    this.name = 'InputError';
  }
}

/** A `--fail-on` gate or other check that should end the run with exit code 1. */
export class GateFailure extends Error {}

export const messages = {
  noConfig: (path: string) => new InputError(path, 'a losslens.config.json file or a folder holding one', 'nothing at that path'),
  missingFile: (key: string, path: string) => new InputError(`${key} (${path})`, 'an existing file', 'no such file'),
  noCheckpoints: (pattern: string) => new InputError(`model.checkpoints (${pattern})`, 'at least one checkpoint matching the pattern', 'no match'),
  trainingOnlyLabelIssues: (split: string) =>
    `label issues are computed on the training split "${split}": probabilities on trained-on records are over-confident, so expect misses`,
  unscorable: (n: number) => `${n} record(s) could not be scored; they are listed in the report and have empty cells in the scores file`,
} as const;
