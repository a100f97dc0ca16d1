/**
 * A CLI subcommand: parses its own arguments, returns the exit status. Exit statuses (issue 10, item 22; documented
 * in docs/users.md): 0 every message trusted / the operation succeeded; 1 not trusted (or not decrypted); 2 usage
 * error; 3 could not run (a missing or unreadable file, an unreadable key or wrong password, a bad policy).
 */
export interface Command {
  name: string;
  usage: string;
  /** One or two sentences for `smime-addin help` and `COMMAND --help`. */
  summary?: string;
  run(args: string[]): Promise<number>;
}

export const EXIT = { ok: 0, notTrusted: 1, usage: 2, couldNotRun: 3 } as const;

/** A usage error: main prints the message and the command's usage, exit 2. */
export class UsageError extends Error {}

/** The command could not run (input missing or unreadable, bad policy): one line on stderr, exit 3. */
export class CliError extends Error {}
