/**
 * A small argument parser shared by every subcommand: `--name value` or `--name=value` for options, bare
 * `--flag` for booleans, everything else positional. Unknown options are usage errors (exit 2), so a typo never
 * silently changes what is checked.
 */
import { UsageError } from './commands/types';

export interface ArgSpec<M extends string, S extends string, F extends string> {
  multi?: readonly M[];
  single?: readonly S[];
  flags?: readonly F[];
}

export interface ParsedArgs<M extends string, S extends string, F extends string> {
  positional: string[];
  multi: Record<M, string[]>;
  single: Partial<Record<S, string>>;
  flags: Record<F, boolean>;
}

export function parseArgs<M extends string = never, S extends string = never, F extends string = never>(
  argv: string[],
  spec: ArgSpec<M, S, F>,
): ParsedArgs<M, S, F> {
  const multi = Object.fromEntries((spec.multi ?? []).map((m) => [m, [] as string[]])) as Record<M, string[]>;
  const single: Partial<Record<S, string>> = {};
  const flags = Object.fromEntries((spec.flags ?? []).map((f) => [f, false])) as Record<F, boolean>;
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--') || a === '--') {
      positional.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = a.slice(2, eq < 0 ? undefined : eq);
    const inline = eq < 0 ? undefined : a.slice(eq + 1);
    if ((spec.flags ?? []).includes(name as F)) {
      if (inline !== undefined) throw new UsageError(`--${name} takes no value`);
      flags[name as F] = true;
      continue;
    }
    const isMulti = (spec.multi ?? []).includes(name as M);
    const isSingle = (spec.single ?? []).includes(name as S);
    if (!isMulti && !isSingle) throw new UsageError(`unknown option --${name}`);
    const value = inline ?? argv[++i];
    if (value === undefined) throw new UsageError(`--${name} needs a value`);
    if (isMulti) multi[name as M].push(value);
    else single[name as S] = value;
  }
  return { positional, multi, single, flags };
}
