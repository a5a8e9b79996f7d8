// Facts -> a topology: merges what every input says about each Linux irq (its /proc/interrupts row,
// its debugfs irqs/<n> chain) and about each domain (debugfs domains/<name>, `ls`), decides the
// domains, devices and interrupts to declare, and records what was inferred rather than read.

import type { Arch, DomainKind } from '../kinds';
import {
  canonicalDomain,
  classifyDomain,
  deviceStem,
  impliedDomainName,
  irqNameFromAction,
  withoutBdf,
  type DomainClass,
} from './names';
import { cmp, describeEra, fmt, inferArch, inferEra, representative, type Era, type Version } from './infer';
import type { DebugIrq, ImportProblem, Matrix, ParsedInput, ProcRow, Src } from './types';
import { decodeGlobalMsiHwirq, formatBdf, formatList, parseBdf, type Bdf } from './util';

export interface ImportOptions {
  /** the running kernel's release (`6.18.44-fc`), when known for sure (e.g. read from /proc/sys/kernel/osrelease) */
  kernel?: string;
  /** the architecture, when known for sure */
  arch?: Arch;
}

export interface ImportedDomain {
  name: string;
  kind: DomainKind;
  parent?: string;
  /** rendered properties other than `parent`, e.g. `vendor intel`, `in-use 0 : 33-34` */
  props: string[];
  /** the name(s) the kernel printed for it (debugfs, with the bus-token suffix) */
  kernelNames: string[];
  comments: string[];
}

export interface ImportedDevice {
  name: string;
  pci?: string;
  msix?: number;
  msi?: number;
  msiDomain?: string;
  ioapic?: string;
  platform: boolean;
  assign?: string;
  comments: string[];
}

export interface ImportedIrq {
  /** the Linux irq number, when the dump gives it */
  linuxIrq?: number;
  device: string;
  name: string;
  index?: number;
  source: 'msix' | 'msi' | 'pin';
  sourceArg?: number;
  cpu?: number;
  vector?: number;
  lpi?: number;
  managed: boolean;
  masked: boolean;
  affinity?: number[];
  counts?: number[];
  /** the domain chain the debugfs irqs/<n> dump shows, names without bus-token suffix */
  observedChain?: string[];
  /** the endpoint domain (canonical name), implied ones included */
  endpoint: string;
  actions: string[];
  comments: string[];
}

export interface ImportedTopology {
  arch: Arch;
  kernel?: Version;
  kernelComment?: string;
  cpus: number[];
  cpusComment: string;
  domains: ImportedDomain[];
  devices: ImportedDevice[];
  irqs: ImportedIrq[];
  /** comment lines for interrupts the language has no statement for, per-CPU rows, seen-only names */
  notModelled: string[];
  perCpu: string[];
  inferred: string[];
  sources: string[];
}

const at = (s: Src | undefined): string => (s ? `${s.file}:${s.line}` : '?');

/** One Linux interrupt with everything the inputs say about it. */
interface Intr {
  irq?: number;
  proc?: ProcRow;
  dbg?: DebugIrq;
  endpoint?: string;
  cls?: DomainClass;
  chain?: string[];
  bdf?: Bdf;
  index?: number;
  hwirq?: number;
  source?: 'msix' | 'msi' | 'pin';
  msixKnown?: boolean;
  actions: string[];
  why?: string;
  pinAssumed?: boolean;
  deviceKey?: string;
}

export function buildTopology(
  inputs: readonly ParsedInput[],
  options: ImportOptions,
  problems: ImportProblem[],
): ImportedTopology {
  const b = new Builder(inputs, options, problems);
  return b.build();
}

