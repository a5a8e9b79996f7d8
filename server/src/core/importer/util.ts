// Small helpers shared by the importer's parsers and generator: CPU lists, PCI addresses, names.

/** Parses a kernel `%*pbl` list (`0-19,21,32`); undefined when the text is not one. Empty text: []. */
export function parseList(text: string, max = 1 << 16): number[] | undefined {
  const t = text.trim();
  if (t === '') return [];
  const out: number[] = [];
  for (const part of t.split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) return undefined;
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    if (b < a || b > max) return undefined;
    for (let i = a; i <= b; i++) out.push(i);
  }
  return out;
}

/** Formats a sorted list of numbers as `0-3,8,10-11`. */
export { formatList } from '../values';

export interface Bdf {
  segment: number;
  bus: number;
  dev: number;
  fn: number;
}

const BDF_RE = /^(?:([0-9a-fA-F]{4}):)?([0-9a-fA-F]{2}):([0-9a-fA-F]{2})\.([0-7])$/;

export function parseBdf(text: string): Bdf | undefined {
  const m = BDF_RE.exec(text.trim());
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

export const BARE_NAME = /^[A-Za-z_][A-Za-z0-9_./+-]*$/;

/** A name as the language writes it: bare when it can be, else double-quoted. */
export function q(name: string): string {
  if (BARE_NAME.test(name)) return name;
  return `"${name.replace(/[\\"]/g, (c) => `\\${c}`).replace(/[\r\n]/g, ' ')}"`;
}

/** Text safe inside a `#` comment on one line. */
export function commentText(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\r\n\u0000-\u0008\u000b-\u001f\u007f\u2028\u2029]/g, ' ');
}

/** Parses `0x1f` or `31`; undefined otherwise. */
export function parseNum(text: string): number | undefined {
  const t = text.trim();
  if (/^0[xX][0-9a-fA-F]{1,13}$/.test(t)) return parseInt(t.slice(2), 16);
  if (/^-?\d{1,15}$/.test(t)) return Number(t);
  return undefined;
}
