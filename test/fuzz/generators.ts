// Inputs for fuzzing, made from a seed: topologies (token soup, mutated examples, and grammar-aware
// growth: ranges, lists, nesting, names and parent chains grown far past what a user writes), kernel
// dumps for the importer (mutated, widened, repeated), and edits for language-server sessions.
// Deterministic: the same seed and index give the same input, so a failure is reproducible and the
// campaign's main thread can remake an input its worker hung on. Used by `npm run fuzz`
// (test/fuzz/campaign.ts) and, a few hundred inputs, by the bounded fuzz suite of `npm test`.

/** mulberry32: a small seeded PRNG. */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** an integer in [0, n) */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(a: readonly T[]): T {
    return a[this.int(a.length)];
  }
  /** log-uniform in [1, max]: mostly small, sometimes huge (growth) */
  grow(max: number): number {
    return Math.max(1, Math.floor(Math.exp(this.next() * Math.log(max))));
  }
}

/** The seed of input `index` of a campaign seeded `seed`. */
export function inputSeed(seed: number, index: number): number {
  return (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) + Math.imul(index + 1, 0xc2b2ae35)) >>> 0;
}

/** Words, punctuation and values of the language (token soup, edits). */
export const TOKENS = [
  'arch',
  'x86',
  'arm64',
  'riscv',
  'kernel',
  '6.6',
  '5.15',
  '6.12',
  'cpus',
  '0-3',
  'apic-ids',
  'possible-cpus',
  'node',
  'smt',
  'apic',
  'x2apic-phys',
  'ext-dest-id',
  'offline',
  'release',
  'include',
  '"a.irqtopo"',
  'domain',
  'device',
  'irq',
  'expect',
  'inject',
  'VECTOR',
  'IR-0',
  'GIC',
  ':',
  'vector',
  'remap',
  'ims',
  'pci-msi',
  'gic',
  'its',
  'ioapic',
  'hpet',
  'ntb',
  'dmar-msi',
  'platform-msi',
  '{',
  '}',
  '[',
  ']',
  ';',
  '\n',
  ',',
  '..',
  '-',
  '>',
  'parent',
  'scope',
  '0000:00-7f',
  'pci',
  '01:00.0',
  'msix',
  'msi',
  '8',
  '0x20',
  'slots',
  'd.q',
  'd',
  'managed',
  'spread',
  'affinity',
  'cpu',
  'path',
  'message',
  'from',
  '#',
  '//',
  '"',
  'pin',
  'window',
  'virtual',
  'system-vectors',
  'in-use',
  'inactive',
  'irte',
  'lpi',
  'windows',
  'msi-domain',
  'vendor',
  'intel',
  'amd',
  'id',
  'pins',
  'entries',
  'base',
  '\u0000',
  '\u0001',
  'é',
  '𝔸',
  '\r\n',
  '\r',
  '\t',
  '4294967295',
  '99999999999999999999',
  '0x7fffffff',
  '-1',
];

const KINDS = [
  'vector',
  'remap',
  'its',
  'gic',
  'ims',
  'pci-msi',
  'ioapic',
  'hpet',
  'ntb',
  'dmar-msi',
  'platform-msi',
  'imsic',
  'nosuch',
];
const SOURCES = ['msix', 'msi', 'ims', 'virtual', 'pin 3', 'window 0', 'msix 7', 'bogus'];
const HOSTILE_NAMES = [
  '[x](https://e.example)',
  '![i](https://e.example/p.png)',
  '<img src=x onerror=alert(1)>',
  'a\u0001b',
  'a`b',
  '\u202eevil',
  '..',
  'x.y.z',
  '\\',
];

/** A name: bare, quoted with anything in it, hostile, or long. */
function name(r: Rng, prefix: string, i: number): string {
  const k = r.int(20);
  if (k < 14) return `${prefix}${i}`;
  if (k < 16) return `"${prefix} ${i}"`;
  if (k < 18) return `"${r.pick(HOSTILE_NAMES).replace(/["\\]/g, (c) => `\\${c}`)}${i}"`;
  return `${prefix}${'n'.repeat(r.grow(3000))}${i}`;
}

/** A CPU list: ranges and single CPUs, sometimes very long, sometimes beyond any limit. */
function cpuList(r: Rng, max: number): string {
  const n = r.grow(r.chance(0.05) ? 20000 : 8);
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const a = r.int(max);
    out.push(r.chance(0.5) ? String(a) : `${a}-${a + r.grow(max)}`);
  }
  return out.join(',');
}

function range(r: Rng): string {
  const a = r.chance(0.8) ? 0 : r.grow(1 << 20);
  const b = a + r.grow(r.chance(0.1) ? 2 ** 33 : 64) - 1;
  return r.chance(0.5) ? `[${a}..${b}]` : `[${a}]`;
}

