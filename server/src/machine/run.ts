// One import, typed end to end, for the CLI (`irqtopo import`) and the language server
// (`irqtopo/import`): collect the inputs (this machine's capture, or the files and folders named),
// run the pure importer, and return the text with every problem as data (file, line, column).

import type { Arch } from '../core/kinds';
import { importDumps, type ImportProblem, type ImportedTopology } from '../core/importer';
import {
  CollectAborted,
  captureMachine,
  formatBundle,
  isLinux,
  readPaths,
  type CollectHooks,
} from './collect';

export interface ImportRequestData {
  /** files or folders (read recursively); none: this machine */
  paths: readonly string[];
  kernel?: string;
  arch?: Arch;
  /** write the v2 language (default true) */
  v2?: boolean;
}

export interface ImportOutcome {
  /** the topology text ('' when nothing could be read) */
  text: string;
  /** every problem at its place: for a capture of this machine, the real source file and its line */
  problems: ImportProblem[];
  /** `file:line:column: severity: message` lines (problems and collector notes), as the CLI prints them */
  messages: string[];
  /** 0 imported, 1 an input was not understood at all, 2 usage, I/O or internal error (or cancelled) */
  status: 0 | 1 | 2;
  topology?: ImportedTopology;
  /** the bundle text, when this machine was captured */
  bundle?: string;
}

export const THIS_MACHINE = 'this machine (irqtopo capture)';

function archOf(nodeArch: string): Arch | undefined {
  if (nodeArch === 'x64' || nodeArch === 'ia32') return 'x86';
  if (nodeArch === 'arm64') return 'arm64';
  if (nodeArch === 'riscv64') return 'riscv';
  return undefined;
}

export function formatProblem(p: ImportProblem): string {
  const where = p.file ? `${p.file}${p.line > 0 ? `:${p.line}:${p.column}` : ''}` : 'irqtopo import';
  return `${where}: ${p.severity}: ${p.message}`;
}

export async function runImport(req: ImportRequestData, hooks: CollectHooks = {}): Promise<ImportOutcome> {
  const messages: string[] = [];
  const fail = (message: string): ImportOutcome => ({
    text: '',
    problems: [{ file: '', line: 0, column: 1, severity: 'error', message }],
    messages: [...messages, `irqtopo import: ${message}`],
    status: 2,
  });
  const options = {
    kernel: req.kernel,
    // a capture of this machine: its architecture is the one Node runs on
    arch: req.arch ?? (req.paths.length === 0 ? archOf(process.arch) : undefined),
    v2: req.v2 !== false,
    shouldStop: () => hooks.signal?.aborted === true,
  };
  let inputs: { name: string; text: string }[];
  let bodyLine: Map<string, number> | undefined;
  let bundle: string | undefined;
  try {
    if (req.paths.length === 0) {
      if (!(await isLinux()))
        return fail('/proc/interrupts is not readable: this is not a Linux machine; give dump files instead');
      const cap = await captureMachine(hooks);
      const b = formatBundle(cap);
      bundle = b.text;
      bodyLine = b.bodyLine;
      inputs = [{ name: THIS_MACHINE, text: b.text }];
      for (const n of cap.notes) messages.push(`irqtopo import: note: ${n}`);
      const debugfs = cap.sections.find((s) => s.path.startsWith('/sys/kernel/debug/irq') && s.unreadable);
      if (debugfs)
        messages.push(
          `irqtopo import: note: /sys/kernel/debug/irq was not read: ${debugfs.unreadable}; the effective CPUs come from /proc/irq, and no vector, IRTE or managed flag is pinned`,
        );
    } else {
      const got = await readPaths(req.paths, hooks);
      if (got.failures.length > 0) {
        for (const f of got.failures) messages.push(`irqtopo import: cannot read ${f.path}: ${f.reason}`);
        if (got.inputs.length === 0 || got.failures.some((f) => req.paths.includes(f.path)))
          return { ...fail(`cannot read ${got.failures[0].path}: ${got.failures[0].reason}`), messages };
      }
      inputs = got.inputs;
    }
  } catch (e) {
    if (e instanceof CollectAborted) return fail('cancelled');
    return fail(e instanceof Error ? e.message : String(e));
  }
  hooks.onProgress?.({ message: 'importing', done: inputs.length });
  const r = importDumps(inputs, options);
  const problems = bodyLine ? r.problems.map((p) => toSourceFile(p, bodyLine)) : r.problems;
  for (const p of problems) messages.push(formatProblem(p));
  const status =
    r.internalError !== undefined ? 2 : r.unknownInputs.length > 0 || inputs.length === 0 ? 1 : 0;
  return { text: r.text, problems, messages, status, topology: r.topology, bundle };
}

/** A problem in the capture of this machine, moved to the real file it is about (and its line there). */
function toSourceFile(p: ImportProblem, bodyLine: Map<string, number>): ImportProblem {
  if (p.file !== THIS_MACHINE || !p.path) return p;
  const start = bodyLine.get(p.path);
  if (start === undefined || p.line < start) return p;
  const file = p.path === 'dmesg' ? 'dmesg' : p.path.replace(/\/$/, '');
  return { ...p, file, line: p.line - start + 1, path: undefined };
}
