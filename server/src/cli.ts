// The `irqtopo` command line: a thin front on the language core.
//   irqtopo check FILE... [--format text|json|sarif] [--rule CODE=SEVERITY]...
//   irqtopo routes FILE [--format text|json] [--before-offline] [--rule CODE=SEVERITY]...
//   irqtopo inject FILE ADDRESS DATA --from DEVICE [--format text|json]
// Exit status: 0 no errors, 1 errors found (routes: or an interrupt not allocated; inject: nothing
// fires), 2 usage or I/O error.

import * as path from 'node:path';
import {
  analyze,
  unsimulatable,
  validateOverrides,
  type Analysis,
  type Diagnostic,
  type SeverityOverride,
} from './core';
import type { CliIO } from './cli/io';
import { readTopologyFile, type TopologyText } from './files';
import { parseCommandLine, UsageError } from './cli/args';
import { findings, formatJson, formatSarif, formatText, count, summary } from './cli/report';
import { injectJson, injectText, routesJson, routesText } from './cli/routes';
import { importCommand, nodeImportIO } from './cli/import';
import { captureCommand } from './cli/capture';
import { verify, verifyText } from './core/verify';

export const VERSION = '0.1.0';

const USAGE = `usage: irqtopo <command> [options]

commands:
  check FILE... [--format text|json|sarif] [--rule CODE=SEVERITY]...
      check topology files (layering, capabilities, and the simulation's resource checks); exit 0 when
      no errors, 1 when errors were found, 2 on usage or I/O errors
  routes FILE [--format text|json] [--before-offline] [--rule CODE=SEVERITY]...
      simulate the allocation and print every interrupt's route: CPU, vector or LPI, IRTE or ITS event,
      the MSI message (address / data) and the domain path, after the last \`offline\` (with
      --before-offline: as allocated at boot); \`*\` marks observed values (pins), the rest is
      simulated; errors go to stderr. Exit 1 when the file has errors or an interrupt could not be
      allocated
  inject FILE ADDRESS DATA --from DEVICE [--format text|json]
      resolve a write of DATA to ADDRESS by DEVICE as the hardware would (IR unit, APIC or ITS) and
      print which interrupt fires, on which CPU and vector, or why none does; exit 1 when none fires
  import [FILE|DIR]... [-o OUT] [--kernel X.Y] [--arch x86|arm64|riscv] [--v1]
      turn a capture bundle, /proc/interrupts or /sys/kernel/debug/irq dumps into a topology file
      (no argument: this machine's); \`irqtopo import --help\` for more
  verify FILE [--format text|json]
      the fidelity of an imported topology: simulate it again without its observed pins (as the kernel
      would allocate in the file's order) and report, per column (CPU, managed and non-managed CPU,
      vector, IRTE, LPI, message), how many observed values the simulation reproduces, and each
      difference with its likely cause. Exit 0 (1 when the file cannot be simulated)
  capture [-o FILE] | capture --script
      write this machine's interrupt sources as one bundle for import, or print a sh script that does
  help
      this text

Severities: off, hint, information, warning, error. Rule codes: docs/rules.md.`;

/** --format, checked against what the command offers. */
function format(value: string | undefined, allowed: readonly string[]): string {
  const f = value ?? 'text';
  if (!allowed.includes(f)) throw new UsageError(`--format must be one of ${allowed.join(', ')}, not '${f}'`);
  return f;
}

function rules(values: readonly string[] | undefined): Record<string, SeverityOverride> {
  const out: Record<string, string> = {};
  for (const r of values ?? []) {
    const eq = r.indexOf('=');
    if (eq <= 0) throw new UsageError(`--rule takes CODE=SEVERITY, not '${r}'`);
    out[r.slice(0, eq)] = r.slice(eq + 1);
  }
  const problems = validateOverrides(out);
  if (problems.length) throw new UsageError(problems.join('; '));
  return out as Record<string, SeverityOverride>;
}

const FORMAT = { type: 'string' } as const;
const RULE = { type: 'string', multiple: true } as const;

const textOf = (r: TopologyText | Error): string | Error => (r instanceof Error ? r : r.text);