/** A topology grown by the grammar: every part sized log-uniformly, up to far past real machines. */
export function grownTopology(r: Rng, maxBytes = 2_000_000): string {
  const out: string[] = [];
  const arch = r.pick(['x86', 'x86', 'x86', 'arm64', 'riscv', 'mips']);
  const root = arch === 'arm64' ? 'GIC' : arch === 'riscv' ? 'IMSIC' : 'VECTOR';
  out.push(`arch ${arch}`);
  if (r.chance(0.7))
    out.push(`kernel ${r.pick(['5.4', '5.15', '6.1', '6.2', '6.6', '6.8', '6.10', '6.12', '99.99'])}`);
  const cpuMax = r.grow(r.chance(0.1) ? 2 ** 33 : 256);
  out.push(`cpus ${r.chance(0.8) ? `0-${cpuMax - 1}` : cpuList(r, cpuMax)}`);
  if (r.chance(0.2)) out.push(`possible-cpus ${cpuList(r, cpuMax * 2)}`);
  if (r.chance(0.15)) out.push(`apic-ids ${cpuList(r, 70000)}`);
  if (r.chance(0.15)) out.push(`smt ${r.grow(16)}${r.chance(0.5) ? ' adjacent' : ''}`);
  if (r.chance(0.1))
    out.push(`apic ${r.pick(['flat', 'physflat', 'x2apic-cluster', 'x2apic-phys', 'nope'])}`);
  if (r.chance(0.1))
    for (let i = 0, n = r.grow(2000); i < n; i++) out.push(`node ${r.int(1100)} cpus ${cpuList(r, cpuMax)}`);
  out.push(`domain ${root} : ${arch === 'arm64' ? 'gic' : arch === 'riscv' ? 'imsic' : 'vector'}`);
  // units with scopes (many items, overlapping)
  const units: string[] = [];
  for (let u = 0, n = r.grow(r.chance(0.05) ? 20000 : 4); u < n; u++) {
    const nm = name(r, 'IR-', u);
    units.push(nm);
    const items: string[] = [];
    for (let i = 0, m = r.grow(r.chance(0.05) ? 5000 : 4); i < m; i++) {
      const k = r.int(3);
      if (k === 0) {
        const a = r.int(256);
        items.push(
          `${r.int(3).toString(16).padStart(4, '0')}:${a.toString(16).padStart(2, '0')}-${Math.min(
            255,
            a + r.int(64),
          )
            .toString(16)
            .padStart(2, '0')}`,
        );
      } else items.push(`${k === 1 ? 'ioapic' : 'hpet'} ${r.int(16)}`);
    }
    const kind = arch === 'arm64' ? 'its' : 'remap';
    out.push(
      `domain ${nm} : ${kind} { parent ${root}${kind === 'remap' ? `; vendor ${r.pick(['intel', 'amd'])}` : ''}${r.chance(0.7) ? `; scope ${items.join(', ')}` : ''} }`,
    );
  }
  // a parent chain, maybe a cycle, maybe wide
  const chain = r.grow(r.chance(0.1) ? 20000 : 8);
  const cycle = r.chance(0.2);
  for (let i = 0; i < chain; i++) {
    const parent = i === 0 ? (cycle ? `C${chain - 1}` : r.pick([root, ...units.slice(0, 3)])) : `C${i - 1}`;
    out.push(
      `domain C${i} : ${r.pick(KINDS)} { parent ${r.chance(0.02) ? `NOPE${i}` : parent}${r.chance(0.1) ? `; id ${r.int(64)}` : ''}${r.chance(0.1) ? `; slots ${r.grow(1 << 20)}` : ''} }`,
    );
  }
  for (let i = 0, n = r.chance(0.2) ? r.grow(50000) : 0; i < n; i++)
    out.push(`domain W${i} : ${r.pick(KINDS)} { parent C${r.int(chain)} }`);
  // devices and their interrupts
  const devices = r.grow(r.chance(0.1) ? 30000 : 16);
  for (let d = 0; d < devices; d++) {
    const nm = name(r, 'dev', d);
    const props = [
      `pci ${(d >> 13).toString(16).padStart(4, '0')}:${((d >> 5) & 255).toString(16).padStart(2, '0')}:${(d & 31).toString(16).padStart(2, '0')}.0`,
    ];
    if (r.chance(0.8)) props.push(`msix ${r.grow(r.chance(0.05) ? 100000 : 64)}`);
    if (r.chance(0.2)) props.push(`msi ${r.grow(64)}`);
    if (r.chance(0.1)) props.push(`msi-domain ${r.pick([...units, 'C0', 'NOPE'])}`);
    if (r.chance(0.1)) props.push(`ims C${r.int(chain)}`);
    if (r.chance(0.05)) props.push(`ntb C${r.int(chain)}; windows ${r.grow(16)}`);
    if (r.chance(0.05)) props.push('platform');
    if (r.chance(0.05)) props.push(`node ${r.int(1100)}`);
    out.push(`device ${nm} { ${props.join('; ')} }`);
    for (let q = 0, n = r.grow(r.chance(0.05) ? 5000 : 3); q < n; q++) {
      const p: string[] = [];
      if (r.chance(0.2)) p.push(`affinity ${cpuList(r, cpuMax)}`);
      if (r.chance(0.2)) p.push(r.pick(['managed', 'spread', 'inactive', 'masked']));
      if (r.chance(0.1)) p.push(`cpu ${r.int(cpuMax + 2)}`);
      if (r.chance(0.1)) p.push(`vector 0x${r.int(300).toString(16)}`);
      if (r.chance(0.05)) p.push(`irte ${r.grow(1 << 17)}`);
      if (r.chance(0.05)) p.push(`lpi ${r.grow(1 << 20)}`);
      out.push(`irq ${nm}.q${q}${range(r)} : ${r.pick(SOURCES)}${p.length ? ` { ${p.join('; ')} }` : ''}`);
      if (r.chance(0.05))
        out.push(
          `expect ${nm}.q${q}[0] ${r.pick(['cpu 0', 'vector 0x24', `path C0 > ${root}`, 'message 0xfee00000 0x24', 'lpi 8192', 'irte 3'])}`,
        );
      if (r.chance(0.02)) out.push(`inject 0xfee0${r.int(10)}000 0x${r.int(256).toString(16)} from ${nm}`);
    }
    if (r.chance(0.03))
      for (let k = 0, n = r.grow(20000); k < n; k++) out.push(`release ${nm}`, `irq ${nm}.x : msix`);
  }
  if (r.chance(0.15))
    for (let k = 0, n = r.grow(20000); k < n; k++) out.push(`offline ${cpuList(r, cpuMax)}`);
  // nesting and stray structure
  if (r.chance(0.05)) out.splice(r.int(out.length), 0, `device z ${'{'.repeat(r.grow(200000))}`);
  if (r.chance(0.05)) out.splice(r.int(out.length), 0, '}'.repeat(r.grow(100000)));
  if (r.chance(0.05)) out.splice(r.int(out.length), 0, `${'x'.repeat(r.grow(1 << 20))}`);
  // duplicated statements, a budget of bytes
  if (r.chance(0.1)) {
    const line = r.pick(out);
    const n = r.grow(300000);
    for (let k = 0; k < n; k++) out.push(line);
  }
  let text = out.join(r.chance(0.9) ? '\n' : r.pick(['\r\n', '\r', ';']));
  if (text.length > maxBytes) text = text.slice(0, maxBytes);
  return text + '\n';
}

