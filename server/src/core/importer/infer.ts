// Inference of the architecture and the kernel era from naming and format fingerprints
// (../shared/fixtures/kernel-dumps/INDEX.md, kernel-rules.md sections b and g).

import type { Arch } from '../kinds';
import type { ParsedInput, Src } from './types';
import { canonicalDomain } from './names';

export interface Version {
  major: number;
  minor: number;
}

export interface EraEvidence {
  /** the kernel is at least this version */
  atLeast?: Version;
  /** the kernel is below this version */
  below?: Version;
  why: string;
  src?: Src;
}

export interface Era {
  atLeast?: Version;
  below?: Version;
  evidence: EraEvidence[];
  /** evidence that contradicts the rest */
  conflict?: string;
}

const v = (major: number, minor: number): Version => ({ major, minor });
export const cmp = (a: Version, b: Version): number => a.major - b.major || a.minor - b.minor;
export const fmt = (a: Version): string => `${a.major}.${a.minor}`;

const PER_DEVICE_X86 = /^(?:IR-|vIR-)?PCI-MSIX?-[0-9a-f]{4}:/;

function srcText(s: Src | undefined): string {
  return s ? ` (${s.file}:${s.line})` : '';
}

/** Collects era fingerprints from every input; the first instance of each kind of evidence is kept. */
export function inferEra(inputs: readonly ParsedInput[], arch: Arch | undefined): Era {
  const ev: EraEvidence[] = [];
  const seen = new Set<string>();
  const add = (key: string, e: EraEvidence): void => {
    if (seen.has(key)) return;
    seen.add(key);
    ev.push(e);
  };
  for (const input of inputs) {
    for (const t of input.procTables) {
      for (const r of t.rows) {
        const chip = r.chip ?? '';
        if (arch === 'x86' || arch === undefined) {
          if (PER_DEVICE_X86.test(chip) && r.hwirq !== undefined) {
            if (chip.startsWith('vIR-'))
              add('vIR', {
                atLeast: v(6, 2),
                below: v(6, 10),
                why: `the vIR- per-device prefix (${chip}) exists in 6.2-6.9 only`,
                src: r.src,
              });
            else
              add('perdev', {
                atLeast: v(6, 2),
                why: `per-device MSI domain name ${chip} (x86 >= 6.2)`,
                src: r.src,
              });
          }
          if ((chip === 'PCI-MSI' || chip === 'IR-PCI-MSI') && r.hwirq !== undefined && !r.legacyForm)
            add('global', {
              atLeast: v(4, 3),
              below: v(6, 2),
              why: `global ${chip} domain with a hwirq column (x86 about 4.3 to 6.1; the 4.3 boundary is not confirmed)`,
              src: r.src,
            });
          if (r.legacyForm && /(?:PCI-MSI|IO-APIC)$/.test(chip))
            add('legacy', {
              below: v(4, 3),
              why: `chip and flow printed together (${chip}-${r.flow}), no hwirq column (x86 before about 4.3)`,
              src: r.src,
            });
          if (chip === 'INTEL-IR-POST')
            add('post', { atLeast: v(6, 10), why: 'posted MSI chip INTEL-IR-POST (6.10+)', src: r.src });
        }
        if (arch === 'arm64' || arch === undefined) {
          if (/^ITS-PCI-MSIX?-/.test(chip))
            add('its-perdev', {
              atLeast: v(6, 11),
              why: `per-device ITS domain name ${chip} (arm64 >= 6.11)`,
              src: r.src,
            });
          if (chip === 'ITS-MSI' || chip === 'ITS-pMSI')
            add('its-global', {
              below: v(6, 11),
              why: `global ${chip} domain (arm64 before 6.11)`,
              src: r.src,
            });
        }
        if (arch === 'riscv' && /^APLIC-MSI-/.test(chip))
          add('aplic', {
            atLeast: v(6, 10),
            why: `APLIC in MSI mode (${chip}): RISC-V AIA, merged in 6.10`,
            src: r.src,
          });
      }
      for (const r of t.perCpu)
        if (r.key === 'PMN')
          add('pmn', { atLeast: v(6, 10), why: 'the PMN row (posted MSI notification, 6.10+)', src: r.src });
    }
    for (const d of input.domains) {
      for (const lv of d.chain) {
        if (lv.name === 'VECTOR' && lv.flags !== undefined) {
          if (lv.flags & 0x100)
            add('vflags', {
              atLeast: v(6, 2),
              why: `VECTOR flags 0x${lv.flags.toString(16)} include MSI_PARENT (6.2+)`,
              src: lv.src,
            });
          else
            add('vflags', {
              below: v(6, 2),
              why: `VECTOR flags 0x${lv.flags.toString(16)} lack MSI_PARENT (before 6.2)`,
              src: lv.src,
            });
        }
      }
    }
    const names: { name: string; src: Src }[] = [
      ...input.domains.flatMap((d) => d.chain.map((c) => ({ name: c.name, src: c.src }))),
      ...input.irqs.flatMap((i) => i.levels.map((l) => ({ name: l.domain, src: l.src }))),
      ...input.ls.map((e) => ({ name: e.name, src: e.src })),
    ];
    for (const { name, src } of names) {
      if (/^(?:IR-|vIR-)?PCI-MSIX?-[0-9a-f]{4}:.*-1[12]$/.test(name) && arch !== 'arm64')
        add('dbg-perdev', { atLeast: v(6, 2), why: `per-device domain ${name} (x86 >= 6.2)`, src });
      if (/^ITS-PCI-MSIX?-/.test(name))
        add('dbg-its-perdev', { atLeast: v(6, 11), why: `per-device domain ${name} (arm64 >= 6.11)`, src });
      if (name === 'PCI-MSI-3' || /^(?:INTEL|AMD)-IR-MSI-\d+-3$/.test(name))
        add('dbg-global', { below: v(6, 2), why: `global PCI/MSI domain ${name} (x86 before 6.2)`, src });
    }
    for (const m of input.matrices) {
      if (!m.system || !(arch === 'x86' || arch === undefined)) continue;
      if (m.system.includes(32))
        add('v32', {
          below: v(6, 6),
          why: 'vector 32 is a system vector (IRQ_MOVE_CLEANUP_VECTOR, before 6.6)',
          src: m.systemSrc,
        });
      else
        add('v32', {
          atLeast: v(6, 6),
          why: 'vector 32 is not a system vector (IRQ_MOVE_CLEANUP_VECTOR was removed in 6.6; an SMP kernel)',
          src: m.systemSrc,
        });
      const w = vectorWindow(m);
      if (w?.era) add('window', { ...w.era, src: w.src });
    }
    for (const i of input.irqs) {
      for (const l of i.levels) {
        if (l.vector === 32 && l.domain === 'VECTOR')
          add('v32i', { atLeast: v(6, 6), why: 'an interrupt holds vector 32 (6.6+)', src: l.vectorSrc });
        if (l.addressLo !== undefined || l.msgData !== undefined)
          add('msg', { atLeast: v(6, 15), why: 'address/msg_data lines in irqs/ (6.15+)', src: l.src });
        if (l.chip === 'INTEL-IR-POST')
          add('post', { atLeast: v(6, 10), why: 'posted MSI chip INTEL-IR-POST (6.10+)', src: l.src });
        if ((l.chip === 'ITS-MSI' || l.chip === 'ITS-pMSI') && (arch === 'arm64' || arch === undefined))
          add('its-global', {
            below: v(6, 11),
            why: `global ${l.chip} domain (arm64 before 6.11)`,
            src: l.src,
          });
      }
    }
  }
  let atLeast: Version | undefined;
  let below: Version | undefined;
  for (const e of ev) {
    if (e.atLeast && (!atLeast || cmp(e.atLeast, atLeast) > 0)) atLeast = e.atLeast;
    if (e.below && (!below || cmp(e.below, below) < 0)) below = e.below;
  }
  const era: Era = { atLeast, below, evidence: ev };
  if (atLeast && below && cmp(atLeast, below) >= 0) {
    const hi = ev.find((e) => e.atLeast && cmp(e.atLeast, atLeast) === 0);
    const lo = ev.find((e) => e.below && cmp(e.below, below) === 0);
    era.conflict = `the era fingerprints disagree: ${hi?.why}${srcText(hi?.src)} but ${lo?.why}${srcText(lo?.src)}`;
  }
  return era;
}