function nextPow2(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

class Builder {
  private readonly inferred: string[] = [];
  private readonly notModelled: string[] = [];
  private arch: Arch = 'x86';
  private kernel: Version | undefined;
  private cpus: number[] = [];
  /** canonical domain name -> what the dumps say about it */
  private readonly doms = new Map<
    string,
    { kernelNames: Set<string>; parent?: string; parentSrc?: Src; chip?: string; size?: number; src: Src }
  >();
  private matrix: Matrix | undefined;
  private remapName: string | undefined;
  private vendor: 'intel' | 'amd' | undefined;

  constructor(
    private readonly inputs: readonly ParsedInput[],
    private readonly options: ImportOptions,
    private readonly problems: ImportProblem[],
  ) {}

  private problem(src: Src | undefined, severity: ImportProblem['severity'], message: string): void {
    this.problems.push({ file: src?.file ?? '', line: src?.line ?? 0, severity, message });
  }

  build(): ImportedTopology {
    const rows = new Map<number, ProcRow>();
    const perCpu: ProcRow[] = [];
    let header: { cpus: number[]; src: Src } | undefined;
    let headerless: { n: number; src: Src } | undefined;
    const dbg = new Map<number, DebugIrq>();
    const unnumbered: DebugIrq[] = [];
    for (const input of this.inputs) {
      for (const t of input.procTables) {
        if (t.cpus && t.headerSrc) {
          if (!header) header = { cpus: t.cpus, src: t.headerSrc };
          else if (formatList(t.cpus) !== formatList(header.cpus))
            this.problem(
              t.headerSrc,
              'warning',
              `this CPU header (${formatList(t.cpus)}) differs from the one at ${at(header.src)} (${formatList(header.cpus)}); the first is used`,
            );
        } else if (t.rows.length > 0 && !headerless) {
          const n = Math.max(...t.rows.map((r) => r.counts.length));
          headerless = { n, src: t.rows[0].src };
        }
        for (const r of t.rows) {
          const prev = rows.get(r.irq!);
          if (prev) {
            if (prev.rest !== r.rest)
              this.problem(
                r.src,
                'information',
                `irq ${r.irq} was already read at ${at(prev.src)}; the first row is used`,
              );
            continue;
          }
          rows.set(r.irq!, r);
        }
        if (perCpu.length === 0) perCpu.push(...t.perCpu);
      }
      for (const i of input.irqs) {
        if (i.irq === undefined) unnumbered.push(i);
        else if (dbg.has(i.irq))
          this.problem(
            i.src,
            'information',
            `irqs/${i.irq} was already read at ${at(dbg.get(i.irq)!.src)}; the first is used`,
          );
        else dbg.set(i.irq, i);
      }
      for (const m of input.matrices) {
        if (m.rows.length === 0) continue;
        if (!this.matrix) this.matrix = m;
        else if (
          JSON.stringify(m.rows.map((r) => [r.cpu, r.vectors])) !==
            JSON.stringify(this.matrix.rows.map((r) => [r.cpu, r.vectors])) ||
          m.system?.join() !== this.matrix.system?.join()
        )
          this.problem(
            m.src,
            'information',
            `this VECTOR matrix differs from the one at ${at(this.matrix.src)} (a later snapshot?); the first one is imported`,
          );
      }
    }
    this.collectDomains();

    // ---- arch ----
    if (this.options.arch) {
      this.arch = this.options.arch;
    } else {
      const ev = inferArch(this.inputs);
      const votes = new Map<Arch, number>();
      for (const e of ev) votes.set(e.arch, (votes.get(e.arch) ?? 0) + 1);
      const ranked = [...votes.entries()].sort((a, c) => c[1] - a[1]);
      if (ranked.length === 0) {
        this.arch = 'x86';
        this.inferred.push('arch x86: assumed (no architecture fingerprint in the dumps)');
      } else {
        this.arch = ranked[0][0];
        const mine = ev.filter((e) => e.arch === this.arch).slice(0, 3);
        this.inferred.push(
          `arch ${this.arch}: from ${mine.map((e) => `${e.why} (${at(e.src)})`).join(', ')}`,
        );
        if (ranked.length > 1) {
          const other = ev.find((e) => e.arch !== this.arch)!;
          this.problem(
            other.src,
            'warning',
            `${other.why} looks like ${other.arch}, but most fingerprints say ${this.arch}; ${this.arch} is used`,
          );
        }
      }
    }

    // ---- kernel ----
    let kernelComment: string | undefined;
    const given = this.options.kernel !== undefined ? /^(\d+)\.(\d+)/.exec(this.options.kernel) : null;
    const era = inferEra(this.inputs, this.arch);
    if (given) {
      this.kernel = { major: Number(given[1]), minor: Number(given[2]) };
      kernelComment = `the running kernel's release: ${this.options.kernel}`;
      if (
        (era.atLeast && cmp(this.kernel, era.atLeast) < 0) ||
        (era.below && cmp(this.kernel, era.below) >= 0)
      )
        this.problem(
          undefined,
          'warning',
          `the given kernel ${this.options.kernel} is outside the era the dumps show (${describeEra(era)})`,
        );
    } else {
      this.kernel = representative(era);
      this.describeKernel(era);
      if (this.kernel) kernelComment = `inferred: ${describeEra(era)}; see the inferred facts above`;
    }

    // ---- cpus ----
    let cpusComment: string;
    if (header && header.cpus.length > 0) {
      this.cpus = header.cpus;
      cpusComment = `the CPU header of /proc/interrupts (${at(header.src)})`;
    } else if (this.matrix) {
      this.cpus = this.matrix.rows.map((r) => r.cpu);
      cpusComment = `the CPU rows of the VECTOR matrix (${at(this.matrix.rows[0].src)})`;
    } else if (headerless && headerless.n > 0) {
      this.cpus = Array.from({ length: headerless.n }, (_, i) => i);
      cpusComment = `inferred: ${headerless.n} count columns and no CPU header (${at(headerless.src)})`;
      this.inferred.push(
        `cpus ${formatList(this.cpus)}: the /proc/interrupts rows have ${headerless.n} count columns but no CPU header; CPUs 0-${headerless.n - 1} assumed online`,
      );
    } else {
      const seen = new Set<number>([0]);
      for (const i of [...dbg.values(), ...unnumbered]) {
        for (const c of i.effective ?? []) seen.add(c);
        for (const l of i.levels) if (l.target !== undefined) seen.add(l.target);
      }
      const max = Math.max(...seen);
      this.cpus = Array.from({ length: max + 1 }, (_, i) => i);
      if (seen.size === 1) {
        cpusComment =
          'inferred: the dumps name no CPU; CPU 0 (the boot CPU) is written so the file is complete';
        this.inferred.push(
          "cpus 0: the dumps name no CPU; only CPU 0 is written (edit `cpus` to the machine's online CPUs)",
        );
      } else {
        cpusComment = 'inferred: up to the highest CPU the dumps name; the online CPUs are not in them';
        this.inferred.push(
          `cpus ${formatList(this.cpus)}: the dumps hold no CPU list; CPUs 0-${max} (the highest CPU they name) assumed online`,
        );
      }
    }

    // ---- interrupts ----
    const numbers = [...new Set([...rows.keys(), ...dbg.keys()])].sort((a, c) => a - c);
    const intrs: Intr[] = numbers.map((n) => ({
      irq: n,
      proc: rows.get(n),
      dbg: dbg.get(n),
      actions: rows.get(n)?.actions ?? [],
    }));
    for (const d of unnumbered) intrs.push({ dbg: d, actions: [] });
    this.decideRemap(intrs);
    for (const it of intrs) this.classify(it);

    const topo: ImportedTopology = {
      arch: this.arch,
      kernel: this.kernel,
      kernelComment,
      cpus: this.cpus,
      cpusComment,
      domains: [],
      devices: [],
      irqs: [],
      notModelled: this.notModelled,
      perCpu: perCpu.map(
        (r) => `${r.key}: ${r.counts.join(' ')}${r.description ? `  ${r.description}` : ''}  [${at(r.src)}]`,
      ),
      inferred: this.inferred,
      sources: this.inputs.map((i) => `${i.name}${i.formats.length ? ` (${i.formats.join(', ')})` : ''}`),
    };
    this.assemble(intrs, topo);
    return topo;
  }

  private describeKernel(era: Era): void {
    if (era.conflict) {
      this.problem(undefined, 'warning', `${era.conflict}; no \`kernel\` statement is written`);
      this.inferred.push(`kernel: not written (${era.conflict})`);
      return;
    }
    const v = representative(era);
    const why = era.evidence
      .slice(0, 4)
      .map((e) => `${e.why}${e.src ? ` (${at(e.src)})` : ''}`)
      .join('; ');
    if (!v) {
      this.inferred.push(
        era.evidence.length === 0
          ? 'kernel: no era fingerprint in the dumps; no `kernel` statement (the checker then uses architecture-only rules and the newest behaviour)'
          : `kernel: ${describeEra(era)} (${why}); no version to write`,
      );
      return;
    }
    const how = era.atLeast ? 'its lower bound' : `the last version before ${fmt(era.below!)}`;
    this.inferred.push(`kernel ${fmt(v)}: ${describeEra(era)}, written as ${how}; from ${why}`);
  }

  // ---- domains seen in debugfs and ls ----

  private collectDomains(): void {
    const note = (
      name: string,
      src: Src,
      parent?: string,
      parentSrc?: Src,
      chip?: string,
      size?: number,
    ): void => {
      if (name === '' || name === 'default') return;
      const c = canonicalDomain(name);
      let d = this.doms.get(c);
      if (!d) {
        d = { kernelNames: new Set(), src };
        this.doms.set(c, d);
      }
      d.kernelNames.add(name);
      if (parent !== undefined) {
        const pc = canonicalDomain(parent);
        if (d.parent === undefined) {
          d.parent = pc;
          d.parentSrc = parentSrc;
        } else if (d.parent !== pc)
          this.problem(
            parentSrc,
            'warning',
            `${name}'s parent is ${parent} here but ${d.parent} at ${at(d.parentSrc)}; the first is used`,
          );
      }
      if (chip && !d.chip) d.chip = chip;
      if (size !== undefined && d.size === undefined) d.size = size;
    };
    for (const input of this.inputs) {
      for (const dd of input.domains) {
        dd.chain.forEach((lv, i) =>
          note(lv.name, lv.src, dd.chain[i + 1]?.name, dd.chain[i + 1]?.src, undefined, lv.size),
        );
      }
      for (const di of input.irqs) {
        const lvls = di.levels.filter((l) => l.domain !== '');
        lvls.forEach((lv, i) => note(lv.domain, lv.src, lvls[i + 1]?.domain, lvls[i + 1]?.src, lv.chip));
      }
      for (const e of input.ls) {
        if (e.name === 'default') continue;
        note(e.name, e.src);
      }
    }
  }

  /** The interrupt-remapping unit to use when a dump shows IR but not the unit's name. */
  private decideRemap(intrs: Intr[]): void {
    if (this.arch !== 'x86') return;
    const units = [...this.doms.keys()].filter((n) => classifyDomain(n)?.kind === 'remap');
    const chips = intrs.map((i) => i.proc?.chip ?? '');
    const actions = intrs.flatMap((i) => i.actions);
    const hasIR = units.length > 0 || chips.some((c) => /^(?:v?IR-)/.test(c));
    const intel =
      units.some((u) => u.startsWith('INTEL')) ||
      chips.some((c) => /^DMAR[-_]MSI/.test(c)) ||
      [...this.doms.keys()].includes('DMAR-MSI');
    const amd =
      units.some((u) => u.startsWith('AMD')) ||
      chips.some((c) => c === 'IOMMU-MSI') ||
      actions.some((a) => /^AMD-Vi/.test(a));
    this.vendor = intel && !amd ? 'intel' : amd && !intel ? 'amd' : undefined;
    if (!hasIR) return;
    if (units.length > 0) {
      this.remapName = units.sort()[0];
      return;
    }
    this.remapName = this.vendor === 'intel' ? 'INTEL-IR-0' : this.vendor === 'amd' ? 'AMD-IR-0' : 'IR-0';
    const src = intrs.find((i) => /^v?IR-/.test(i.proc?.chip ?? ''))?.proc?.src;
    this.inferred.push(
      `${this.remapName}: the chips' IR- prefix (${at(src)}) shows interrupt remapping; /proc/interrupts does not name the unit, so one unit is assumed${this.vendor ? ` (${this.vendor}: ${this.vendor === 'intel' ? 'a DMAR-MSI interrupt or domain' : 'an AMD-Vi / IOMMU-MSI interrupt'})` : ' (vendor unknown)'}`,
    );
  }

  private ioapicName(): string {
    const named = [...this.doms.keys()].filter((n) => /^IO-APIC-\d+$/.test(n));
    if (named.length === 1) return named[0];
    if (!this.ioapicNoted) {
      this.ioapicNoted = true;
      this.inferred.push(
        named.length === 0
          ? 'IO-APIC: one IO-APIC assumed, named IO-APIC; /proc/interrupts gives neither its id nor how many there are (debugfs domains/IO-APIC-<id> does)'
          : `IO-APIC: the dumps name ${named.join(', ')} but /proc/interrupts does not say which one each pin is on; the pins are written on one domain named IO-APIC`,
      );
    }
    return 'IO-APIC';
  }
  private ioapicNoted = false;

  /** Decides an interrupt's endpoint domain, source, index and PCI address. */
  private classify(it: Intr): void {
    const lvls = it.dbg?.levels.filter((l) => l.domain !== '') ?? [];
    if (lvls.length > 0) it.chain = lvls.map((l) => canonicalDomain(l.domain));
    const chip0 = lvls[0]?.chip;
    const proc = it.proc;
    if (it.chain) {
      it.endpoint = it.chain[0];
      it.hwirq = lvls[0].hwirq;
    } else if (proc?.chip) {
      it.endpoint = this.procEndpoint(proc);
      it.hwirq = proc.hwirq;
    }
    const cls = it.endpoint ? classifyDomain(it.endpoint, chip0) : undefined;
    it.cls = cls;
    const devField = it.dbg?.device ? parseBdf(it.dbg.device) : undefined;
    if (!cls || ['vector', 'gic', 'imsic', 'remap', 'its'].includes(cls.kind)) {
      it.why = cls
        ? `its endpoint is the ${cls.kind} domain ${it.endpoint}`
        : it.endpoint
          ? `domain ${it.endpoint} is not one the importer knows`
          : 'no irq domain';
      return;
    }
    switch (cls.kind) {
      case 'pci-msi': {
        if (cls.perDevice) {
          it.bdf = cls.perDevice.bdf;
          it.index = it.hwirq;
          it.source = cls.perDevice.msix ? 'msix' : 'msi';
          it.msixKnown = true;
        } else if (cls.global) {
          it.source = 'msi'; // MSI or MSI-X: decided per device
          const dec = it.hwirq !== undefined ? decodeGlobalMsiHwirq(it.hwirq) : undefined;
          if (dec) {
            it.bdf = dec.bdf;
            it.index = dec.index;
            if (devField && formatBdf(devField) !== formatBdf(dec.bdf))
              this.problem(
                it.dbg?.src,
                'warning',
                `irq ${it.irq}: the hwirq 0x${it.hwirq!.toString(16)} decodes to ${formatBdf(dec.bdf)} but the device is ${it.dbg?.device}`,
              );
          }
          if (devField) it.bdf = devField;
        }
        break;
      }
      case 'ioapic':
        it.source = 'pin';
        if (it.hwirq !== undefined) it.index = it.hwirq;
        else if (it.irq !== undefined) {
          it.index = it.irq;
          it.pinAssumed = true;
        }
        if (devField) it.bdf = devField;
        break;
      default:
        it.source = 'msi';
        it.index = it.hwirq;
        if (devField) it.bdf = devField;
    }
  }

  private procEndpoint(r: ProcRow): string | undefined {
    const c = r.chip ?? '';
    if (/^(?:vIR-|IR-|ITS-)?PCI-MSIX?-[0-9a-f]{4}:/.test(c) && !r.legacyForm) return c;
    if (c === 'PCI-MSI' || c === 'PCI-MSI-X') return this.arch === 'riscv' ? undefined : 'PCI-MSI';
    if (c === 'IR-PCI-MSI' || c === 'IR-PCI-MSI-X') {
      const r0 = this.remapName;
      if (r0 && /^(INTEL|AMD)-IR-(\d+)$/.test(r0)) return r0.replace(/-IR-/, '-IR-MSI-');
      return 'IR-PCI-MSI';
    }
    if (c === 'IO-APIC' || c === 'IR-IO-APIC') return this.ioapicName();
    if (c === 'DMAR-MSI' || c === 'DMAR_MSI') return 'DMAR-MSI';
    if (c === 'IOMMU-MSI') return 'IOMMU-MSI';
    if (/^(?:IR-)?HPET[-_]MSI$/.test(c)) return 'HPET-MSI';
    if (c === 'ITS-MSI' || c === 'ITS-pMSI' || /^ITS-pMSI-/.test(c)) return c;
    if (/^APLIC-MSI-/.test(c)) return c;
    return undefined;
  }

  // ---- assembly ----

  private assemble(intrs: Intr[], topo: ImportedTopology): void {
    const modelled = intrs.filter((i) => i.source !== undefined);
    for (const it of intrs) if (it.source === undefined) this.notModelled.push(this.unmodelledLine(it));

    // devices: group interrupts
    const groups = new Map<string, Intr[]>();
    for (const it of modelled) {
      const stem = deviceStem(it.actions.slice(0, 1).map((a) => withoutBdf(a, it.bdf)));
      let key: string;
      if (it.bdf) key = `pci:${formatBdf(it.bdf)}`;
      else if (it.cls!.kind === 'ioapic') key = `wired:${stem ?? ''}`;
      else key = `${it.endpoint}:${stem ?? `hwirq${it.hwirq ?? it.irq ?? '?'}`}`;
      it.deviceKey = key;
      const g = groups.get(key);
      if (g) g.push(it);
      else groups.set(key, [it]);
    }

    // domains: the root and the units first
    const domains = new Map<string, ImportedDomain>();
    const add = (name: string, kind: DomainKind, parent?: string): ImportedDomain => {
      let d = domains.get(name);
      if (!d) {
        const seen = this.doms.get(name);
        d = { name, kind, parent, props: [], kernelNames: seen ? [...seen.kernelNames] : [], comments: [] };
        if (seen) d.comments.push(`seen as ${[...seen.kernelNames].join(', ')} (${at(seen.src)})`);
        domains.set(name, d);
      }
      return d;
    };
    const rootName = this.rootName();
    const root = add(rootName, this.arch === 'x86' ? 'vector' : this.arch === 'arm64' ? 'gic' : 'imsic');
    if (!this.doms.has(rootName))
      root.comments.push(`inferred: the ${this.arch} root domain (not named in the dumps)`);
    let itsName: string | undefined;
    if (
      this.arch === 'arm64' &&
      (modelled.length > 0 ||
        [...this.doms.keys()].some((n) => classifyDomain(n, this.doms.get(n)?.chip)?.kind === 'its'))
    ) {
      itsName =
        [...this.doms.keys()].find((n) => classifyDomain(n, this.doms.get(n)?.chip)?.kind === 'its') ?? 'ITS';
      const its = add(itsName, 'its', rootName);
      if (!this.doms.has(itsName)) {
        its.comments.push('inferred: the ITS every MSI goes through (not named in /proc/interrupts)');
        this.inferred.push(
          'ITS: one GICv3 ITS assumed (the ITS- chip names show one; /proc/interrupts does not name it)',
        );
      }
    }
    if (this.remapName) {
      const r = add(this.remapName, 'remap', rootName);
      const v = classifyDomain(this.remapName)?.vendor ?? this.vendor;
      if (v) r.props.push(`vendor ${v}`);
      else r.comments.push('vendor unknown: add `vendor intel` or `vendor amd`');
      if (!this.doms.has(this.remapName)) r.comments.push('inferred: see the inferred facts above');
    }
    const defaultParent = (name: string, c: DomainClass): string | undefined => {
      const obs = this.doms.get(name)?.parent;
      if (obs) return obs;
      switch (c.kind) {
        case 'vector':
        case 'gic':
        case 'imsic':
          return undefined;
        case 'remap':
        case 'its':
        case 'dmar-msi':
          return rootName;
        case 'ioapic':
        case 'hpet': {
          const ir = this.remapName && (this.irPrefixed(name) || this.doms.has(this.remapName));
          return ir ? this.remapName : rootName;
        }
        case 'pci-msi':
          if (c.global) {
            if (name === 'PCI-MSI') return rootName;
            if (name === 'ITS-MSI') return itsName;
            const m = /^(INTEL|AMD)-IR-MSI-(\d+)$/.exec(name);
            if (m) return `${m[1]}-IR-${m[2]}`;
            return this.remapName ?? rootName;
          }
          if (c.perDevice?.prefix === 'ITS-') return itsName;
          if (c.perDevice?.prefix) return this.remapName ?? rootName;
          return rootName;
        case 'platform-msi':
          return itsName ?? rootName;
        case 'aplic':
          return rootName;
        default:
          return rootName;
      }
    };
    const ensure = (name: string): ImportedDomain | undefined => {
      if (domains.has(name)) return domains.get(name);
      const c = classifyDomain(name, this.doms.get(name)?.chip);
      if (!c) return undefined;
      const d = add(name, c.kind, defaultParent(name, c));
      if (c.kind === 'remap' && c.vendor) d.props.push(`vendor ${c.vendor}`);
      if ((c.kind === 'ioapic' || c.kind === 'hpet') && c.id !== undefined) d.props.push(`id ${c.id}`);
      const size = this.doms.get(name)?.size;
      if (c.kind === 'ioapic' && size) d.props.push(`pins ${size}`);
      if (d.parent && d.parent !== name) ensure(d.parent);
      return d;
    };
    // every domain the dumps name, except per-device ones (declared with their device below)
    const seenOnly: string[] = [];
    for (const [name, info] of this.doms) {
      const c = classifyDomain(name, info.chip);
      if (!c) {
        seenOnly.push(
          `domain ${[...info.kernelNames].join(', ')} (${at(info.src)}): not modelled (a firmware or GPIO domain, or a kind the language does not have)`,
        );
        continue;
      }
      if (c.perDevice) continue;
      if (c.kind === 'remap' && this.arch !== 'x86') continue;
      ensure(name);
    }

    // devices
    const usedDeviceNames = new Set<string>();
    const devicesOut: ImportedDevice[] = [];
    const irqsOut: ImportedIrq[] = [];
    const implied = this.impliedAllowed();
    for (const [key, its] of groups) {
      const first = its[0];
      const bdf = first.bdf;
      const allActions = its.flatMap((i) => i.actions.slice(0, 1)).map((a) => withoutBdf(a, bdf));
      let name = deviceStem(allActions);
      if (!name) {
        if (bdf) name = `pci-${formatBdf(bdf).replace(/[:.]/g, '-')}`;
        else if (first.cls!.kind === 'ioapic') name = 'ioapic-pins';
        else name = `${first.cls!.kind}${first.hwirq ?? first.irq ?? ''}`;
      }
      if (bdf && usedDeviceNames.has(name)) name = `${name}-${formatBdf(bdf).slice(5).replace(/[:.]/g, '-')}`;
      let k = 2;
      const base = name;
      while (usedDeviceNames.has(name)) name = `${base}-${k++}`;
      usedDeviceNames.add(name);
      const dev: ImportedDevice = { name, platform: false, comments: [] };
      if (bdf) dev.pci = formatBdf(bdf);
      const stemForIrqs = deviceStem(allActions);
      // MSI vs MSI-X
      const msgIntrs = its.filter((i) => i.cls!.kind === 'pci-msi');
      if (msgIntrs.length > 0) {
        let msix: boolean;
        const known = msgIntrs.find((i) => i.msixKnown);
        if (known) msix = known.source === 'msix';
        else {
          const idx = msgIntrs.map((i) => i.index ?? 0);
          const underBareVector = this.arch === 'x86' && !this.remapName;
          if (idx.some((x) => x >= 32)) msix = true;
          else if (msgIntrs.length > 1 && underBareVector) msix = true;
          else if (msgIntrs.length === 1 && idx[0] === 0) msix = false;
          else msix = true;
          const why = idx.some((x) => x >= 32)
            ? 'an index >= 32 (MSI has at most 32 vectors)'
            : msgIntrs.length > 1 && underBareVector
              ? 'several vectors under the bare x86 vector domain, which cannot do multi-MSI'
              : msgIntrs.length === 1 && idx[0] === 0
                ? 'one vector at index 0'
                : underBareVector
                  ? 'an index above 0 under the bare x86 vector domain, which cannot do multi-MSI'
                  : 'several vectors or an index above 0 (multi-MSI is rarer)';
          this.inferred.push(
            `${name}: ${msix ? 'MSI-X' : 'MSI'} (the global PCI/MSI domain does not say which; chosen from ${why})`,
          );
          dev.comments.push(
            `inferred: ${msix ? 'MSI-X' : 'MSI'} (${why}); the global domain does not say which`,
          );
        }
        for (const i of msgIntrs) i.source = msix ? 'msix' : 'msi';
        if (msix) {
          const max = Math.max(...msgIntrs.map((i) => i.index ?? 0));
          dev.msix = max + 1;
          dev.comments.push(`msix ${dev.msix}: the highest MSI-X index seen + 1 (the table may be larger)`);
        } else {
          dev.msi = nextPow2(msgIntrs.length);
          if (msgIntrs.length > 1 || dev.msi > 1)
            dev.comments.push(`msi ${dev.msi}: ${msgIntrs.length} vector(s) seen`);
        }
        // the message domain: implied, or explicit
        const ep = first.endpoint!;
        const cls = first.cls!;
        if (cls.perDevice && bdf) {
          const prefix = this.impliedPrefix(ep);
          const predicted = prefix === undefined ? undefined : impliedDomainName(prefix, msix, bdf);
          if (implied && predicted === ep) {
            dev.comments.push(`its domain ${ep} is implied (per-device MSI domain)`);
          } else {
            const d = add(ep, 'pci-msi', defaultParent(ep, cls));
            if (d.parent) ensure(d.parent);
            d.props.push(`device ${name}`);
            dev.msiDomain = ep;
          }
        } else {
          ensure(ep);
          dev.msiDomain = ep;
        }
      }
      const other = its.filter((i) => i.cls!.kind !== 'pci-msi' && i.cls!.kind !== 'ioapic');
      if (other.length > 0) {
        const ep = other[0].endpoint!;
        ensure(ep);
        if (!dev.msiDomain) dev.msiDomain = ep;
        dev.platform = !bdf;
        if (other.some((i) => i.endpoint !== ep))
          this.problem(
            other[0].proc?.src ?? other[0].dbg?.src,
            'warning',
            `${name}: interrupts in several message domains (${[...new Set(other.map((i) => i.endpoint))].join(', ')}); only ${ep} is written as its msi-domain`,
          );
      }
      const pins = its.filter((i) => i.cls!.kind === 'ioapic');
      if (pins.length > 0) {
        const ep = pins[0].endpoint!;
        ensure(ep);
        dev.ioapic = ep;
      }
      if (!bdf && first.cls!.kind === 'ioapic' && first.actions.length === 0)
        dev.comments.push(
          'the IO-APIC pins that have no action name in the dumps (no driver requested them, or their /proc/interrupts row is missing)',
        );
      if (its.some((i) => i.actions.some((a) => /^vfio-(?:msix?|intx)\b/.test(a)))) {
        dev.assign = 'vfio';
        dev.comments.push(
          'assign vfio: its action names are vfio-msix/vfio-msi/vfio-intx (handed to a guest)',
        );
      }
      devicesOut.push(dev);
      void key;

      // interrupts of this device
      const names = its.map((i) => {
        if (i.actions.length === 0) return `${i.source}${i.index ?? i.irq ?? ''}`;
        if (i.cls!.kind === 'dmar-msi' && /^dmar\d+$/.test(i.actions[0])) return 'fault';
        return irqNameFromAction(i.actions[0], stemForIrqs, bdf) || `${i.source}${i.index ?? ''}`;
      });
      const count = new Map<string, number>();
      for (const n of names) count.set(n, (count.get(n) ?? 0) + 1);
      const usedIdx = new Map<string, Set<number>>();
      its.forEach((i, j) => {
        const nm = names[j];
        let index: number | undefined;
        if ((count.get(nm) ?? 0) > 1) {
          const used = usedIdx.get(nm) ?? new Set<number>();
          usedIdx.set(nm, used);
          index = i.index ?? i.irq ?? 0;
          while (used.has(index)) index++;
          used.add(index);
        }
        irqsOut.push(this.irqOut(i, dev, nm, index));
      });
    }

    // per-device domains whose parents must exist
    for (const d of [...domains.values()]) if (d.parent) ensure(d.parent);

    // the VECTOR matrix
    if (this.arch === 'x86' && this.matrix) this.matrixProps(root, irqsOut);

    // scopes when several units
    this.scopes(domains, devicesOut, irqsOut);

    topo.domains = this.orderDomains([...domains.values()]);
    topo.devices = devicesOut;
    topo.irqs = irqsOut.sort((a, c) => (a.linuxIrq ?? Infinity) - (c.linuxIrq ?? Infinity));
    for (const s of seenOnly) this.notModelled.push(s);
    // per-device domains seen only by name (ls, domains/), with no interrupt in the dumps
    for (const [name, info] of this.doms) {
      const c = classifyDomain(name, info.chip);
      if (!c?.perDevice) continue;
      if (irqsOut.some((i) => i.endpoint === name)) continue;
      this.notModelled.push(
        `domain ${[...info.kernelNames].join(', ')} (${at(info.src)}): device ${formatBdf(c.perDevice.bdf)} uses ${c.perDevice.msix ? 'MSI-X' : 'MSI'}; none of its interrupts is in the dumps, so the device is not declared`,
      );
    }
  }

  private rootName(): string {
    for (const [n, info] of this.doms) {
      const c = classifyDomain(n, info.chip);
      if (c && (c.kind === 'vector' || c.kind === 'gic' || c.kind === 'imsic')) return n;
    }
    return this.arch === 'x86' ? 'VECTOR' : this.arch === 'arm64' ? 'GICv3' : 'IMSIC';
  }

  private irPrefixed(name: string): boolean {
    // an IO-APIC or HPET whose interrupts the dumps show with the IR- chip prefix
    return this.inputs.some((i) =>
      i.procTables.some((t) =>
        t.rows.some((r) => /^IR-(?:IO-APIC|HPET)/.test(r.chip ?? '') && this.procEndpoint(r) === name),
      ),
    );
  }

  /** The prefix of the implied per-device domain the language would create for an observed one. */
  private impliedPrefix(ep: string): string | undefined {
    const m = /^(vIR-|IR-|ITS-)?PCI-MSIX?-/.exec(ep);
    if (!m) return undefined;
    const p = m[1] ?? '';
    if (this.arch === 'x86')
      return p === 'IR-' && this.remapName ? 'IR-' : p === '' && !this.remapName ? '' : undefined;
    if (this.arch === 'arm64') return p === 'ITS-' ? 'ITS-' : undefined;
    return p === '' ? '' : undefined;
  }

  private impliedAllowed(): boolean {
    const k = this.kernel;
    if (!k) return true;
    if (this.arch === 'x86') return cmp(k, { major: 6, minor: 2 }) >= 0;
    if (this.arch === 'arm64') return cmp(k, { major: 6, minor: 11 }) >= 0;
    return true;
  }

  private unmodelledLine(it: Intr): string {
    const p = it.proc;
    const what = p
      ? `${p.chip ?? ''}${p.hwirq !== undefined ? ` ${p.hwirq}` : ''}${p.trigger ? ` ${p.trigger}` : ''}${p.flow ? `-${p.flow}` : ''} ${p.actions.join(', ')}`.trim()
      : `${it.chain?.join(' > ') ?? 'no domain'}`;
    const counts = p && p.counts.length ? `; counts ${p.counts.join(' ')}` : '';
    const src = [p?.src, it.dbg?.src]
      .filter((s): s is Src => s !== undefined)
      .map(at)
      .join(', ');
    return `irq ${it.irq ?? '?'}: ${what} [${src}]: not modelled (${it.why ?? 'no source kind for it'})${counts}`;
  }

  private irqOut(i: Intr, dev: ImportedDevice, name: string, index: number | undefined): ImportedIrq {
    const out: ImportedIrq = {
      linuxIrq: i.irq,
      device: dev.name,
      name,
      index,
      source: i.source!,
      managed: false,
      masked: false,
      endpoint: i.endpoint!,
      actions: i.actions,
      comments: [],
      observedChain: i.chain,
    };
    if (i.source === 'msix' || i.source === 'pin') out.sourceArg = i.index;
    const p = i.proc;
    if (p) {
      const desc = `${p.chip ?? ''}${p.hwirq !== undefined ? ` ${p.hwirq}` : ''}${p.trigger ? ` ${p.trigger}` : ''}${p.flow ? `-${p.flow}` : ''}${p.actions.length ? ` ${p.actions.join(', ')}` : ''}`;
      out.comments.push(`irq ${i.irq}: ${desc} [${at(p.src)}]`);
      if (p.counts.length === this.cpus.length) out.counts = p.counts;
      else if (p.counts.length > 0)
        out.comments.push(
          `counts not written: ${p.counts.length} counts for ${this.cpus.length} CPUs (${p.counts.join(' ')})`,
        );
    }
    if (i.pinAssumed) {
      out.comments.push(
        `pin ${i.index}: assumed equal to the irq number (this kernel does not print the pin)`,
      );
      this.inferred.push(
        `${dev.name}.${name}: IO-APIC pin ${i.index} assumed = irq number (pre-4.3 format has no hwirq column)`,
      );
    }
    if (i.cls?.kind === 'pci-msi' && !i.cls.perDevice && i.hwirq !== undefined && i.bdf)
      out.comments.push(
        `hwirq ${i.hwirq} = index ${i.index} | RID(${formatBdf(i.bdf)}) << 11 | segment << 27`,
      );
    const d = i.dbg;
    if (d) {
      const lv = d.levels.filter((l) => l.domain !== '');
      out.comments.push(
        `irqs/${d.irq ?? '?'} [${at(d.src)}]: ${lv.map((l) => `${l.domain}${l.hwirq !== undefined ? ` (hwirq 0x${l.hwirq.toString(16)})` : ''}`).join(' > ')}`,
      );
      // Intel IR level: hwirq = IRTE index << 16 | sub-handle (drivers/iommu/intel/irq_remapping.c intel_irq_remapping_alloc)
      const ir = lv.find((l) => /^INTEL-IR-\d+$/.test(canonicalDomain(l.domain)) && l.chip === 'INTEL-IR');
      if (ir?.hwirq !== undefined)
        out.comments.push(
          `IRTE index ${Math.floor(ir.hwirq / 65536)}${ir.hwirq % 65536 ? ` + sub-handle ${ir.hwirq % 65536}` : ''} in ${canonicalDomain(ir.domain)} (its hwirq >> 16)`,
        );
      const vl = lv.find((l) => canonicalDomain(l.domain) === 'VECTOR' || l.chip === 'APIC');
      const managed = vl?.managed === true || d.dstate.includes('IRQD_AFFINITY_MANAGED');
      out.managed = managed;
      out.masked = d.dstate.includes('IRQD_IRQ_MASKED');
      if (this.arch === 'x86' && vl) {
        if (vl.vector !== undefined && vl.vector > 0 && vl.target !== undefined) {
          out.cpu = vl.target;
          out.vector = vl.vector;
          out.comments.push(
            `observed: Vector ${vl.vector}, Target ${vl.target} [${at(vl.vectorSrc)}]${managed ? ', is_managed 1' : ''}`,
          );
          if (vl.moveInProgress)
            out.comments.push(
              `a move is in progress: previous vector ${vl.prevVector ?? '?'} on CPU ${vl.prevTarget ?? '?'}; pending ${formatList(d.pending ?? [])}`,
            );
        } else {
          out.comments.push(
            `no vector pinned: Vector ${vl.vector ?? '?'} [${at(vl.vectorSrc ?? vl.src)}] (not activated${d.dstate.includes('IRQD_IRQ_DISABLED') ? ', disabled' : ''})`,
          );
        }
      }
      if (this.arch === 'arm64') {
        const g = lv.find((l) => classifyDomain(canonicalDomain(l.domain), l.chip)?.kind === 'gic');
        if (g?.hwirq !== undefined && g.hwirq >= 8192) out.lpi = g.hwirq;
        if (d.effective && d.effective.length === 1) out.cpu = d.effective[0];
        if (out.lpi !== undefined || out.cpu !== undefined)
          out.comments.push(
            `observed: ${out.lpi !== undefined ? `LPI ${out.lpi}` : ''}${out.cpu !== undefined ? ` effective CPU ${out.cpu} [${at(d.effectiveSrc)}]` : ''}`.trim(),
          );
      }
      const msg = lv.find((l) => l.addressLo !== undefined || l.msgData !== undefined);
      if (msg)
        out.comments.push(
          `message: address_hi 0x${(msg.addressHi ?? 0).toString(16)} address_lo 0x${(msg.addressLo ?? 0).toString(16)} data 0x${(msg.msgData ?? 0).toString(16)}`,
        );
      if (d.affinity) {
        const a = d.affinity.filter((c) => this.cpus.includes(c));
        if (a.length > 0 && a.length < this.cpus.length) out.affinity = a;
        if (out.cpu !== undefined && !this.cpus.includes(out.cpu))
          this.problem(
            vl?.targetSrc ?? d.src,
            'warning',
            `irq ${i.irq} targets CPU ${out.cpu}, which is not in cpus ${formatList(this.cpus)}`,
          );
      }
    } else if (p && p.counts.length > 0) {
      const max = Math.max(...p.counts);
      if (max > 0) {
        const cpuIdx = p.counts.indexOf(max);
        out.comments.push(
          `most interrupts on CPU ${this.cpus[cpuIdx] ?? cpuIdx} (${max}); the effective CPU is not in /proc/interrupts, so none is pinned`,
        );
      }
    }
    return out;
  }

  private matrixProps(root: ImportedDomain, irqs: ImportedIrq[]): void {
    const m = this.matrix!;
    if (m.system) {
      root.props.push(`system-vectors ${formatList(m.system)}`);
      root.comments.push(`system-vectors: the VECTOR matrix System: line [${at(m.systemSrc)}]`);
    }
    const pinned = new Set(
      irqs.filter((i) => i.cpu !== undefined && i.vector !== undefined).map((i) => `${i.cpu}:${i.vector}`),
    );
    const byVectors = new Map<string, number[]>();
    let subtracted = 0;
    for (const r of m.rows) {
      if (!this.cpus.includes(r.cpu)) continue;
      const left = r.vectors.filter((v) => !pinned.has(`${r.cpu}:${v}`));
      subtracted += r.vectors.length - left.length;
      if (left.length === 0) continue;
      const key = formatList(left);
      const cpus = byVectors.get(key) ?? [];
      cpus.push(r.cpu);
      byVectors.set(key, cpus);
    }
    for (const [vectors, cpus] of byVectors) root.props.push(`in-use ${formatList(cpus)} : ${vectors}`);
    root.comments.push(
      `in-use: the vectors column of the VECTOR matrix [${at(m.rows[0]?.src)}]${subtracted ? `, less the ${subtracted} (CPU, vector) pairs pinned by the interrupts below` : ''}`,
    );
    if (subtracted === 0 && irqs.length > 0)
      root.comments.push('note: no interrupt below is pinned, so in-use also holds their own vectors');
  }

  private scopes(domains: Map<string, ImportedDomain>, devices: ImportedDevice[], irqs: ImportedIrq[]): void {
    const units = [...domains.values()].filter((d) => d.kind === 'remap' || d.kind === 'its');
    if (units.length === 0) return;
    if (units.length === 1 && units[0].kind === 'remap') return; // INCLUDE_PCI_ALL
    const chainOf = (name: string): string[] => {
      const out: string[] = [];
      let cur: string | undefined = name;
      while (cur && !out.includes(cur)) {
        out.push(cur);
        cur = domains.get(cur)?.parent ?? this.doms.get(cur)?.parent;
      }
      return out;
    };
    for (const u of units) {
      if (units.length === 1) {
        const segs = new Set(devices.filter((d) => d.pci).map((d) => d.pci!.slice(0, 4)));
        if (segs.size === 0) segs.add('0000');
        u.props.push(`scope ${[...segs].map((s) => `${s}:00-ff`).join(', ')}`);
        u.comments.push(
          "scope: inferred (every bus of the segments seen; the dumps do not show the unit's scope)",
        );
        this.inferred.push(
          `${u.name} scope ${[...segs].map((s) => `${s}:00-ff`).join(', ')}: one translation unit assumed to cover every bus`,
        );
        continue;
      }
      const buses = new Set<string>();
      for (const i of irqs) {
        const dev = devices.find((d) => d.name === i.device);
        if (!dev?.pci) continue;
        if (!chainOf(i.endpoint).includes(u.name) && !(i.observedChain ?? []).includes(u.name)) continue;
        buses.add(`${dev.pci.slice(0, 4)}:${dev.pci.slice(5, 7)}-${dev.pci.slice(5, 7)}`);
      }
      if (buses.size > 0) {
        u.props.push(`scope ${[...buses].sort().join(', ')}`);
        u.comments.push(
          'scope: the buses of the devices the dumps show under this unit (inferred; the real DRHD scope may be wider)',
        );
      }
    }
  }

  private orderDomains(ds: ImportedDomain[]): ImportedDomain[] {
    const byName = new Map(ds.map((d) => [d.name, d]));
    const depth = (d: ImportedDomain): number => {
      let n = 0;
      let cur: ImportedDomain | undefined = d;
      const seen = new Set<string>();
      while (cur?.parent && !seen.has(cur.name) && n < 16) {
        seen.add(cur.name);
        cur = byName.get(cur.parent);
        n++;
      }
      return n;
    };
    const rank: Partial<Record<DomainKind, number>> = {
      vector: 0,
      gic: 0,
      imsic: 0,
      remap: 1,
      its: 1,
      'dmar-msi': 2,
      ioapic: 3,
      hpet: 4,
    };
    return ds.sort(
      (a, c) =>
        depth(a) - depth(c) || (rank[a.kind] ?? 9) - (rank[c.kind] ?? 9) || a.name.localeCompare(c.name),
    );
  }
}
