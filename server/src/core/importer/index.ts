// The importer's facade: kernel dumps in, a topology text out (issue 6). Pure: the caller reads
// the files (the CLI, the VS Code commands) and passes their text. Never throws.
//
// Formats understood (auto-detected per line, several may share one input):
// - /proc/interrupts of every era: pre-4.3 `IR-PCI-MSI-edge`, 4.3-6.1 global domains (hwirq decoded
//   as index | RID << 11 | segment << 27), 6.2+ per-device `IR-PCI-MSIX-<bdf>`, arm64 GICv3 /
//   ITS-MSI / ITS-pMSI / ITS-PCI-MSIX-<bdf>, RISC-V APLIC-MSI-<dev> / RISC-V INTC, chips without a
//   domain and the per-CPU rows (NMI, LOC, ...);
// - /sys/kernel/debug/irq/domains/<name>, with the VECTOR matrix;
// - /sys/kernel/debug/irq/irqs/<n>;
// - an `ls` (or `ls -l`) of /sys/kernel/debug/irq/domains;
// - any concatenation of these, grep-style `file:` prefixes, shell prompts, kernel log lines,
//   `...` elisions and trailing annotations.

import { buildTopology, type ImportOptions, type ImportedTopology } from './build';
import { generate } from './generate';
import { parseInput } from './parse';
import type { ImportProblem, ParsedInput } from './types';

export type { ImportOptions, ImportedTopology, ImportedDevice, ImportedDomain, ImportedIrq } from './build';
export type { ImportProblem, ParsedInput } from './types';
export { parseInput } from './parse';

export interface ImportResult {
  /** the topology, in the irqtopo language */
  text: string;
  problems: ImportProblem[];
  /** the facts that were inferred rather than read (also written as comments in `text`) */
  inferred: string[];
  /** the structured result, for tests and tools */
  topology?: ImportedTopology;
  /** what each input was read as */
  parsed: ParsedInput[];
  /** inputs in which nothing was understood */
  unknownInputs: string[];
}

const KNOWN =
  'a /proc/interrupts, a /sys/kernel/debug/irq/irqs/<n> or domains/<name> file (or a grep/cat of several), or an ls of /sys/kernel/debug/irq/domains';

export function importDumps(
  inputs: readonly { name: string; text: string }[],
  options: ImportOptions = {},
): ImportResult {
  try {
    return run(inputs, options);
  } catch (e) {
    // The importer is written not to throw; this is the last line of defence.
    const message = `internal importer error: ${e instanceof Error ? e.message : String(e)}`;
    return {
      text: `# irqtopo import failed: ${message.replace(/[\r\n]+/g, ' ')}\n`,
      problems: [{ file: inputs[0]?.name ?? '', line: 0, message, severity: 'error' }],
      inferred: [],
      parsed: [],
      unknownInputs: [],
    };
  }
}

function run(inputs: readonly { name: string; text: string }[], options: ImportOptions): ImportResult {
  const problems: ImportProblem[] = [];
  const parsed: ParsedInput[] = [];
  const unknown: string[] = [];
  for (const input of inputs) {
    const text = typeof input.text === 'string' ? input.text : '';
    const p = parseInput(input.name, text);
    parsed.push(p);
    if (p.factLines === 0) {
      unknown.push(input.name);
      problems.push({
        file: input.name,
        line: text.trim() === '' ? 0 : 1,
        severity: 'error',
        message:
          text.trim() === ''
            ? 'the input is empty: nothing to import'
            : `not a known dump format: nothing in it was understood. Expected ${KNOWN}`,
      });
      continue;
    }
    for (const k of p.kept)
      problems.push({
        file: k.src.file,
        line: k.src.line,
        severity: k.severity,
        message: `${k.why}: kept as a comment`,
      });
  }
  if (inputs.length === 0)
    problems.push({ file: '', line: 0, severity: 'error', message: `no input: give ${KNOWN}` });
  const usable = parsed.filter((p) => p.factLines > 0);
  if (usable.length === 0) {
    const text =
      '# irqtopo import: nothing was imported.\n' +
      unknown.map((u) => `# ${u.replace(/[\r\n]+/g, ' ')}: not a known dump format\n`).join('') +
      `# Expected ${KNOWN}.\n`;
    return { text, problems, inferred: [], parsed, unknownInputs: unknown };
  }
  const topology = buildTopology(usable, options, problems);
  const kept = usable.flatMap((p) => p.kept);
  const text = generate(topology, kept, unknown);
  return { text, problems, inferred: topology.inferred, topology, parsed, unknownInputs: unknown };
}
