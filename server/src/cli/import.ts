// `irqtopo import [FILE|DIR]... [-o OUT] [--kernel X.Y]`: the I/O side of the importer. The core
// (server/src/core/importer) is pure; this reads the files, folders, or this machine's
// /proc/interrupts and /sys/kernel/debug/irq, and writes the topology.
import { importDumps, type ImportOptions } from '../core/importer';
import { parseCommandLine, UsageError } from './args';
import type { Arch } from '../core/kinds';

export interface ImportIO {
  out(s: string): void;
  err(s: string): void;
  readFile(p: string): Promise<string>;
  /** the entries of a folder; rejects when the path is not a readable folder */
  readDir(p: string): Promise<{ name: string; dir: boolean }[]>;
  isDir(p: string): Promise<boolean>;
  writeFile(p: string, text: string): Promise<void>;
  /** this machine's architecture as Node names it (process.arch), for the no-argument mode */
  arch?: string;
}

export const IMPORT_USAGE = `usage: irqtopo import [FILE|DIR]... [-o OUT] [--kernel X.Y] [--arch x86|arm64|riscv]

Turns kernel dumps into a topology file: /proc/interrupts (any era), files of
/sys/kernel/debug/irq/irqs/ and domains/ (a DIR is read recursively), an ls of the domains
folder, or a cat/grep of several. With no argument it reads this machine's /proc/interrupts,
and /sys/kernel/debug/irq when readable (root, debugfs mounted).

  -o OUT           write the topology to OUT (default: standard output)
  --kernel X.Y     the kernel version, instead of inferring it from the dumps
  --arch ARCH      the architecture, instead of inferring it

Problems are printed as file:line: severity: message on standard error.
Exit status: 0 imported, 1 an input was not understood at all, 2 usage or I/O error.`;

const MAX_FILES = 20000;

async function readTree(io: ImportIO, dir: string, out: { name: string; text: string }[]): Promise<void> {
  const entries = await io.readDir(dir);
  entries.sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }));
  for (const e of entries) {
    if (out.length >= MAX_FILES) return;
    const p = `${dir.replace(/\/+$/, '')}/${e.name}`;
    if (e.dir) await readTree(io, p, out);
    else out.push({ name: p, text: await io.readFile(p) });
  }
}

function archOf(nodeArch: string | undefined): Arch | undefined {
  if (nodeArch === 'x64' || nodeArch === 'ia32') return 'x86';
  if (nodeArch === 'arm64') return 'arm64';
  if (nodeArch === 'riscv64') return 'riscv';
  return undefined;
}

export async function importCommand(args: string[], io: ImportIO): Promise<number> {
  let parsed;
  try {
    parsed = parseCommandLine(args, {
      help: { type: 'boolean', short: 'h' },
      output: { type: 'string', short: 'o' },
      kernel: { type: 'string' },
      arch: { type: 'string' },
    });
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.err(`irqtopo import: ${e.message}\n\n${IMPORT_USAGE}`);
    return 2;
  }
  const { values, positionals: paths } = parsed;
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
  const options: ImportOptions = {};
  if (values.kernel !== undefined) {
    if (!/^\d+\.\d+/.test(values.kernel)) {
      io.err(`irqtopo import: --kernel expects a version such as 6.8, not '${values.kernel}'`);
      return 2;
    }
    options.kernel = values.kernel;
  }
  if (values.arch !== undefined) {
    const v = values.arch;
    if (v !== 'x86' && v !== 'arm64' && v !== 'riscv') {
      io.err(`irqtopo import: --arch expects x86, arm64 or riscv, not '${v}'`);
      return 2;
    }
    options.arch = v;
  }

  const inputs: { name: string; text: string }[] = [];
  try {
    if (paths.length === 0) {
      inputs.push({ name: '/proc/interrupts', text: await io.readFile('/proc/interrupts') });
      if (options.kernel === undefined) {
        try {
          const rel = (await io.readFile('/proc/sys/kernel/osrelease')).trim();
          if (/^\d+\.\d+/.test(rel)) options.kernel = rel;
        } catch {
          // not fatal: the era is then inferred
        }
      }
      if (options.arch === undefined) options.arch = archOf(io.arch);
      const debug = '/sys/kernel/debug/irq';
      let readable = false;
      try {
        for (const sub of ['domains', 'irqs']) {
          const before = inputs.length;
          await readTree(io, `${debug}/${sub}`, inputs);
          if (inputs.length > before) readable = true;
        }
      } catch {
        readable = false;
      }
      if (!readable)
        io.err(
          `irqtopo import: ${debug} is not readable (it needs root and debugfs); importing /proc/interrupts only, so no CPU or vector is pinned`,
        );
    } else {
      for (const p of paths) {
        if (p === '-') {
          io.err('irqtopo import: reading standard input is not supported; give a file');
          return 2;
        }
        if (await io.isDir(p)) await readTree(io, p, inputs);
        else inputs.push({ name: p, text: await io.readFile(p) });
      }
    }
  } catch (e) {
    io.err(`irqtopo import: ${e instanceof Error ? e.message : String(e)}`);
    return 2;
  }

  const r = importDumps(inputs, options);
  for (const p of r.problems)
    io.err(`${p.file || 'irqtopo import'}${p.line > 0 ? `:${p.line}` : ''}: ${p.severity}: ${p.message}`);
  if (outPath !== undefined) {
    try {
      await io.writeFile(outPath, r.text);
    } catch (e) {
      io.err(`irqtopo import: cannot write ${outPath}: ${e instanceof Error ? e.message : String(e)}`);
      return 2;
    }
  } else io.out(r.text.replace(/\n$/, ''));
  return r.unknownInputs.length > 0 || inputs.length === 0 ? 1 : 0;
}

/** The ImportIO of a real process (Node's fs). */
export async function nodeImportIO(base: { out(s: string): void; err(s: string): void }): Promise<ImportIO> {
  const fs = await import('node:fs/promises');
  return {
    out: (s) => base.out(s),
    err: (s) => base.err(s),
    readFile: (p) => fs.readFile(p, 'utf8'),
    readDir: async (p) =>
      (await fs.readdir(p, { withFileTypes: true })).map((e) => ({ name: e.name, dir: e.isDirectory() })),
    isDir: async (p) => {
      try {
        return (await fs.stat(p)).isDirectory();
      } catch {
        return false;
      }
    },
    writeFile: (p, t) => fs.writeFile(p, t, 'utf8'),
    arch: process.arch,
  };
}
