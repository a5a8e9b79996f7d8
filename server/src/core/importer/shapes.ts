// The shapes of dump lines, matched in linear time (issue 13: the earlier regular expressions
// backtracked for 5-30 s on a 100 KB line of spaces). Each matcher either scans the line once or
// applies an anchored expression whose parts cannot overlap; lines longer than MAX_SHAPE_LINE reach
// only the /proc/interrupts tokenizers, which are linear by construction.

import type { ProcRow } from './types';
import { isSpace, MAX_SHAPE_LINE, tokens } from './util';

// ---- debugfs `key:` lines -------------------------------------------------------------------------

export const IRQ_KEYS = [
  'handler',
  'device',
  'status',
  'istate',
  'ddepth',
  'wdepth',
  'dstate',
  'node',
  'affinity',
  'effectiv',
  'pending',
  'domain',
  'hwirq',
  'chip',
  'Vector',
  'Target',
  'Previous vector',
  'Previous target',
  'move_in_progress',
  'is_managed',
  'can_reserve',
  'has_reserved',
  'cleanup_pending',
  'address_hi',
  'address_lo',
  'msg_data',
  // the posted (not merged) version of the 6.15 message lines printed `msix:` or `msi:` first
  'msix',
  'msi',
];
export const SHARED_KEYS = ['flags', 'parent'];
export const DOMAIN_KEYS = ['name', 'size', 'mapped'];
export const MATRIX_KEYS = [
  'Online bitmaps',
  'Global available',
  'Global reserved',
  'Total allocated',
  'System',
];
const ALL_KEYS = [...IRQ_KEYS, ...SHARED_KEYS, ...DOMAIN_KEYS, ...MATRIX_KEYS].sort(
  (a, b) => b.length - a.length,
);

export interface KeyLine {
  indent: number;
  key: string;
  value: string;
}

/** `  key:   value` with one of the debugfs keys (kernel/irq/debugfs.c, irqdomain.c, matrix.c). */
export function matchKey(line: string): KeyLine | undefined {
  if (line.length > MAX_SHAPE_LINE) return undefined;
  let i = 0;
  while (i < line.length && isSpace(line.charCodeAt(i))) i++;
  for (const key of ALL_KEYS) {
    if (!line.startsWith(key, i) || line[i + key.length] !== ':') continue;
    const rest = line.slice(i + key.length + 1);
    if (rest !== '' && !isSpace(rest.charCodeAt(0))) return undefined;
    return { indent: i, key, value: rest.trim() };
  }
  return undefined;
}

/** IRQD_*, IRQCHIP_*, _IRQ_*, IRQS_* and domain flag names, one per line under their hex value */
const FLAG_NAME_RE = /^\s+(?:IRQD_|IRQCHIP_|_IRQ_|IRQS_|IRQ_)[A-Z0-9_]+\s*$/;
const BARE_FLAG_NAME_RE = /^\s+[A-Z][A-Z0-9_]+\s*$/;
export const isFlagName = (line: string): boolean => line.length <= 200 && FLAG_NAME_RE.test(line);
export const isBareFlagName = (line: string): boolean => line.length <= 200 && BARE_FLAG_NAME_RE.test(line);

// ---- the VECTOR matrix ----------------------------------------------------------------------------

const MATRIX_HEADER_RE = /^\s*\|\s*CPU\s*\|\s*avl\s*\|\s*man\s*\|(\s*mac\s*\|)?\s*act\s*\|\s*vectors\s*$/;
const MATRIX_ROW_RE = /^\s*\d{1,5}(?:\s+\d{1,6}){3,4}(?:\s+[\d,-]+)?\s*$/;

export function matrixHeader(line: string): { mac: boolean } | undefined {
  if (line.length > 200) return undefined;
  const m = MATRIX_HEADER_RE.exec(line);
  return m ? { mac: m[1] !== undefined } : undefined;
}
export const isMatrixRow = (line: string): boolean => line.length <= 2048 && MATRIX_ROW_RE.test(line);

// ---- /proc/interrupts -----------------------------------------------------------------------------

const isElisionToken = (t: string): boolean => /^(?:\.{3,}|…+)$/.test(t);

/**
 * The CPU header of /proc/interrupts (`CPU0 CPU1 ... CPU7`), possibly with `...` where a publisher
 * left columns out; undefined when the line is not one.
 */
export function procHeader(line: string): { cpus: number[]; elided: boolean } | undefined {
  const toks = tokens(line);
  if (toks.length === 0) return undefined;
  const cpus: number[] = [];
  let elided = false;
  for (const t of toks) {
    if (t.text.length <= 8 && /^CPU\d{1,5}$/.test(t.text)) cpus.push(Number(t.text.slice(3)));
    else if (isElisionToken(t.text)) elided = true;
    else return undefined;
  }
  if (cpus.length === 0) return undefined;
  for (let i = 1; i < cpus.length; i++) if (cpus[i] <= cpus[i - 1]) return undefined;
  return { cpus, elided };
}