/** Token soup: any order of the vocabulary and junk. */
export function soup(r: Rng): string {
  const n = r.grow(5000);
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(r.chance(0.05) ? String.fromCharCode(r.int(0x3000)) : r.pick(TOKENS));
  return out.join(r.chance(0.5) ? ' ' : '');
}

const SNIPPETS = [
  '',
  '{',
  '}',
  '"',
  ':',
  '\n',
  '[',
  ' x ',
  '0-',
  ';',
  '\r',
  '#',
  'domain ',
  'irq d.q[0..65535] : virtual\n',
  'include "a.irqtopo"\n',
  'offline 0-4095\n',
  'release d\n',
  'expect d.q[0] cpu 1\n',
];

/** An example or fixture, edited: spans deleted, snippets inserted, lines duplicated many times, cut short. */
export function mutated(r: Rng, bases: readonly string[]): string {
  let t = r.pick(bases);
  for (let e = 0, n = r.grow(12); e < n; e++) {
    const p = t.length ? r.int(t.length) : 0;
    const k = r.int(10);
    if (k < 4) t = t.slice(0, p) + r.pick(SNIPPETS) + t.slice(p + r.int(20));
    else if (k < 6) {
      // a line repeated, up to a few hundred thousand times
      const s = t.lastIndexOf('\n', p) + 1;
      const line = t.slice(s, t.indexOf('\n', p) < 0 ? t.length : t.indexOf('\n', p) + 1);
      t =
        t.slice(0, s) +
        line.repeat(Math.min(r.grow(200000), Math.floor(2_000_000 / (line.length + 1)))) +
        t.slice(s);
    } else if (k < 7) t = t.slice(0, p);
    else if (k < 8) t = t.slice(0, p) + r.pick(bases) + t.slice(p);
    else if (k < 9) {
      const a = r.int(t.length + 1);
      const b = Math.min(t.length, a + r.grow(400));
      t = t.slice(0, p) + t.slice(a, b) + t.slice(p);
    } else t = t.slice(0, p) + String.fromCharCode(r.int(0x10000)) + t.slice(p + 1);
  }
  return t.slice(0, 4_000_000);
}

