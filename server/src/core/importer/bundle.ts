// One input, split into what it holds: `==> PATH <==` sections of a capture bundle (the format of
// `irqtopo capture` and of `head FILE...`), grep-style `PATH:value` lines of machine files
// (`grep . /proc/irq/*/*`), and dump text (/proc/interrupts, debugfs), read by parse.ts. Line
// numbers stay those of the input, so every fact and problem points at the bundle's own line.

import {
  machineKind,
  readMachineFile,
  unreadableReason,
  type MachineLine,
  type MachineSink,
} from './machine';
import { Reader, newParsed, type LineIn } from './parse';
import type { ParsedInput, ProblemSeverity } from './types';

/** The first line of a bundle written by `irqtopo capture` or its shell script. */
export const BUNDLE_SIGNATURE = '# irqtopo capture bundle';

/** Inputs longer than this many lines are read up to it (a /proc/interrupts of 8,192 CPUs is ~1,000 lines). */
export const MAX_LINES = 2_000_000;

/** `==> /proc/interrupts <==`: the path of a section header, or undefined. */
export function sectionHeader(line: string): string | undefined {
  if (line.length > 1024 || !line.startsWith('==> ')) return undefined;
  const t = line.trimEnd();
  if (!t.endsWith(' <==') || t.length < 9) return undefined;
  const path = t.slice(4, -4).trim();
  return path === '' ? undefined : path;
}

/** `/proc/irq/48/effective_affinity_list:7` (grep output): the machine path and the value. */
export function grepMachineLine(line: string): { path: string; value: string } | undefined {
  if (line.length > 4096 || !(line.startsWith('/proc/') || line.startsWith('/sys/'))) return undefined;
  let from = 0;
  for (let k = 0; k < 8; k++) {
    const i = line.indexOf(':', from);
    if (i < 0) return undefined;
    const path = line.slice(0, i);
    if (/\s/.test(path)) return undefined;
    if (machineKind(path)) return { path, value: line.slice(i + 1) };
    from = i + 1;
  }
  return undefined;
}

/** Splits lines on LF, CRLF and lone CR (the LSP's line breaks), linearly. */
export function splitLines(text: string): string[] {
  const out: string[] = [];
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || c === 13) {
      out.push(text.slice(start, i));
      if (c === 13 && text.charCodeAt(i + 1) === 10) i++;
      start = i + 1;
    }
  }
  out.push(text.slice(start));
  if (out.length > 1 && out[out.length - 1] === '') out.pop();
  return out;
}

/** Reads one input: its bundle sections, machine lines and dump text. Never throws. */
export function parseInput(name: string, text: string): ParsedInput {
  const out = newParsed(name);
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  let raw = splitLines(body);
  if (raw.length > MAX_LINES) raw = raw.slice(0, MAX_LINES);
  out.lineCount = raw.length;
  const reader = new Reader(name, out);
  const sink: MachineSink = {
    facts: out.machine,
    src: (line, path) => ({ file: name, line, path }),
    keep: (l: MachineLine, path: string, why: string, severity: ProblemSeverity = 'warning') =>
      out.kept.push({ src: { file: name, line: l.no, path }, text: l.raw, why, severity }),
    fact: () => {
      out.factLines++;
    },
  };
  let path: string | undefined;
  let lines: LineIn[] = [];
  let sections = 0;
  const flush = (): void => {
    const marker = path !== undefined ? lines.find((l) => unreadableReason(l.raw) !== undefined) : undefined;
    if (path !== undefined && marker && !machineKind(path)) {
      out.machine.unreadable.push({
        path,
        reason: unreadableReason(marker.raw)!,
        src: { file: name, line: marker.no, path },
      });
      out.factLines++;
    } else if (path !== undefined && readMachineFile(sink, path, lines)) {
      // a machine file
    } else if (lines.length > 0 || path !== undefined) {
      // dump text: loose machine lines (grep output) are read first, the rest by the dump reader
      const rest: LineIn[] = [];
      for (const l of lines) {
        const g = grepMachineLine(l.raw);
        if (g) readMachineFile(sink, g.path, [{ no: l.no, raw: g.value }]);
        else rest.push(l);
      }
      if (rest.length > 0) reader.section(path, rest);
    }
    lines = [];
  };
  for (let i = 0; i < raw.length; i++) {
    if (i === 0 && raw[0].startsWith(BUNDLE_SIGNATURE)) {
      out.factLines++;
      continue;
    }
    const header = sectionHeader(raw[i]);
    if (header !== undefined) {
      flush();
      path = header;
      sections++;
      out.factLines++;
      continue;
    }
    lines.push({ no: i + 1, raw: raw[i] });
  }
  flush();
  reader.finish();
  if (sections > 0 && !out.formats.includes('bundle')) out.formats.push('bundle');
  const m = out.machine;
  if (
    (m.procIrqs.size > 0 || m.sysIrqs.size > 0 || m.online || m.pci.size > 0 || m.osrelease) &&
    !out.formats.includes('sysfs')
  )
    out.formats.push('sysfs');
  return out;
}