/** A version inside the era to write: its lower bound, else the last minor before its upper bound. */
export function representative(era: Era): Version | undefined {
  if (era.conflict) return undefined;
  if (era.atLeast) return era.atLeast;
  if (era.below) {
    const b = era.below;
    if (b.minor > 0) return v(b.major, b.minor - 1);
    return undefined;
  }
  return undefined;
}

export function describeEra(era: Era): string {
  if (era.atLeast && era.below) return `${fmt(era.atLeast)} <= kernel < ${fmt(era.below)}`;
  if (era.atLeast) return `kernel >= ${fmt(era.atLeast)}`;
  if (era.below) return `kernel < ${fmt(era.below)}`;
  return 'unknown';
}

/**
 * The per-CPU capacity of the VECTOR matrix, read from its rows (avl + man + act - mac: managed
 * reservations and non-managed allocations are taken from the capacity, managed allocations use a
 * reserved bit; kernel/irq/matrix.c), and what it says about FIRST_SYSTEM_VECTOR, the end of the
 * allocation window irq_alloc_matrix(NR_VECTORS, FIRST_EXTERNAL_VECTOR, FIRST_SYSTEM_VECTOR) of
 * arch/x86/kernel/apic/vector.c: capacity = FIRST_SYSTEM_VECTOR - 0x20 - (system vectors inside).
 * FIRST_SYSTEM_VECTOR is LOCAL_TIMER_VECTOR 0xec up to 6.9 and POSTED_MSI_NOTIFICATION_VECTOR 0xeb from
 * 6.10 (arch/x86/include/asm/irq_vectors.h, "x86/irq: Reserve a per CPU IDT vector for posted MSIs").
 * The system vectors inside the window are read from the `System:` line: 0x20 (IRQ_MOVE_CLEANUP_VECTOR,
 * before 6.6), 0x32 (the PIC cascade, when there are legacy IRQs), 0x80 (IA32_SYSCALL_VECTOR, only with
 * IA32 emulation: CONFIG_IA32_EMULATION, and from 6.7 not when ia32_emulation=0 disables it).
 */