/** Includes: only *.irqtopo regular files (server/src/files.ts), unless the IO says otherwise (tests). */
const includeReader = (io: CliIO) => (p: string) => (io.readInclude ?? io.readFile)(p);

export function nodeIO(): CliIO {
  return {
    out: (s) => process.stdout.write(s.endsWith('\n') ? s : s + '\n'),
    err: (s) => process.stderr.write(s.endsWith('\n') ? s : s + '\n'),
    readFile: (p) => textOf(readTopologyFile(p, { anyName: true })),
    readInclude: (p) => textOf(readTopologyFile(p)),
    cwd: process.cwd(),
  };
}

function check(args: string[], io: CliIO): number {
  const { values, positionals } = parseCommandLine(args, { format: FORMAT, rule: RULE });
  const fmt = format(values.format, ['text', 'json', 'sarif']);
  const overrides = rules(values.rule);
  if (positionals.length === 0) throw new UsageError('check needs at least one FILE');
  const all: Diagnostic[] = [];
  const given = new Map<string, string>();
  let ioError = false;
  for (const f of positionals) {
    const abs = path.resolve(io.cwd, f);
    const text = io.readFile(abs);
    if (text instanceof Error) {
      io.err(`irqtopo: cannot read ${f}: ${text.message}`);
      ioError = true;
      continue;
    }
    if (!given.has(abs)) given.set(abs, f);
    all.push(...analyze(abs, text, { reader: includeReader(io), rules: overrides }).diagnostics);
  }
  const list = findings(all, io.cwd, given);
  if (fmt === 'json') io.out(formatJson(list));
  else if (fmt === 'sarif') io.out(formatSarif(list, io.cwd, VERSION));
  else {
    const text = formatText(list);
    if (text) io.out(text);
    io.err(summary(positionals.length, list));
  }
  if (ioError) return 2;
  return list.some((d) => d.severity === 'error') ? 1 : 0;
}

/** Reads and analyzes one file; prints why and returns undefined when it cannot be simulated. */
function simulateFile(
  f: string,
  io: CliIO,
  overrides: Record<string, SeverityOverride>,
): { abs: string; a: Analysis } | number {
  const abs = path.resolve(io.cwd, f);
  const text = io.readFile(abs);
  if (text instanceof Error) {
    io.err(`irqtopo: cannot read ${f}: ${text.message}`);
    return 2;
  }
  const a = analyze(abs, text, { reader: includeReader(io), rules: overrides });
  const errors = findings(
    a.diagnostics.filter((d) => d.severity === 'error'),
    io.cwd,
    new Map([[abs, f]]),
  );
  if (errors.length) io.err(formatText(errors));
  if (!a.simulation) {
    io.err(`irqtopo: ${f} cannot be simulated: ${unsimulatable(a.model) ?? 'see the errors above'}`);
    return 1;
  }
  return { abs, a };
}

function routes(args: string[], io: CliIO): number {
  const { values, positionals } = parseCommandLine(args, {
    format: FORMAT,
    rule: RULE,
    'before-offline': { type: 'boolean' },
  });
  const fmt = format(values.format, ['text', 'json']);
  const overrides = rules(values.rule);
  if (positionals.length !== 1) throw new UsageError('routes needs exactly one FILE');
  const r = simulateFile(positionals[0], io, overrides);
  if (typeof r === 'number') return r;
  const sim = r.a.simulation!;
  // --before-offline: the placement as allocated, before the first `offline` (the same without one)
  const list = (values['before-offline'] && sim.routesBeforeOffline()) || sim.routes;
  io.out(fmt === 'json' ? routesJson(sim, list) : routesText(sim, list));
  const failed = list.filter((x) => x.failure).length;
  const errors = r.a.diagnostics.filter((d) => d.severity === 'error').length;
  if (fmt === 'text')
    io.err(
      `${count(sim.routes.length, 'interrupt')} simulated: ${failed} not allocated, ${count(errors, 'error')}`,
    );
  return failed || errors ? 1 : 0;
}

