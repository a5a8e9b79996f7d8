// The importer's facade: kernel dumps in, a topology text out (issues 6 and 12). Pure: the caller
// reads the files (server/src/machine/collect.ts for the CLI and the language server) and passes
// their text. Never throws: an internal error comes back as `internalError`.
//
// Formats understood (auto-detected per line, several may share one input):
// - a capture bundle (`irqtopo capture`, or `head FILE...`): `==> PATH <==` sections of
//   /proc/interrupts, /proc/irq/<n>/*, /sys/kernel/irq/<n>/*, /sys/devices/system/{cpu,node}/...,
//   /proc/cpuinfo, /sys/bus/pci/devices/*, /sys/class/iommu/*/devices, debugfs and dmesg lines;
// - grep-style machine lines (`/proc/irq/48/effective_affinity_list:7`);
// - /proc/interrupts of every era: pre-4.3 `IR-PCI-MSI-edge`, 4.3-6.1 global domains (hwirq decoded
//   as index | RID << 11 | segment << 27), 6.2+ per-device `IR-PCI-MSIX-<bdf>`, arm64 GICv3 /
//   ITS-MSI / ITS-pMSI / ITS-PCI-MSIX-<bdf>, RISC-V APLIC-MSI-<dev> / RISC-V INTC, chips without a
//   domain and the per-CPU rows (NMI, LOC, ...), with `...` elisions;
// - /sys/kernel/debug/irq/domains/<name>, with the VECTOR matrix;
// - /sys/kernel/debug/irq/irqs/<n>;
// - an `ls` (or `ls -l`) of /sys/kernel/debug/irq/domains;
// - any concatenation of these, grep-style `file:` prefixes, shell prompts, kernel log lines,
//   `...` elisions and trailing annotations.

import { parseInput } from './bundle';
import { buildTopology } from './build';
import { ImportCancelled } from './context';
import { generate } from './generate';
import type { ImportOptions, ImportedTopology } from './result';
import type { ImportProblem, KeptLine, ParsedInput } from './types';
import { commentText } from './util';

export type {
  ImportOptions,
  ImportedTopology,
  ImportedDevice,
  ImportedDomain,
  ImportedIrq,
  Observed,
} from './result';
export type { ImportProblem, ParsedInput } from './types';
export { parseInput, BUNDLE_SIGNATURE, sectionHeader } from './bundle';

export interface ImportResult {
  /** the topology, in the irqtopo language */
  text: string;
  /** problems at their place in the inputs (1-based line and column), for the Problems panel and stderr */
  problems: ImportProblem[];
  /** the facts that were inferred rather than read (also written as comments in `text`) */
  inferred: string[];
  /** the structured result, for tests and tools (`irqtopo verify`) */
  topology?: ImportedTopology;
  /** what each input was read as */
  parsed: ParsedInput[];
  /** inputs in which nothing was understood */
  unknownInputs: string[];
  /** set when the importer failed (a bug, or the import was cancelled); `text` then says so */
  internalError?: string;
}

const KNOWN =
  'an `irqtopo capture` bundle, a /proc/interrupts, a /sys/kernel/debug/irq/irqs/<n> or domains/<name> file (or a grep/cat of several), or an ls of /sys/kernel/debug/irq/domains';

export function importDumps(
  inputs: readonly { name: string; text: string }[],
  options: ImportOptions = {},
): ImportResult {
  try {
    return run(inputs, options);
  } catch (e) {
    // The importer is written not to throw; this is the last line of defence.
    const cancelled = e instanceof ImportCancelled;
    const message = cancelled
      ? 'import cancelled'
      : `internal importer error: ${e instanceof Error ? e.message : String(e)}`;
    return {
      text: `# irqtopo import ${cancelled ? 'cancelled' : 'failed'}: ${commentText(message)}\n`,
      problems: [{ file: firstName(inputs), line: 0, column: 1, message, severity: 'error' }],
      inferred: [],
      parsed: [],
      unknownInputs: [],
      internalError: message,
    };
  }
}

function firstName(inputs: readonly { name: string }[]): string {
  try {
    return typeof inputs[0]?.name === 'string' ? inputs[0].name : '';
  } catch {
    return '';
  }
}

/** The column of a line's first non-blank character (1-based). */
function columnOf(text: string): number {
  const m = /^\s*/.exec(text.slice(0, 200));
  const n = m ? m[0].length : 0;
  return n >= text.length ? 1 : n + 1;
}

function keptProblem(k: KeptLine): ImportProblem {
  const p: ImportProblem = {
    file: k.src.file,
    line: k.src.line,
    column: columnOf(k.text),
    severity: k.severity,
    message: `${k.why}: kept as a comment`,
  };
  if (k.src.path) p.path = k.src.path;
  return p;
}

function run(inputs: readonly { name: string; text: string }[], options: ImportOptions): ImportResult {
  const problems: ImportProblem[] = [];
  const parsed: ParsedInput[] = [];
  const unknown: string[] = [];
  for (const input of inputs) {
    if (options.shouldStop?.()) throw new ImportCancelled();
    const text = typeof input.text === 'string' ? input.text : '';
    const p = parseInput(String(input.name), text);
    parsed.push(p);
    if (p.factLines === 0) {
      unknown.push(p.name);
      problems.push({
        file: p.name,
        line: text.trim() === '' ? 0 : 1,
        column: 1,
        severity: 'error',
        message:
          text.trim() === ''
            ? 'the input is empty: nothing to import'
            : `not a known dump format: nothing in it was understood. Expected ${KNOWN}`,
      });
      continue;
    }
    for (const k of p.kept) problems.push(keptProblem(k));
  }
  if (inputs.length === 0)
    problems.push({ file: '', line: 0, column: 1, severity: 'error', message: `no input: give ${KNOWN}` });
  const usable = parsed.filter((p) => p.factLines > 0);
  if (usable.length === 0) {
    const text =
      '# irqtopo import: nothing was imported.\n' +
      unknown.map((u) => `# ${commentText(u)}: not a known dump format\n`).join('') +
      `# Expected ${KNOWN}.\n`;
    return { text, problems, inferred: [], parsed, unknownInputs: unknown };
  }
  const topology = buildTopology(usable, options, problems);
  const kept = usable.flatMap((p) => p.kept);
  const text = generate(topology, kept, unknown);
  return { text, problems, inferred: topology.inferred, topology, parsed, unknownInputs: unknown };
}