export interface VectorWindow {
  capacity: number;
  /** the FIRST_SYSTEM_VECTOR values this capacity allows, as the interval [lo, hi] */
  lo?: number;
  hi?: number;
  era?: Omit<EraEvidence, 'src'>;
  /** set when the rows disagree or the capacity fits no kernel's window */
  note?: string;
  ia32Off: boolean;
  src?: Src;
}

export function vectorWindow(m: {
  system?: number[];
  rows: { avl: number; man: number; mac?: number; act: number; src: Src }[];
  systemSrc?: Src;
}): VectorWindow | undefined {
  if (!m.system || m.rows.length === 0 || m.rows.some((r) => r.mac === undefined)) return undefined;
  const caps = new Map<number, number>();
  for (const r of m.rows) {
    const c = r.avl + r.man + r.act - r.mac!;
    caps.set(c, (caps.get(c) ?? 0) + 1);
  }
  const [capacity] = [...caps.entries()].sort((a, b) => b[1] - a[1])[0];
  const sys = new Set(m.system);
  const ia32Off = !sys.has(0x80);
  const src = m.rows[0].src;
  if (caps.size > 1)
    return {
      capacity,
      ia32Off,
      src,
      note: `the matrix rows give different capacities (${[...caps.keys()].join(', ')})`,
    };
  let lo: number | undefined;
  let hi: number | undefined;
  let inside = 0;
  for (let f = 0x20; f <= 256; f++) {
    if (f > 0x20 && sys.has(f - 1)) inside++;
    if (f - 0x20 - inside === capacity) {
      lo ??= f;
      hi = f;
    }
  }
  const w: VectorWindow = { capacity, lo, hi, ia32Off, src };
  const hex = (n: number): string => `0x${n.toString(16)}`;
  const fits = (f: number): boolean => lo !== undefined && f >= lo && f <= hi!;
  const why = `the VECTOR matrix's per-CPU capacity ${capacity} (avl + man + act - mac) with the System: line gives FIRST_SYSTEM_VECTOR ${lo === hi ? hex(lo ?? 0) : `${hex(lo ?? 0)}-${hex(hi ?? 0)}`}`;
  if (fits(0xeb) && !fits(0xec))
    w.era = { atLeast: v(6, 10), why: `${why}: 0xeb, POSTED_MSI_NOTIFICATION_VECTOR (6.10+)` };
  else if (fits(0xec) && !fits(0xeb))
    w.era = { below: v(6, 10), why: `${why}: 0xec, LOCAL_TIMER_VECTOR (before 6.10)` };
  else if (sys.has(0xeb))
    w.era = {
      atLeast: v(6, 10),
      why: 'vector 0xeb (POSTED_MSI_NOTIFICATION_VECTOR) is a system vector (6.10+)',
    };
  else if (lo === undefined || (!fits(0xeb) && !fits(0xec)))
    w.note = `the VECTOR matrix's per-CPU capacity ${capacity} fits neither FIRST_SYSTEM_VECTOR 0xeb (6.10+) nor 0xec (before 6.10) with this System: line`;
  return w;
}

