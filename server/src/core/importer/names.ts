// Kernel names -> topology names: debugfs domain names (with their bus-token suffix), the kinds
// they stand for, and the device / interrupt names made from action names.

import type { DomainKind } from '../kinds';
import { parseBdf, type Bdf, formatBdf } from './util';

const BDF_TEXT = '[0-9a-fA-F]{4}:[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\\.[0-7]';
const PER_DEVICE_RE = new RegExp(`^(vIR-|IR-|ITS-)?(PCI-MSIX|PCI-MSI)-(${BDF_TEXT})$`);

/**
 * The domain name without the `-<bus token>` suffix that irq_domain_update_bus_token() appends
 * (kernel/irq/irqdomain.c): `INTEL-IR-0-13` -> `INTEL-IR-0`, `IR-PCI-MSIX-0000:02:00.0-12` ->
 * `IR-PCI-MSIX-0000:02:00.0`, `PCI-MSI-3` -> `PCI-MSI`. Other names are kept (`IO-APIC-2` is IO-APIC id 2).
 */
export function canonicalDomain(name: string): string {
  const n = name.trim();
  let m = /^((?:INTEL|AMD)-IR-\d+)-1[34]$/.exec(n);
  if (m) return m[1];
  m = /^((?:INTEL|AMD)-IR-MSI-\d+)-3$/.exec(n);
  if (m) return m[1];
  m = new RegExp(`^((?:vIR-|IR-|ITS-)?PCI-MSIX?-${BDF_TEXT})-1[12]$`).exec(n);
  if (m) return m[1];
  if (n === 'PCI-MSI-3') return 'PCI-MSI';
  // firmware-node names of arm64/riscv domains: `:soc@0:interrupt-controller@0e001000-1`
  // (found with lastIndexOf, not a backtracking regex: a hostile 100k-character name stays linear).
  // The token tells which domain of the node it is (enum irq_domain_bus_token,
  // include/linux/irqdomain_defs.h): WIRED (1, the GIC) and NEXUS (5, the ITS) are the controller
  // itself and lose the suffix; PCI_MSI (3) and PLATFORM_MSI (4) are the global MSI domains the ITS
  // driver built on the same node before 6.11 (its_pci_msi_init, its_pmsi_init) and keep it, so an
  // ITS and its PCI/MSI domain never collapse into one self-parented domain.
  const t = fwnodeToken(n);
  if (t && (t.token === 1 || t.token === 5)) return t.base;
  return n;
}

/** `:soc@0:...:its@0e050000-3` -> the node name and the bus token, for firmware-node names. */
export function fwnodeToken(name: string): { base: string; token: number } | undefined {
  const dash = name.lastIndexOf('-');
  if (dash <= 0 || name.length > 300) return undefined;
  const suffix = name.slice(dash + 1);
  const base = name.slice(0, dash);
  if (!/^\d{1,2}$/.test(suffix) || !/[@:\\]/.test(base) || PER_DEVICE_RE.test(name)) return undefined;
  return { base, token: Number(suffix) };
}

/** An ITS node name (`...:its@0e050000`, `msi-controller@...`, ACPI `irqchip@0x...`). */
const ITS_NODE_RE = /(?:^|[:/])(?:its|gic-its|msi-controller|irqchip)@(?:0x)?([0-9a-fA-F]{1,16})$/;

/** The physical base of an ITS from its firmware-node name, when the name carries it. */
export function itsBase(name: string): number | undefined {
  const m = ITS_NODE_RE.exec(name.length > 300 ? '' : name);
  if (!m) return undefined;
  const v = parseInt(m[1], 16);
  return Number.isSafeInteger(v) && v > 0 ? v : undefined;
}

export interface DomainClass {
  kind: DomainKind;
  vendor?: 'intel' | 'amd';
  id?: number;
  /** per-device PCI/MSI(-X) domain */
  perDevice?: { prefix: string; msix: boolean; bdf: Bdf };
  /** a global PCI/MSI domain (x86 <= 6.1, arm64 <= 6.10) */
  global?: boolean;
}

