/**
 * smime-addin: the Node CLI over the same core the hosts use. Each subcommand lives in cli/commands/.
 *
 * Exit status (commands/types.ts EXIT, documented in docs/users.md): 0 every message trusted / the operation
 * succeeded; 1 not trusted (or not decrypted); 2 usage error; 3 could not run (a missing or unreadable file, an
 * unreadable key or wrong password, a bad policy). Errors are one plain sentence on stderr; --debug adds the stack.
 * `help`, `COMMAND --help` and `--version` print to stdout and exit 0.
 *
 * The status is set as process.exitCode, never by process.exit() right after writing: a pipe takes output
 * asynchronously, and exiting at once cut JSON over 64 KiB short.
 */
import pkg from '../package.json';
import type { Command } from './commands/types';
import { CliError, EXIT, UsageError } from './commands/types';
import { verify } from './commands/verify';
import { sign } from './commands/sign';
import { encrypt } from './commands/encrypt';
import { decrypt } from './commands/decrypt';
import { audit } from './commands/audit';
import { doctor } from './commands/doctor';

// Register subcommands here, one line each.
const COMMANDS: Command[] = [verify, sign, encrypt, decrypt, audit, doctor];

const EXIT_TEXT = `exit status: 0 all trusted (or done), 1 not trusted, 2 usage error, 3 could not run (missing file, unreadable key, bad policy)`;

function overview(): string {
  return [
    `smime-addin ${pkg.version}: S/MIME verify, sign, encrypt and decrypt from the command line.`,
    '',
    'usage:',
    ...COMMANDS.map((c) => `  ${c.usage}`),
    '  smime-addin help [COMMAND] | smime-addin COMMAND --help | smime-addin --version',
    '',
    EXIT_TEXT,
  ].join('\n');
}

function commandHelp(c: Command): string {
  return [`usage: ${c.usage}`, ...(c.summary ? ['', c.summary] : []), '', EXIT_TEXT].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--version' || name === '-V' || name === 'version') {
    console.log(pkg.version);
    return EXIT.ok;
  }
  if (name === 'help' || name === '--help' || name === '-h') {
    const c = COMMANDS.find((x) => x.name === rest[0]);
    if (rest[0] !== undefined && !c) {
      console.error(`smime-addin: no command "${rest[0]}"\n${overview()}`);
      return EXIT.usage;
    }
    console.log(c ? commandHelp(c) : overview());
    return EXIT.ok;
  }
  const cmd = COMMANDS.find((c) => c.name === name);
  if (!cmd) {
    console.error(`${name === undefined ? 'smime-addin: no command given' : `smime-addin: no command "${name}"`}\n${overview()}`);
    return EXIT.usage;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(commandHelp(cmd));
    return EXIT.ok;
  }
  try {
    return await cmd.run(rest.filter((a) => a !== '--debug'));
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`smime-addin ${cmd.name}: ${e.message}\nusage: ${cmd.usage}`);
      return EXIT.usage;
    }
    const msg = e instanceof Error ? e.message : String(e);
    console.error(`smime-addin ${cmd.name}: ${e instanceof CliError ? msg.split('\n')[0] : `could not run: ${msg.split('\n')[0]}`}`);
    if (argv.includes('--debug') && e instanceof Error && !(e instanceof CliError)) console.error(e.stack);
    return EXIT.couldNotRun;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    // Open handles (e.g. keep-alive sockets of online checks) must not keep the process alive: once everything
    // written has had time to drain, leave. unref(): this timer alone never holds the process open.
    setTimeout(() => process.exit(code), 5000).unref();
  },
  (e) => {
    console.error(`smime-addin: could not run: ${e instanceof Error ? e.message : String(e)}`);
    process.exitCode = EXIT.couldNotRun;
  },
);
