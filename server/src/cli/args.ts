// The one argument parser of the `irqtopo` command and its subcommands: node:util's parseArgs (strict,
// positionals allowed), so `--opt VALUE` and `--opt=VALUE` mean the same everywhere, with Node's long
// error messages shortened to one line each.
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** A mistake in the command line: printed with the usage, exit status 2. */
export class UsageError extends Error {}

type Options = NonNullable<ParseArgsConfig['options']>;
type Parsed<O extends Options> = ReturnType<
  typeof parseArgs<{ args: string[]; options: O; allowPositionals: true; strict: true }>
>;

/** parseArgs with `strict` and `allowPositionals`; a bad command line throws a UsageError. */
export function parseCommandLine<const O extends Options>(args: string[], options: O): Parsed<O> {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError(shorten(e));
  }
}

function shorten(e: unknown): string {
  const err = e as { code?: string; message?: string };
  const message = String(err.message ?? e);
  // Node quotes the option first: '--bogus', or '-o, --output <value>'
  const quoted = /'([^']+)'/.exec(message)?.[1] ?? '';
  const name = quoted.replace(/ <value>$/, '').replace(/^-\w, /, '');
  if (err.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return `unknown option '${name}'`;
  if (err.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    if (/argument missing/.test(message)) return `option '${name}' needs a value`;
    if (/ambiguous/.test(message))
      return `option '${name}' needs a value (write ${name}=VALUE for a value that starts with '-')`;
    if (/does not take an argument/.test(message)) return `option '${name}' takes no value`;
  }
  return message.split('\n')[0];
}
