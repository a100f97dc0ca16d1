/**
 * smime-addin: the Node CLI over the same core the hosts use. Each subcommand lives in cli/commands/.
 * Exit status: 0 when every file is trusted (verify) or the operation succeeded, 1 otherwise, 2 for usage errors.
 * Errors are one line on stderr naming the problem; --debug adds the stack.
 */
import type { Command } from './commands/types';
import { CliError, UsageError } from './commands/types';
import { verify } from './commands/verify';
import { sign } from './commands/sign';
import { encrypt } from './commands/encrypt';
import { decrypt } from './commands/decrypt';
import { audit } from './commands/audit';
import { doctor } from './commands/doctor';

// Register subcommands here, one line each.
const COMMANDS: Command[] = [verify, sign, encrypt, decrypt, audit, doctor];

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const cmd = COMMANDS.find((c) => c.name === name);
  if (!cmd) {
    console.error(`usage:\n${COMMANDS.map((c) => `  ${c.usage}`).join('\n')}`);
    return 2;
  }
  try {
    return await cmd.run(rest.filter((a) => a !== '--debug'));
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`smime-addin ${cmd.name}: ${e.message}\nusage: ${cmd.usage}`);
      return 2;
    }
    const msg = e instanceof Error ? e.message : String(e);
    console.error(`smime-addin ${cmd.name}: ${msg.split('\n')[0]}`);
    if (argv.includes('--debug') && e instanceof Error && !(e instanceof CliError)) console.error(e.stack);
    return 1;
  }
}

main(process.argv.slice(2)).then((code) => process.exit(code));
