/** A CLI subcommand: parses its own arguments, returns the exit status (0 ok, 1 failure, 2 usage). */
export interface Command {
  name: string;
  usage: string;
  run(args: string[]): Promise<number>;
}

/** A usage error: main prints the message and the command's usage, exit 2. */
export class UsageError extends Error {}

/** A failure to report as one line on stderr, exit 1 (no stack trace unless --debug). */
export class CliError extends Error {}
