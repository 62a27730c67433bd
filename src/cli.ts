/**
 * argv → command. The only module that sets the process exit code: 0 ok, 1 a --fail-on gate
 * failed, 2 user error (one line on stderr, no stack), 3 internal error. (SIGINT/SIGTERM while an
 * output is being written: output.ts removes its temporary files and exits 130/143.)
 */
import { auditCommand } from './commands/audit.ts';
import { compareCommand } from './commands/compare.ts';
import { logCommand } from './commands/log.ts';
import { mergeCommand } from './commands/merge.ts';
import { overfitCommand } from './commands/overfit.ts';
import type { Command } from './commands/types.ts';
import { InputError } from './messages.ts';

/** Subcommands by name; a new command is one file in src/commands and one line here. */
const commands: Record<string, Command> = {
  audit: auditCommand,
  compare: compareCommand,
  log: logCommand,
  merge: mergeCommand,
  overfit: overfitCommand,
};

const usage = () => `usage:\n${Object.values(commands).map((c) => `  ${c.usage}`).join('\n')}\n  losslens --help | --version\n`;

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage());
    return 0;
  }
  if (name === '--version' || name === '-v') {
    const { version } = (await import('../package.json', { with: { type: 'json' } })).default as { version: string };
    process.stdout.write(`${version}\n`);
    return 0;
  }
  const command = name === undefined ? undefined : commands[name];
  if (!command) throw new InputError('command', `one of ${Object.keys(commands).join(', ')} (see losslens --help)`, name === undefined ? 'none' : `"${name}"`);
  return command.run(rest);
}

/** Run `main` and map errors to exit codes. */
export async function run(argv: string[]): Promise<void> {
  try {
    process.exitCode = await main(argv);
  } catch (e) {
    if (e instanceof InputError) {
      process.stderr.write(`losslens: ${e.message}\n`);
      process.exitCode = 2;
    } else {
      process.stderr.write(`losslens: internal error: ${(e as Error)?.stack ?? String(e)}\nPlease report this with the command you ran.\n`);
      process.exitCode = 3;
    }
  }
}
