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
  /** An output the file system refused (`found`: why, e.g. "no space left on device"); `what` the option, e.g. "--scores". */
  unwritable: (what: string | undefined, path: string, found: string) => new InputError(what ? `${what} (${path})` : path, 'a writable location', found),
  /** An output path that names one of the run's inputs (`input`: which, e.g. "dataset.file of <config>"). */
  outputIsInput: (what: string, path: string, input: string) => new InputError(`${what} (${path})`, "a file that is not one of the run's inputs (inputs are never overwritten)", input),
  /** Two outputs naming one file: the second would silently replace the first. */
  sameOutput: (what: string, path: string, other: string) => new InputError(`${what} (${path})`, 'a file of its own', `the same file as ${other}`),
  unscorable: (n: number) => `${n} record(s) could not be scored; they are listed in the report and have empty cells in the scores file`,
} as const;