/** One topology input: which strategy, and the text. */
export function topologyInput(r: Rng, bases: readonly string[]): { kind: string; text: string } {
  const k = r.int(10);
  if (k < 2) return { kind: 'soup', text: soup(r) };
  if (k < 5) return { kind: 'mutated', text: mutated(r, bases) };
  return { kind: 'grown', text: grownTopology(r) };
}

/** Lines of dumps gone wrong: half a debugfs record, absurd numbers, prompts, log lines. */
export const DUMP_JUNK = [
  'handler:  handle_edge_irq',
  'domain:  ',
  ' hwirq:   0xzz',
  '     Vector:    -4',
  'name:   "quoted\\"',
  'System: 40: 0-19,',
  '| CPU | avl | man | mac | act | vectors',
  '    0   197     2     1    3  33-34,38',
  '           CPU0       CPU1',
  ' 36:          0      66345 PCI-MSIX-0000:00:02.0   1-edge      a"b\\c # d',
  ' 37:  1 2 IR-PCI-MSI 99999999999999999999-edge x',
  ' 38:  1 2 ITS-MSI 76021761 Edge',
  'LOC:  1',
  '0:domain:  IO-APIC-2',
  'IR-PCI-MSI-0000:00:01.0-11:name:   X',
  'root@h:~# cat /sys/kernel/debug/irq/irqs/12',
  '[   1.0] dmesg',
  '...',
  'Target: 400000000',
  'effectiv: -1',
  'affinity: 0-8191,0-8191',
  '==> /proc/interrupts <==',
];

/** Kernel dumps, mutated and grown: lines repeated, CPU columns widened, numbers made absurd, long lines. */
export function dumpInput(
  r: Rng,
  dumps: readonly { name: string; text: string }[],
): { name: string; text: string }[] {
  const n = r.chance(0.8) ? 1 : r.grow(4);
  const out: { name: string; text: string }[] = [];
  for (let i = 0; i < n; i++) {
    const base = r.pick(dumps);
    let lines = base.text.split('\n');
    if (lines.length > 3000 && r.chance(0.7))
      lines = lines.slice(r.int(lines.length - 1000)).slice(0, r.grow(3000));
    for (let e = 0, m = r.grow(16); e < m && lines.length; e++) {
      const at = r.int(lines.length);
      const k = r.int(10);
      if (k < 2) lines.splice(at, 1);
      else if (k < 4) lines[at] = r.pick(DUMP_JUNK);
      else if (k < 5) {
        // a row repeated many times
        const copies = Math.min(r.grow(100000), Math.floor(2_000_000 / (lines[at].length + 1)));
        lines.splice(at, 0, ...new Array<string>(copies).fill(lines[at]));
      } else if (k < 6) {
        // a CPU header (and rows) widened to thousands of columns
        const w = r.grow(20000);
        lines.splice(
          at,
          0,
          Array.from({ length: w }, (_, c) => `CPU${c}`).join(' '),
          ` 40: ${'7 '.repeat(w)}PCI-MSI 1-edge x`,
        );
      } else if (k < 7)
        lines[at] = lines[at].replace(/\d+/g, () =>
          r.pick(['-1', '400000000', '99999999999999999999', '0x', '1e22', String(r.grow(2 ** 40))]),
        );
      else if (k < 8)
        lines[at] = lines[at] + r.pick([' ', ':', ' <- ', '0', '\t', '-']).repeat(r.grow(200000));
      else if (k < 9) lines.splice(at, 0, ...lines.slice(r.int(lines.length), r.int(lines.length)));
      else lines[at] = lines[at].slice(0, r.int(lines[at].length + 1));
    }
    out.push({
      name: r.chance(0.9) ? base.name : `dump${i}`,
      text: lines.join(r.chance(0.9) ? '\n' : '\r\n').slice(0, 4_000_000),
    });
  }
  return out;
}

/** Text to insert in an open document: a snippet, a grown fragment, or junk. */
export function editText(r: Rng): string {
  const k = r.int(10);
  if (k < 5) return r.pick(SNIPPETS);
  if (k < 7) return r.pick(TOKENS) + ' ';
  if (k < 8) return grownTopology(r, r.grow(200_000)).split('\n').slice(r.int(5)).join('\n');
  if (k < 9) return String.fromCharCode(r.int(0x10000));
  return `${r.pick(['domain', 'irq', 'device', 'cpus', 'offline'])} ${'x'.repeat(r.grow(5000))}\n`;
}
