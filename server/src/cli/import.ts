// `irqtopo import [FILE|DIR]... [-o OUT] [--kernel X.Y] [--arch A] [--v1]`: the command-line side of
// the importer. The reading is the shared collector's (server/src/machine/collect.ts), the importing
// the pure core's (server/src/core/importer); this parses the arguments and writes the results.
import * as path from 'node:path';
import type { Arch } from '../core/kinds';
import { runImport } from '../machine/run';

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
  const paths: string[] = [];
  let outPath: string | undefined;
  let kernel: string | undefined;
  let arch: Arch | undefined;
  let v2 = true;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const eq = a.startsWith('--') ? a.indexOf('=') : -1;
    const name = eq > 0 ? a.slice(0, eq) : a;
    const value = (): string | undefined => {
      const v = eq > 0 ? a.slice(eq + 1) : args[++i];
      if (v === undefined || v === '') {
        io.err(`irqtopo import: ${name} needs a value\n\n${IMPORT_USAGE}`);
        return undefined;
      }
      return v;
    };
    if (name === '-h' || name === '--help') {
      io.out(IMPORT_USAGE);
      return 0;
    } else if (name === '-o' || name === '--output') {
      const v = value();
      if (v === undefined) return 2;
      outPath = v;
    } else if (name === '--kernel') {
      const v = value();
      if (v === undefined) return 2;
      if (!/^\d{1,3}\.\d{1,3}/.test(v)) {
        io.err(`irqtopo import: --kernel expects a version such as 6.8, not '${v.slice(0, 40)}'`);
        return 2;
      }
      kernel = v;
    } else if (name === '--arch') {
      const v = value();
      if (v === undefined) return 2;
      if (v !== 'x86' && v !== 'arm64' && v !== 'riscv') {
        io.err(`irqtopo import: --arch expects x86, arm64 or riscv, not '${v.slice(0, 40)}'`);
        return 2;
      }
      arch = v;
    } else if (name === '--v1') {
      v2 = false;
    } else if (name === '--') {
      paths.push(...args.slice(i + 1));
      break;
    } else if (a.startsWith('-') && a !== '-') {
      io.err(`irqtopo import: unknown option '${a.slice(0, 40)}'\n\n${IMPORT_USAGE}`);
      return 2;
    } else if (a === '-') {
      io.err('irqtopo import: reading standard input is not supported; give a file');
      return 2;
    } else paths.push(resolveFrom(io, a));
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
