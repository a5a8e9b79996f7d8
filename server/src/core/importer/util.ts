// Small helpers shared by the importer's parsers and generator: budgets, CPU and vector lists, PCI
// addresses, names. Every helper here is linear in its input and allocates nothing sized by a number
// read from the input (issue 13): lists are marked in fixed-size bitmaps, numbers are range-checked.

/** The kernel's largest NR_CPUS (x86_64 MAXSMP: CONFIG_NR_CPUS_RANGE_END 8192); CPU ids are below it. */
export const MAX_CPUS = 8192;
/** Linux irq numbers stay far below this (x86: nr_irqs <= NR_VECTORS * nr_cpu_ids = 2^21). */
export const MAX_IRQ = 1 << 22;
/** Lines longer than this are matched only by the linear /proc/interrupts tokenizer. */
export const MAX_SHAPE_LINE = 4096;
/** Names (domains, chips, actions) longer than this are not the kernel's: the line is not imported. */
export const MAX_NAME = 256;
/** Counts are `%10u` in /proc/interrupts; anything above 2^53 - 1 cannot be a count. */
export const MAX_COUNT = Number.MAX_SAFE_INTEGER;

export type ListResult = { ok: true; values: number[] } | { ok: false; why: string };

/**
 * Parses a kernel `%*pbl` list (`0-19,21,32`) of ids below `limit` into sorted unique values.
 * Linear in the text plus `limit` (a fixed-size bitmap), whatever ranges the text names.
 */
export function parseIdList(text: string, limit: number, what = 'CPU'): ListResult {
  const t = text.trim();
  if (t === '') return { ok: true, values: [] };
  const marks = new Uint8Array(limit);
  let i = 0;
  const n = t.length;
  const num = (): number | undefined => {
    const start = i;
    let v = 0;
    while (i < n && t.charCodeAt(i) >= 48 && t.charCodeAt(i) <= 57) {
      if (i - start < 16) v = v * 10 + (t.charCodeAt(i) - 48);
      i++;
    }
    if (i === start) return undefined;
    return i - start > 15 ? Infinity : v;
  };
  for (;;) {
    while (i < n && t[i] === ' ') i++;
    const a = num();
    if (a === undefined) return { ok: false, why: `not a list of numbers (${preview(t)})` };
    let b = a;
    if (i < n && t[i] === '-') {
      i++;
      const c = num();
      if (c === undefined) return { ok: false, why: `a range without its end (${preview(t)})` };
      b = c;
    }
    if (b < a) return { ok: false, why: `the range ${a}-${b} runs backwards` };
    if (b >= limit) return { ok: false, why: `${what} ${b} is beyond the largest possible (${limit - 1})` };
    marks.fill(1, a, b + 1);
    while (i < n && t[i] === ' ') i++;
    if (i >= n) break;
    if (t[i] !== ',') return { ok: false, why: `not a list of numbers (${preview(t)})` };
    i++;
  }
  const values: number[] = [];
  for (let k = 0; k < limit; k++) if (marks[k]) values.push(k);
  return { ok: true, values };
}

/** A CPU list (ids below MAX_CPUS); undefined when the text is not one. */
export function parseList(text: string, limit = MAX_CPUS): number[] | undefined {
  const r = parseIdList(text, limit);
  return r.ok ? r.values : undefined;
}

export function preview(s: string, max = 40): string {
  const t = commentText(s);
  return t.length > max ? `${t.slice(0, max)}…` : t;
}

/** Formats a sorted list of numbers as `0-3,8,10-11` (the language's own formatter). */
export { formatList } from '../values';

export interface Bdf {
  segment: number;
  bus: number;
  dev: number;
  fn: number;
}

const BDF_RE = /^(?:([0-9a-fA-F]{4}):)?([0-9a-fA-F]{2}):([0-9a-fA-F]{2})\.([0-7])$/;

export function parseBdf(text: string): Bdf | undefined {
  const t = text.trim();
  if (t.length > 12) return undefined;
  const m = BDF_RE.exec(t);
  if (!m) return undefined;
  const b = {
    segment: m[1] ? parseInt(m[1], 16) : 0,
    bus: parseInt(m[2], 16),
    dev: parseInt(m[3], 16),
    fn: parseInt(m[4], 16),
  };
  if (b.dev > 31) return undefined;
  return b;
}

const hex = (n: number, w: number): string => n.toString(16).padStart(w, '0');

