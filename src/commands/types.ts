/** A CLI subcommand: its usage line and a handler returning the exit code. */
export interface Command {
  usage: string;
  run(args: string[]): Promise<number>;
}