export interface ArchEvidence {
  arch: Arch;
  why: string;
  src: Src;
}

const X86_CHIPS =
  /^(?:IR-)?(?:IO-APIC|PCI-MSIX?|HPET-MSI)|^(?:vIR-|IR-)?PCI-MSIX?-|^DMAR[-_]MSI|^XT-PIC|^IOMMU-MSI|^INTEL-IR|^AMD-IR|^HPET/;
const ARM_CHIPS = /^(?:GIC|ITS)/;
const RISCV_CHIPS = /^(?:RISC-V|APLIC|IMSIC|SiFive)/;
const X86_ROWS = new Set([
  'LOC',
  'TLB',
  'CAL',
  'RES',
  'SPU',
  'PMI',
  'IWI',
  'RTR',
  'TRM',
  'THR',
  'DFR',
  'MCE',
  'MCP',
  'HYP',
  'PIN',
  'NPI',
  'PIW',
  'PMN',
  'MIS',
  'ERR',
  'HRE',
  'VMB',
]);

/** Architecture fingerprints: chip names, per-CPU row keys, domain names. */
export function inferArch(inputs: readonly ParsedInput[]): ArchEvidence[] {
  const out: ArchEvidence[] = [];
  const seen = new Set<string>();
  const add = (arch: Arch, key: string, why: string, src: Src): void => {
    if (seen.has(key)) return;
    seen.add(key);
    out.push({ arch, why, src });
  };
  for (const input of inputs) {
    for (const t of input.procTables) {
      for (const r of t.rows) {
        const chip = r.chip ?? '';
        if (ARM_CHIPS.test(chip)) add('arm64', `arm:${chip.replace(/-.*/, '')}`, `chip ${chip}`, r.src);
        else if (RISCV_CHIPS.test(chip)) add('riscv', `rv:${chip.replace(/-.*/, '')}`, `chip ${chip}`, r.src);
        else if (X86_CHIPS.test(chip) && r.trigger === undefined)
          add('x86', `x86:${chip.replace(/-[0-9a-f]{4}:.*/, '')}`, `chip ${chip}`, r.src);
      }
      for (const r of t.perCpu) {
        if (X86_ROWS.has(r.key)) add('x86', 'x86rows', `per-CPU row ${r.key}`, r.src);
        if (/^IPI\d+$/.test(r.key) && !RISCV_CHIPS.test(t.rows.map((x) => x.chip ?? '').join(' ')))
          add('arm64', 'armrows', `per-CPU row ${r.key}`, r.src);
      }
    }
    const names: { name: string; src: Src; chip?: string }[] = [
      ...input.domains.flatMap((d) => d.chain.map((c) => ({ name: c.name, src: c.src }))),
      ...input.irqs.flatMap((i) => i.levels.map((l) => ({ name: l.domain, src: l.src, chip: l.chip }))),
      ...input.ls.map((e) => ({ name: e.name, src: e.src })),
    ];
    for (const n of names) {
      const c = canonicalDomain(n.name);
      const chip = n.chip;
      if (c === 'VECTOR' || /^(?:INTEL|AMD)-IR|^IO-APIC|^DMAR-MSI/.test(c) || chip === 'APIC')
        add('x86', `dx86:${c.replace(/-\d+$/, '')}`, `domain ${n.name}`, n.src);
      else if (chip && ARM_CHIPS.test(chip)) add('arm64', `darm:${chip}`, `chip ${chip}`, n.src);
      else if (chip && RISCV_CHIPS.test(chip)) add('riscv', `drv:${chip}`, `chip ${chip}`, n.src);
    }
    if (input.matrices.length > 0) add('x86', 'matrix', 'the VECTOR matrix', input.matrices[0].src);
  }
  return out;
}