/** `  24:` or `LOC:` followed by counts: the row's key and the text after the colon. */
export function procRowKey(line: string): { key: string; after: string } | undefined {
  let i = 0;
  const n = line.length;
  while (i < n && isSpace(line.charCodeAt(i))) i++;
  const start = i;
  const c0 = line.charCodeAt(i);
  if (c0 >= 48 && c0 <= 57) {
    while (i < n && line.charCodeAt(i) >= 48 && line.charCodeAt(i) <= 57) i++;
  } else if ((c0 >= 65 && c0 <= 90) || (c0 >= 97 && c0 <= 122)) {
    while (i < n && /[A-Za-z0-9_]/.test(line[i])) i++;
  } else return undefined;
  if (i - start > 32 || line[i] !== ':') return undefined;
  const key = line.slice(start, i);
  const after = line.slice(i + 1);
  let j = 0;
  while (j < after.length && isSpace(after.charCodeAt(j))) j++;
  if (j === 0 || j >= after.length) return undefined;
  const c = after.charCodeAt(j);
  if (!(c >= 48 && c <= 57) && !after.startsWith('...', j) && after[j] !== '…') return undefined;
  return { key, after };
}

export interface CountsRead {
  counts: number[];
  /** a count too large to be one (beyond 2^53) */
  bad?: string;
  /** `...` stood for columns the publisher left out */
  elided: boolean;
  /** the text after the counts */
  rest: string;
}

/** Reads the per-CPU counts at the start of a row's text (at most `ncpu` when the header is whole). */
export function readCounts(after: string, ncpu: number | undefined): CountsRead {
  const toks = tokens(after);
  const counts: number[] = [];
  let elided = false;
  let bad: string | undefined;
  let k = 0;
  for (; k < toks.length; k++) {
    const t = toks[k].text;
    if (isElisionToken(t)) {
      elided = true;
      continue;
    }
    if (!/^\d+$/.test(t)) break;
    if (ncpu !== undefined && !elided && counts.length >= ncpu) break;
    const v = t.length <= 16 ? Number(t) : Infinity;
    if (!Number.isSafeInteger(v)) bad ??= t.length > 24 ? `${t.slice(0, 24)}…` : t;
    counts.push(Number.isSafeInteger(v) ? v : 0);
  }
  const rest = k < toks.length ? after.slice(toks[k].start) : '';
  return { counts, bad, elided, rest };
}

const LEGACY_FLOWS = ['edge-irq', 'untracked', 'fasteoi', 'percpu', 'simple', 'level', 'edge', 'nmi', 'bad'];

/** Splits the text after the counts of a numbered row into chip, hwirq, trigger, flow and actions. */
export function parseDescriptor(
  rest: string,
): Pick<ProcRow, 'chip' | 'hwirq' | 'trigger' | 'flow' | 'actions' | 'legacyForm'> {
  const t = rest.trim();
  const toks = tokens(t);
  const actions = (from: number): string[] => {
    if (from >= toks.length) return [];
    return t
      .slice(toks[from].start)
      .trim()
      .split(/,\s+/)
      .map((a) => a.trim())
      .filter((a) => a !== '');
  };
  /** the chip: tokens 0..k-1, separated by single spaces (the kernel pads it as one `%8s` field) */
  const chip = (k: number): string | undefined => {
    for (let i = 1; i < k; i++) if (toks[i].start - toks[i - 1].end !== 1) return undefined;
    return k > 0 ? t.slice(toks[0].start, toks[k - 1].end) : undefined;
  };
  // x86, hierarchical domains (>= ~4.3): `IR-PCI-MSIX-0000:03:00.0    0-edge      nvme1q0`
  for (let k = 1; k < toks.length; k++) {
    const m = /^(\d+)-([A-Za-z_][\w-]*)$/.exec(toks[k].text);
    if (!m) continue;
    const c = chip(k);
    if (c !== undefined) return { chip: c, hwirq: Number(m[1]), flow: m[2], actions: actions(k + 1) };
    break;
  }
  // GENERIC_IRQ_SHOW_LEVEL (arm64, riscv): `ITS-PCI-MSIX-0000:00:02.0   1 Edge      virtio1-req.0`
  for (let k = 1; k + 1 < toks.length; k++) {
    if (!/^\d+$/.test(toks[k].text) || !/^(?:Edge|Level)$/.test(toks[k + 1].text)) continue;
    const c = chip(k);
    if (c === undefined) break;
    const flowTok = toks[k + 2]?.text;
    const hasFlow = flowTok !== undefined && flowTok.length > 1 && flowTok.startsWith('-');
    return {
      chip: c,
      hwirq: Number(toks[k].text),
      trigger: toks[k + 1].text,
      flow: hasFlow ? flowTok.slice(1) : undefined,
      actions: actions(k + (hasFlow ? 3 : 2)),
    };
  }
  if (toks.length === 0) return { actions: [] };
  // pre-hierarchy x86 (<= ~4.2): `IR-PCI-MSI-edge      eth0`, `IO-APIC-fasteoi   acpi`
  const first = toks[0].text;
  for (const f of LEGACY_FLOWS) {
    if (first.length > f.length + 1 && first.endsWith(`-${f}`))
      return { chip: first.slice(0, -(f.length + 1)), flow: f, legacyForm: true, actions: actions(1) };
  }
  // a chip without a domain (no hwirq column): `XT-PIC          cascade`
  return { chip: first, actions: actions(1) };
}