/** `SSSS:BB:DD.F`, lower-case hex, as the kernel names devices (pci_name) */
export function formatBdf(b: Bdf): string {
  return `${hex(b.segment, 4)}:${hex(b.bus, 2)}:${hex(b.dev, 2)}.${b.fn}`;
}

/** The requester ID (bus << 8 | devfn) of a PCI address. */
export function rid(b: Bdf): number {
  return (b.bus << 8) | (b.dev << 3) | b.fn;
}

/**
 * Decodes the hwirq of a global PCI/MSI domain (x86 4.3-6.1, arm64 ITS-MSI before 6.11):
 * `msi_index | pci_dev_id << 11 | (pci_domain_nr & 0xFFFFFFFF) << 27` (pci_msi_domain_calc_hwirq,
 * drivers/pci/msi/irqdomain.c). Bits above 2^53 are not representable; such values return undefined.
 */
export function decodeGlobalMsiHwirq(hwirq: number): { bdf: Bdf; index: number } | undefined {
  if (!Number.isSafeInteger(hwirq) || hwirq < 0) return undefined;
  const index = hwirq % 2048;
  const r = Math.floor(hwirq / 2048) % 65536;
  const segment = Math.floor(hwirq / 2 ** 27);
  if (segment > 0xffff) return undefined;
  return { bdf: { segment, bus: r >> 8, dev: (r >> 3) & 31, fn: r & 7 }, index };
}

/**
 * Decodes the hwirq of an AMD-IR level: `devid << 16 | i` (irq_remapping_alloc,
 * drivers/iommu/amd/iommu.c), devid the 16-bit requester ID the IOMMU sees and i the position of the
 * interrupt in its allocation call (0 for each MSI-X vector, 0..n-1 inside a multi-MSI block). The
 * remap-table index is not in it: it is `index + i` from alloc_irq_index, visible only in the
 * message data (6.15+ debugfs `msg_data:`).
 */
export function decodeAmdIrHwirq(
  hwirq: number,
): { devid: number; bdf: Omit<Bdf, 'segment'>; position: number } | undefined {
  if (!Number.isSafeInteger(hwirq) || hwirq < 0 || hwirq >= 2 ** 32) return undefined;
  const devid = Math.floor(hwirq / 65536);
  const position = hwirq % 65536;
  return { devid, bdf: { bus: devid >> 8, dev: (devid >> 3) & 31, fn: devid & 7 }, position };
}

export const BARE_NAME = /^[A-Za-z_][A-Za-z0-9_./+-]*$/;

/** A name as the language writes it: bare when it can be, else double-quoted. */
export function q(name: string): string {
  if (BARE_NAME.test(name)) return name;
  return `"${commentText(name).replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/** Text safe inside a `#` comment on one line (C0, DEL and Unicode line separators become spaces). */
export function commentText(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\r\n\u0000-\u0008\u000b-\u001f\u007f\u0085\u2028\u2029]/g, ' ');
}

/** Parses `0x1f` or `31` (no sign); undefined otherwise, and for values beyond 2^53. */
export function parseNum(text: string): number | undefined {
  const t = text.trim();
  if (t.length > 20) return undefined;
  if (/^0[xX]0*[0-9a-fA-F]{1,13}$/.test(t)) return parseInt(t.slice(2), 16);
  if (/^\d{1,16}$/.test(t)) {
    const v = Number(t);
    return Number.isSafeInteger(v) ? v : undefined;
  }
  return undefined;
}

/** Parses a signed decimal (`-1` in /proc/irq/N/node and numa_node); undefined otherwise. */
export function parseSigned(text: string): number | undefined {
  const t = text.trim();
  if (!/^-?\d{1,9}$/.test(t)) return undefined;
  return Number(t);
}

/** Whitespace as `\s` sees it, without a regular expression. */
export function isSpace(c: number): boolean {
  return (
    c === 32 ||
    (c >= 9 && c <= 13) ||
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000 ||
    c === 0xfeff
  );
}

/** The whitespace-separated tokens of a text with their offsets (linear). */
export function tokens(s: string): { text: string; start: number; end: number }[] {
  const out: { text: string; start: number; end: number }[] = [];
  let i = 0;
  const n = s.length;
  while (i < n) {
    while (i < n && isSpace(s.charCodeAt(i))) i++;
    if (i >= n) break;
    const start = i;
    while (i < n && !isSpace(s.charCodeAt(i))) i++;
    out.push({ text: s.slice(start, i), start, end: i });
  }
  return out;
}