/** What a (canonical) domain or chip name stands for; undefined when the importer does not know it. */
export function classifyDomain(name: string, chip?: string): DomainClass | undefined {
  const pd = PER_DEVICE_RE.exec(name);
  if (pd) {
    const bdf = parseBdf(pd[3]);
    if (bdf) return { kind: 'pci-msi', perDevice: { prefix: pd[1] ?? '', msix: pd[2] === 'PCI-MSIX', bdf } };
  }
  if (name === 'VECTOR') return { kind: 'vector' };
  let m = /^(INTEL|AMD)-IR-(\d+)$/.exec(name);
  if (m) return { kind: 'remap', vendor: m[1] === 'INTEL' ? 'intel' : 'amd', id: Number(m[2]) };
  if (name === 'IR-0' || /^IR-\d+$/.test(name)) return { kind: 'remap' };
  m = /^(INTEL|AMD)-IR-MSI-(\d+)$/.exec(name);
  if (m)
    return { kind: 'pci-msi', global: true, vendor: m[1] === 'INTEL' ? 'intel' : 'amd', id: Number(m[2]) };
  if (name === 'PCI-MSI' || name === 'IR-PCI-MSI' || name === 'ITS-MSI')
    return { kind: 'pci-msi', global: true };
  m = /^IO-APIC(?:-(\d+))?$/.exec(name);
  if (m) return { kind: 'ioapic', id: m[1] === undefined ? undefined : Number(m[1]) };
  if (name === 'DMAR-MSI' || name === 'IOMMU-MSI') return { kind: 'dmar-msi' };
  m = /^HPET-MSI(?:-(\d+))?$/.exec(name);
  if (m) return { kind: 'hpet', id: m[1] === undefined ? undefined : Number(m[1]) };
  if (/^APLIC-MSI-/.test(name)) return { kind: 'aplic' };
  if (name === 'IMSIC') return { kind: 'imsic' };
  if (name === 'ITS' || chip === 'ITS') return { kind: 'its' };
  if (/^ITS-pMSI/.test(name) || chip === 'ITS-pMSI')
    return { kind: 'platform-msi', global: name === 'ITS-pMSI' || fwnodeToken(name)?.token === 4 };
  if (chip === 'ITS-MSI') return { kind: 'pci-msi', global: true };
  const ft = fwnodeToken(name);
  if (ft && ITS_NODE_RE.test(ft.base) && chip === undefined) {
    if (ft.token === 3) return { kind: 'pci-msi', global: true };
    if (ft.token === 4) return { kind: 'platform-msi', global: true };
  }
  if (chip === undefined && ITS_NODE_RE.test(name) && !/irqchip@/.test(name)) return { kind: 'its' };
  if (/^GIC/.test(name) || (chip !== undefined && /^GIC/.test(chip))) return { kind: 'gic' };
  return undefined;
}

/** The per-device domain name the language implies (docs/language.md; the lead's decisions). */
export function impliedDomainName(prefix: string, msix: boolean, bdf: Bdf): string {
  return `${prefix}${msix ? 'PCI-MSIX' : 'PCI-MSI'}-${formatBdf(bdf)}`;
}

// ---- device and interrupt names -----------------------------------------------------------------

/** Removes a PCI address written into an action name (`vfio-msix[0](0000:03:00.0)`, `ahci[0000:00:17.0]`). */
export function withoutBdf(action: string, bdf: Bdf | undefined): string {
  if (!bdf) return action;
  const full = formatBdf(bdf);
  const short = full.slice(5);
  let s = action;
  for (const b of [full, short]) {
    s = s.split(`(${b})`).join('').split(`[${b}]`).join('').split(b).join('');
  }
  return s.trim();
}

const isAlnum = (c: string | undefined): boolean => c !== undefined && /[A-Za-z0-9]/.test(c);

/** Replaces what a bare name cannot hold; never starts with a digit. */
export function sanitize(s: string): string {
  let r = s
    .replace(/[^A-Za-z0-9_+-]/g, '_')
    .replace(/_+/g, '_')
    .replace(/^[_-]+|[_-]+$/g, '');
  if (r !== '' && !/^[A-Za-z_]/.test(r)) r = `_${r}`;
  return r;
}

function longestCommonPrefix(a: readonly string[]): string {
  let p = a[0] ?? '';
  for (const s of a) {
    let i = 0;
    while (i < p.length && i < s.length && p[i] === s[i]) i++;
    p = p.slice(0, i);
  }
  return p;
}

/** The part of one action name that names its device: `snd_hda_intel:card0` -> `snd_hda_intel`. */
function singleStem(a: string): string {
  const cut = a.search(/[[(:,@. ]/);
  return (cut > 0 ? a.slice(0, cut) : a).replace(/[^A-Za-z0-9]+$/, '');
}

/**
 * A device name made from its interrupts' action names: the common prefix, ended at a word
 * boundary (`nvme2q0..nvme2q16` -> `nvme2`, `virtio1-config, virtio1-req.0` -> `virtio1`,
 * `iwlwifi:queue_1` -> `iwlwifi`); one action: up to its first `[(:,@.`. Undefined when there are none.
 */
export function deviceStem(actions: readonly string[]): string | undefined {
  const as = [...new Set(actions.map((a) => a.trim()).filter((a) => a !== ''))];
  if (as.length === 0) return undefined;
  let stem: string;
  if (as.length === 1) stem = singleStem(as[0]);
  else {
    let p = longestCommonPrefix(as);
    const cut = p.search(/[[(:,@ ]/);
    if (cut >= 0) p = p.slice(0, cut);
    const atBoundary = as.every(
      (a) => a.length === p.length || !isAlnum(a[p.length]) || !isAlnum(p[p.length - 1]),
    );
    if (!atBoundary) {
      const lastSep = Math.max(...[...'-_.'].map((c) => p.lastIndexOf(c)));
      if (lastSep > 0) p = p.slice(0, lastSep);
      else {
        const m = /^(.*\d)[A-Za-z]+$/.exec(p);
        p = m ? m[1] : '';
      }
    }
    p = p.replace(/[^A-Za-z0-9]+$/, '');
    stem = p.length >= 2 ? p : singleStem(as[0]);
  }
  const s = sanitize(stem);
  return s === '' ? undefined : s;
}

/** An interrupt's name: its action without the device's stem (`nvme2q1` on nvme2 -> `q1`). */
export function irqNameFromAction(action: string, stem: string | undefined, bdf: Bdf | undefined): string {
  const full = withoutBdf(action, bdf);
  let r = full;
  if (stem && full.startsWith(stem) && full.length > stem.length) {
    r = full.slice(stem.length).replace(/^[^A-Za-z0-9]+/, '');
  }
  if (r === '' || /^[0-9]/.test(r)) r = full;
  return sanitize(r);
}