function verifyCommand(args: string[], io: CliIO): number {
  const { values, positionals } = parseCommandLine(args, { format: FORMAT, rule: RULE });
  const fmt = format(values.format, ['text', 'json']);
  if (positionals.length !== 1) throw new UsageError('verify needs exactly one FILE');
  const r = simulateFile(positionals[0], io, rules(values.rule));
  if (typeof r === 'number') return r;
  const report = verify(r.a.model, r.a.simulation);
  io.out(fmt === 'json' ? JSON.stringify(report, null, 2) : verifyText(report));
  return 0;
}

function parseNumber(s: string, what: string): number {
  const t = s.trim().toLowerCase();
  const v = /^0x[0-9a-f]+$/.test(t) ? parseInt(t.slice(2), 16) : /^[0-9]+$/.test(t) ? parseInt(t, 10) : NaN;
  if (!Number.isSafeInteger(v) || v < 0)
    throw new UsageError(`${what} must be a number (decimal or 0x hex), not '${s}'`);
  return v;
}

function inject(args: string[], io: CliIO): number {
  const { values, positionals } = parseCommandLine(args, {
    format: FORMAT,
    rule: RULE,
    from: { type: 'string' },
  });
  const fmt = format(values.format, ['text', 'json']);
  const from = values.from;
  if (positionals.length !== 3) throw new UsageError('inject needs FILE ADDRESS DATA (and --from DEVICE)');
  if (!from) throw new UsageError('inject needs --from DEVICE: the device that issues the write');
  const address = parseNumber(positionals[1], 'ADDRESS');
  const data = parseNumber(positionals[2], 'DATA');
  if (data > 0xffffffff) throw new UsageError('DATA is a 32-bit value');
  const r = simulateFile(positionals[0], io, rules(values.rule));
  if (typeof r === 'number') return r;
  const dev = r.a.model.devicesByName.get(from);
  if (dev === undefined) {
    io.err(`irqtopo: ${positionals[0]} declares no device '${from}'`);
    return 2;
  }
  const out = r.a.simulation!.inject(dev, address, data);
  io.out(fmt === 'json' ? injectJson(out) : injectText(out));
  return out.landed ? 0 : 1;
}

export async function main(argv: string[], io: CliIO): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    switch (cmd) {
      case 'check':
        return check(rest, io);
      case 'routes':
        return routes(rest, io);
      case 'inject':
        return inject(rest, io);
      case 'import':
        return await importCommand(rest, await nodeImportIO(io));
      case 'verify':
        return verifyCommand(rest, io);
      case 'capture':
        return await captureCommand(rest, await nodeImportIO(io), VERSION);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        io.out(USAGE);
        return cmd === undefined ? 2 : 0;
      case '--version':
        io.out(VERSION);
        return 0;
      default:
        throw new UsageError(`unknown command '${cmd}'`);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`irqtopo: ${e.message}\n\n${USAGE}`);
      return 2;
    }
    io.err(`irqtopo: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    return 2;
  }
}

/** `ENOSPC: no space left on device, write` → `no space left on device (ENOSPC)` */
export function ioReason(e: NodeJS.ErrnoException): string {
  const text = (e.message ?? String(e)).replace(/^[A-Z]+: /, '').replace(/, (write|open|close)\b.*$/, '');
  return e.code && !text.includes(e.code) ? `${text} (${e.code})` : text;
}

/**
 * The `irqtopo` command: runs main() on this process's arguments and streams. dist/cli.js (the npm bin
 * and the extension's task) calls it through the server bundle (server/src/main.ts).
 */
export function run(): void {
  for (const stream of [process.stdout, process.stderr])
    stream.on('error', (e: NodeJS.ErrnoException) => {
      // `irqtopo ... | head`: a reader that goes away is not an error of ours
      if (e.code === 'EPIPE') process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
      // `irqtopo routes f > /dev/full`: an I/O error, exit 2 with one line (if stderr still works)
      if (stream === process.stdout) {
        try {
          process.stderr.write(`irqtopo: cannot write the output: ${ioReason(e)}\n`);
        } catch {
          // stderr is gone too: the exit status says it
        }
      }
      process.exit(2);
    });
  void main(process.argv.slice(2), nodeIO()).then((code) => {
    process.exitCode = code;
  });
}
