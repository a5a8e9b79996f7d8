// `irqtopo import [FILE|DIR]... [-o OUT] [--kernel X.Y] [--arch A] [--v1]`: the command-line side of
// the importer. The reading is the shared collector's (server/src/machine/collect.ts), the importing
// the pure core's (server/src/core/importer); this parses the arguments and writes the results.
import * as path from 'node:path';
import type { Arch } from '../core/kinds';
import { runImport } from '../machine/run';
import { parseCommandLine, UsageError } from './args';

export interface ImportIO {
  out(s: string): void;
  err(s: string): void;
  writeFile(p: string, text: string): Promise<void>;
  /** relative paths are read from here (default: the process's working folder) */
  cwd?: string;
}

export const IMPORT_USAGE = `usage: irqtopo import [FILE|DIR]... [-o OUT] [--kernel X.Y] [--arch x86|arm64|riscv] [--v1]

Turns kernel dumps into a topology file: a bundle written by \`irqtopo capture\` (or its --script),
/proc/interrupts (any era), files of /sys/kernel/debug/irq/irqs/ and domains/ (a DIR is read
recursively), an ls of the domains folder, grep output of /proc/irq/*/*, or a cat/grep of several.
With no argument it captures this machine (as \`irqtopo capture\` does) and imports that: every
interrupt's effective CPU is pinned from /proc/irq/N/effective_affinity_list, and its vector, IRTE
and managed flag too when /sys/kernel/debug/irq is readable (root, debugfs mounted, and a kernel
built with CONFIG_GENERIC_IRQ_DEBUGFS).

  -o OUT           write the topology to OUT (default: standard output)
  --kernel X.Y     the kernel version, instead of reading or inferring it
  --arch ARCH      the architecture, instead of inferring it
  --v1             write only the v1 language: the v2 facts (possible-cpus, node, smt, apic,
                   device node, irq irte and inactive) become comments

Problems are printed as file:line:column: severity: message on standard error.
Exit status: 0 imported, 1 an input was not understood at all, 2 usage, I/O or internal error.`;

export async function importCommand(args: string[], io: ImportIO): Promise<number> {
  let parsed;
  try {
    parsed = parseCommandLine(args, {
      help: { type: 'boolean', short: 'h' },
      output: { type: 'string', short: 'o' },
      kernel: { type: 'string' },
      arch: { type: 'string' },
      v1: { type: 'boolean' },
    });
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.err(`irqtopo import: ${e.message}\n\n${IMPORT_USAGE}`);
    return 2;
  }
  const { values } = parsed;
  if (values.help) {
    io.out(IMPORT_USAGE);
    return 0;
  }
  for (const [name, v] of Object.entries(values)) {
    if (v === '') {
      io.err(`irqtopo import: --${name} needs a value\n\n${IMPORT_USAGE}`);
      return 2;
    }
  }
  const outPath = values.output;
  const kernel = values.kernel;
  if (kernel !== undefined && !/^\d{1,3}\.\d{1,3}/.test(kernel)) {
    io.err(`irqtopo import: --kernel expects a version such as 6.8, not '${kernel.slice(0, 40)}'`);
    return 2;
  }
  const a = values.arch;
  if (a !== undefined && a !== 'x86' && a !== 'arm64' && a !== 'riscv') {
    io.err(`irqtopo import: --arch expects x86, arm64 or riscv, not '${a.slice(0, 40)}'`);
    return 2;
  }
  const arch: Arch | undefined = a;
  const v2 = !values.v1;
  const paths: string[] = [];
  for (const p of parsed.positionals) {
    if (p === '-') {
      io.err('irqtopo import: reading standard input is not supported; give a file');
      return 2;
    }
    paths.push(resolveFrom(io, p));
  }
  const r = await runImport({ paths, kernel, arch, v2 });
  for (const m of r.messages) io.err(m);
  if (r.status === 2 && r.text === '') return 2;
  if (outPath !== undefined) {
    try {
      await io.writeFile(resolveFrom(io, outPath), r.text);
    } catch (e) {
      io.err(`irqtopo import: cannot write ${outPath}: ${e instanceof Error ? e.message : String(e)}`);
      return 2;
    }
  } else io.out(r.text.replace(/\n$/, ''));
  return r.status;
}

/** A path as given when it is absolute or the working folder is the process's, else resolved from io.cwd. */
export function resolveFrom(io: { cwd?: string }, p: string): string {
  return io.cwd === undefined || path.isAbsolute(p) || path.resolve(io.cwd) === process.cwd()
    ? p
    : path.resolve(io.cwd, p);
}

/** The ImportIO of a real process (Node's fs). */
export async function nodeImportIO(base: {
  out(s: string): void;
  err(s: string): void;
  cwd?: string;
}): Promise<ImportIO> {
  const fs = await import('node:fs/promises');
  return {
    out: (s) => base.out(s),
    err: (s) => base.err(s),
    writeFile: (p, t) => fs.writeFile(p, t, 'utf8'),
    cwd: base.cwd,
  };
}