// ---- context lines ---------------------------------------------------------------------------------

const DMESG_RE = /^\s*\[\s*\d+\.\d+\]/;
const ELISION_RE = /^\s*(?:\.{3,}|…+)\s*$/;
const NOTE_RE = /^\s*(?:#|\/\/|<-|--\s)/;
export const isDmesg = (line: string): boolean => DMESG_RE.test(line.slice(0, 64));
export const isElision = (line: string): boolean => line.length <= 200 && ELISION_RE.test(line);
export const isNote = (line: string): boolean => NOTE_RE.test(line.slice(0, 16));

const ANNOTATION_MARKS = ['<-', '<=', '=>', '←', '⟵', '#', '//'];

/**
 * The line without a trailing annotation added by whoever published the dump (`  <-- this one`,
 * `  # note`, `  // x`): a mark preceded by whitespace and followed by whitespace or the end.
 */
export function stripAnnotation(s: string): string {
  const n = s.length;
  for (let i = 1; i < n; i++) {
    if (!isSpace(s.charCodeAt(i - 1))) continue;
    for (const m of ANNOTATION_MARKS) {
      if (!s.startsWith(m, i)) continue;
      let j = i + m.length;
      if (m === '<-') while (j < n && s[j] === '-') j++;
      if (m === '<=') while (j < n && s[j] === '=') j++;
      if (j < n && !isSpace(s.charCodeAt(j))) continue;
      let cut = i;
      while (cut > 0 && isSpace(s.charCodeAt(cut - 1))) cut--;
      return s.slice(0, cut);
    }
  }
  return s;
}

export const COMMANDS = new Set([
  'cat',
  'ls',
  'll',
  'grep',
  'egrep',
  'head',
  'tail',
  'find',
  'for',
  'echo',
  'cd',
  'chcpu',
  'uname',
  'dmesg',
  'lspci',
  'less',
  'more',
  'sort',
  'tree',
  'tee',
  'awk',
  'sed',
  'cut',
  'watch',
  'reboot',
  'su',
  'ssh',
  'journalctl',
  'lscpu',
  'numactl',
  'taskset',
  'modprobe',
  'ethtool',
  'ip',
  'irqbalance',
  'systemctl',
  'mount',
  'head',
]);
const PROMPT_CHARS = '#$%>»➜❯';

/** The command word at `i` (after an optional `sudo `), when it is one of COMMANDS. */
function commandAt(s: string, i: number): { cmd: string; args: string } | undefined {
  const n = s.length;
  while (i < n && isSpace(s.charCodeAt(i))) i++;
  if (s.startsWith('sudo', i) && isSpace(s.charCodeAt(i + 4))) {
    i += 4;
    while (i < n && isSpace(s.charCodeAt(i))) i++;
  }
  let j = i;
  while (j < n && /[a-z]/.test(s[j])) j++;
  const word = s.slice(i, j);
  if (!COMMANDS.has(word)) return undefined;
  if (j < n && /\w/.test(s[j])) return undefined;
  return { cmd: word, args: s.slice(j) };
}

/** A shell command line (`user@host:~$ cat /proc/interrupts`, `# ls /sys/...`, `cat x`). */
export function command(raw: string): { cmd: string; args: string } | undefined {
  if (raw.length > MAX_SHAPE_LINE) return undefined;
  const direct = commandAt(raw, 0);
  if (direct) return direct;
  // a prompt: text up to a prompt character (in the first 256 characters), then an optional
  // working-directory token, then the command
  const limit = Math.min(raw.length, 256);
  for (let p = 0; p < limit; p++) {
    if (!PROMPT_CHARS.includes(raw[p])) continue;
    let i = p + 1;
    const c = commandAt(raw, i);
    if (c) return c;
    while (i < raw.length && isSpace(raw.charCodeAt(i))) i++;
    let j = i;
    while (j < raw.length && /[\w.~/@:-]/.test(raw[j])) j++;
    if (j > i && j < raw.length && isSpace(raw.charCodeAt(j))) {
      const c2 = commandAt(raw, j);
      if (c2) return c2;
    }
  }
  return undefined;
}

/** The file name of an `ls -l` line (`drwxr-xr-x 2 root root 0 Jan 1 00:00 name -> target`). */
export function lsLongName(line: string): string | undefined {
  if (line.length > MAX_SHAPE_LINE || !/^[-dlcbps][-rwxsStT]{9}[.+@]?\s/.test(line)) return undefined;
  const toks = tokens(line);
  if (toks.length < 9) return undefined;
  if (!/^\d+$/.test(toks[1].text) || !/^\d+$/.test(toks[4].text) || !/^\d+$/.test(toks[6].text))
    return undefined;
  if (!/^[\d:]+$/.test(toks[7].text)) return undefined;
  let name = line.slice(toks[8].start).trim();
  const arrow = name.indexOf(' -> ');
  if (arrow >= 0) name = name.slice(0, arrow).trim();
  return name === '' ? undefined : name;
}
