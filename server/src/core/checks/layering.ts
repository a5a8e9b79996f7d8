// Layering checks (RULES.md "Layering"): the shape of the domain hierarchy. Where several codes
// could describe one mistake, the specific check owns it and the general one stays silent.

import type { RelatedFinding } from '../diagnostics';
import { KINDS, type DomainKind } from '../kinds';
import {
  busScopeItem,
  chainResolved,
  idScopeItem,
  isMsiParent,
  isRoot,
  kernelAtLeast,
  msiParentOfDevice,
  onCycle,
  pciText,
  remapForId,
  unitOf,
  type Domain,
  type Model,
  type ScopeItem,
  type Site,
} from '../model';
import { irqName, sourceSite } from '../model';
import { Src } from '../model/types';
import type { Check } from './registry';

const at = (d: Domain, message: string): RelatedFinding => ({
  file: d.file,
  start: d.nameStart,
  end: d.nameEnd,
  message,
});
const nameSite = (d: Domain): Site => ({ file: d.file, start: d.nameStart, end: d.nameEnd });

/** Where a domain's parent is named (its `parent` value), else its name. */
export function parentSite(d: Domain): Site {
  return d.parentRef ?? nameSite(d);
}

const X86_PARENTS: readonly DomainKind[] = ['vector', 'remap'];
const devName = (m: Model, dev: number) => m.devices.name[dev];

export const rootCheck: Check = {
  code: 'root',
  run(m, report) {
    const roots = m.domains.filter(isRoot);
    if (roots.length === 0 && m.domains.length > 0) {
      const want = m.arch === 'arm64' ? 'gic' : m.arch === 'riscv' ? 'imsic' : 'vector';
      report(
        { file: m.files[m.files.length - 1], start: 0, end: 0 },
        `the hierarchy has no root: every chain must end in the CPU-level domain. Add e.g. \`domain ${want === 'vector' ? 'VECTOR' : want === 'gic' ? 'GICv3' : 'IMSIC'} : ${want}\``,
      );
    }
    for (const r of roots.slice(1)) {
      report(
        nameSite(r),
        `a second root '${r.name}': a machine has one CPU-level root domain, and every chain ends in it`,
        [at(roots[0], `the first root, '${roots[0].name}'`)],
      );
    }
    for (const r of roots) {
      if (r.parentRef) {
        report(
          r.parentRef,
          `'${r.name}' is a ${r.kind} domain, the root: it has no parent. Remove the parent`,
        );
      }
    }
  },
};

export const parentCycleCheck: Check = {
  code: 'parent-cycle',
  run(m, report) {
    // one finding per cycle, at its first member's parent, the other members related
    const state = new Map<Domain, number>(); // 1: being walked, 2: done
    for (const d of m.domains) {
      if (state.has(d)) continue;
      const path: Domain[] = [];
      let c: Domain | undefined = d;
      while (c && !state.has(c)) {
        state.set(c, 1);
        path.push(c);
        c = c.parent;
      }
      if (c && state.get(c) === 1) {
        const loop = path.slice(path.indexOf(c));
        const names =
          loop.length <= 12
            ? [...loop.map((x) => x.name), c.name].join(' -> ')
            : `${loop
                .slice(0, 10)
                .map((x) => x.name)
                .join(' -> ')} -> … -> ${loop[loop.length - 1].name} -> ${c.name}, ${loop.length} domains`;
        report(
          parentSite(loop[0]),
          `the parent chain loops (${names}): it must end in the root domain, as every irq_domain hierarchy does`,
          () => loop.slice(1).map((y) => at(y, `'${y.name}' is part of the loop`)),
        );
      }
      for (const x of path) state.set(x, 2);
    }
  },
};

export const missingParentCheck: Check = {
  code: 'missing-property',
  run(m, report) {
    for (const d of m.domains) {
      if (d.implied || !d.kind || KINDS[d.kind].root || d.parentRef) continue;
      report(
        nameSite(d),
        `the ${d.kind} domain '${d.name}' has no parent: add \`parent NAME\` (${KINDS[d.kind].parentRule})`,
      );
    }
  },
};

export const kindArchCheck: Check = {
  code: 'kind-arch',
  run(m, report) {
    if (!m.arch) return;
    for (const d of m.domains) {
      if (!d.kind || d.implied) continue;
      if (KINDS[d.kind].arches.includes(m.arch)) continue;
      if (d.kind === 'platform-msi' && d.parent?.kind && X86_PARENTS.includes(d.parent.kind)) continue; // platform-msi-x86
      const where = Object.values(KINDS)
        .filter((k) => k.kind === d.kind)
        .map((k) => k.arches.join(', '))[0];
      report(
        nameSite(d),
        `'${d.name}' is a ${d.kind} domain, which ${m.arch} does not have (${d.kind} exists on ${where})`,
      );
    }
  },
};

export const remapParentCheck: Check = {
  code: 'remap-parent',
  run(m, report) {
    for (const d of m.domains) {
      if ((d.kind !== 'remap' && d.kind !== 'its') || !d.parent || isRoot(d.parent) || onCycle(d)) continue;
      report(
        d.parentRef!,
        `'${d.name}' is a ${d.kind === 'remap' ? 'remap unit' : 'ITS'}, whose parent must be the root (${d.kind === 'remap' ? 'VECTOR' : 'GICv3'}), not the ${d.parent.kind} domain '${d.parent.name}'`,
        [at(d.parent, `'${d.parent.name}' is declared here`)],
      );
    }
  },
};

const UNDER_PCI_MSI: readonly DomainKind[] = ['ims', 'ntb', 'platform-msi', 'hpet'];

export const imsParentPciMsiCheck: Check = {
  code: 'ims-parent-pci-msi',
  run(m, report) {
    for (const d of m.domains) {
      if (!d.kind || !UNDER_PCI_MSI.includes(d.kind) || d.parent?.kind !== 'pci-msi') continue;
      const p = d.parent;
      const above = p.parent ? `'${p.parent.name}'` : 'the IR unit or the vector domain above it';
      report(
        d.parentRef!,
        `the ${d.kind} domain '${d.name}' is parented to the PCI/MSI domain '${p.name}'. PCI/MSI and ${d.kind === 'ims' ? 'IMS' : d.kind} domains sit at the same level; PCIe is only the transport, so the parent is the IR unit or the vector domain (tglx, lore 87h7tcgbs2.fsf@nanos.tec.linutronix.de). Reparent '${d.name}' to ${above}`,
        [
          at(
            p,
            `'${p.name}' is a pci-msi domain${p.implied ? ` (the per-device domain of ${devName(m, p.impliedFor)})` : ''}`,
          ),
        ],
      );
    }
  },
};

export const dmarMsiUnderRemapCheck: Check = {
  code: 'dmar-msi-under-remap',
  run(m, report) {
    let root: Domain | undefined | null = null; // looked up once, when first needed
    for (const d of m.domains) {
      if (d.kind !== 'dmar-msi' || d.parent?.kind !== 'remap') continue;
      if (root === null) root = m.domains.find((x) => x.kind === 'vector');
      report(
        d.parentRef!,
        `the DMAR-MSI domain '${d.name}' is parented to the remap unit '${d.parent.name}': the IOMMU's own fault and event interrupts cannot be remapped by that IOMMU, so DMAR-MSI is always a child of VECTOR (arch/x86/kernel/apic/msi.c). Reparent it to ${root ? `'${root.name}'` : 'the vector domain'}`,
        [at(d.parent, `'${d.parent.name}' is a remap unit`)],
      );
    }
  },
};

export const platformMsiX86Check: Check = {
  code: 'platform-msi-x86',
  run(m, report) {
    for (const d of m.domains) {
      if (d.kind !== 'platform-msi' || !d.parent?.kind || !X86_PARENTS.includes(d.parent.kind)) continue;
      report(
        d.parentRef!,
        `the platform-msi domain '${d.name}' sits under the x86 ${d.parent.kind} domain '${d.parent.name}': x86 MSI parents accept only PCI device domains (x86_init_dev_msi_info takes DOMAIN_BUS_PCI_DEVICE_MSI/MSIX children only, arch/x86/kernel/apic/msi.c). Model a device-specific store as a per-device ims domain (6.2-6.9) or as PCI/MSI-X`,
        [at(d.parent, `'${d.parent.name}' is an x86 MSI parent`)],
      );
    }
  },
};

export const parentNotMsiParentCheck: Check = {
  code: 'parent-not-msi-parent',
  run(m, report) {
    for (const d of m.domains) {
      const p = d.parent;
      if (!d.kind || !p?.kind || onCycle(d)) continue;
      const k = d.kind;
      if (KINDS[k].root || k === 'remap' || k === 'its') continue; // root, remap-parent
      if (UNDER_PCI_MSI.includes(k) && p.kind === 'pci-msi') continue; // ims-parent-pci-msi
      if (k === 'dmar-msi' && p.kind === 'remap') continue; // dmar-msi-under-remap
      if (k === 'platform-msi' && X86_PARENTS.includes(p.kind)) continue; // platform-msi-x86
      let legal: boolean;
      if (k === 'dmar-msi') legal = isRoot(p);
      else if (k === 'ioapic' || k === 'hpet') legal = isRoot(p) || p.kind === 'remap';
      else if (k === 'aplic') legal = p.kind === 'imsic';
      else legal = isMsiParent(p);
      if (legal) continue;
      const site = parentSite(d);
      report(
        site,
        `the ${k} domain '${d.name}' has the ${p.kind} domain '${p.name}' as parent, which is not ${k === 'dmar-msi' ? 'the root' : 'an MSI parent'}: ${k === 'ioapic' || k === 'hpet' ? 'an IO-APIC or HPET sits under the root or under the remap unit whose scope holds it' : k === 'aplic' ? 'an APLIC in MSI mode feeds the IMSIC' : 'per-device message domains can only be created under a domain with IRQ_DOMAIN_FLAG_MSI_PARENT (msi_create_device_irq_domain, kernel/irq/msi.c)'}. Legal parent: ${KINDS[k].parentRule}`,
        [at(p, `'${p.name}' is a ${p.kind} domain`)],
      );
    }
  },
};

export const imsSharedCheck: Check = {
  code: 'ims-shared',
  run(m, report) {
    for (const d of m.domains) {
      if (d.kind !== 'ims' || d.servedDevices.length < 2) continue;
      const D = m.devices;
      report(
        nameSite(d),
        `the IMS domain '${d.name}' serves ${d.servedDevices.length} devices (${d.servedDevices.map((x) => D.name[x]).join(', ')}): IMS slot storage and masking are device-specific, so each device needs its own IMS domain (tglx, lore 87h7tcgbs2.fsf@nanos.tec.linutronix.de). Split it into one domain per device`,
        () =>
          d.servedDevices.map((x) => ({
            file: m.files[D.file[x]],
            start: D.nameStart[x],
            end: D.nameEnd[x],
            message: `${D.name[x]} uses '${d.name}'`,
          })),
      );
    }
  },
};

export const imsNoSlotsCheck: Check = {
  code: 'ims-no-slots',
  run(m, report) {
    for (const d of m.domains) {
      if (d.kind !== 'ims' || d.slots !== undefined) continue;
      report(
        nameSite(d),
        `the IMS domain '${d.name}' has no \`slots\`: slot allocation belongs in the IMS domain's own allocator, not in the driver (tglx, lore 87mu17ghr1.fsf@nanos.tec.linutronix.de). Add \`slots N\` (the device's message store size)`,
      );
    }
  },
};

export const imsParentVectorCheck: Check = {
  code: 'ims-parent-vector',
  run(m, report) {
    if (m.arch !== 'x86') return;
    for (const d of m.domains) {
      if (d.kind !== 'ims' || d.parent?.kind !== 'vector' || !d.parentRef) continue;
      report(
        d.parentRef,
        `the IMS domain '${d.name}' is parented to the vector domain '${d.parent.name}', which does not support PCI/IMS: IMS was enabled on the interrupt-remapping parents only, "but do not enable it on the vector domain" (tglx, "x86/apic/msi: Enable PCI/IMS", lore 20221124232327.022658817@linutronix.de), so x86_init_dev_msi_info() refuses the domain and no interrupt is allocated. Reparent '${d.name}' to the IR unit whose scope holds the device`,
        [at(d.parent, `'${d.parent.name}' is the bare vector domain`)],
      );
    }
  },
};

function scopeSite(unit: Domain, item: ScopeItem | undefined): RelatedFinding {
  if (item)
    return {
      file: unit.file,
      start: item.start,
      end: item.end,
      message: `'${unit.name}' lists it in its scope`,
    };
  return at(unit, `'${unit.name}' has no scope (INCLUDE_PCI_ALL): it covers it`);
}

export const remapScopeCheck: Check = {
  code: 'remap-scope-mismatch',
  run(m, report) {
    const units = m.domains.filter((d) => d.kind === 'remap' || d.kind === 'its');
    if (units.length === 0) return;
    const D = m.devices;
    // devices: their message domains (msi-domain, ims, ntb) must go through the covering unit
    for (let dev = 0; dev < D.count; dev++) {
      if (D.rid[dev] < 0) continue;
      const segment = D.segment[dev];
      const bus = D.rid[dev] >> 8;
      const want = msiParentOfDevice(m, dev);
      const wantUnit = want && (want.kind === 'remap' || want.kind === 'its') ? want : undefined;
      const seen = new Set<Domain>();
      for (const [di, ref] of [
        [D.msiDomain[dev], D.msiDomainRef[dev]],
        [D.ims[dev], D.imsRef[dev]],
        [D.ntb[dev], D.ntbRef[dev]],
      ] as const) {
        if (di < 0) continue;
        const dom = m.domains[di];
        if (dom.implied || seen.has(dom) || !chainResolved(dom)) continue;
        seen.add(dom);
        const got = unitOf(dom);
        if (got === wantUnit) continue;
        const file = m.files[D.file[dev]];
        const site: Site =
          ref >= 0
            ? { file, start: file.tree.aStart[ref], end: file.tree.aEnd(ref) }
            : (dom.parentRef ?? { file: dom.file, start: dom.nameStart, end: dom.nameEnd });
        const item = wantUnit && busScopeItem(m, wantUnit, segment, bus);
        const related: RelatedFinding[] = [];
        if (wantUnit) related.push(scopeSite(wantUnit, item));
        if (got) related.push(at(got, `'${dom.name}' goes through '${got.name}'`));
        const name = D.name[dev];
        const pci = pciText(m, dev);
        report(
          site,
          wantUnit
            ? got
              ? `${name} (${pci}) is routed through '${got.name}' by '${dom.name}', but '${wantUnit.name}' is the unit whose scope holds it: each IR unit owns its remap table and source-ID checks, so its per-device domains depend on that unit (tglx, lore 87h7tcgbs2.fsf@nanos.tec.linutronix.de). Route it through '${wantUnit.name}'`
              : `${name} (${pci}) bypasses remapping through '${dom.name}', but '${wantUnit.name}' covers it: with IR enabled the IOMMU blocks compatibility-format MSIs from its scope (drivers/iommu/intel/irq_remapping.c). Route it through '${wantUnit.name}'`
            : `${name} (${pci}) is routed through '${got!.name}', whose scope does not hold it: the unit would reject its requester ID (source-ID check). Fix the scope or the route`,
          related,
        );
      }
    }
    // IO-APICs and HPETs: under the unit that lists their id (DRHD scope), or the root if none does
    if (!units.some((u) => u.kind === 'remap')) return;
    for (const d of m.domains) {
      if ((d.kind !== 'ioapic' && d.kind !== 'hpet') || !d.parent) continue;
      const want = remapForId(m, d.kind, d.id);
      const got = d.parent.kind === 'remap' ? d.parent : undefined;
      if (got === want) continue;
      if (!d.parent.kind || (d.parent.kind !== 'remap' && !isRoot(d.parent))) continue; // parent-not-msi-parent
      const item = want && idScopeItem(m, want, d.kind, d.id);
      const label = d.kind === 'ioapic' ? 'IO-APIC' : 'HPET';
      const related: RelatedFinding[] = [];
      if (want) related.push(scopeSite(want, item));
      report(
        d.parentRef!,
        want
          ? `the ${label} '${d.name}'${d.id !== undefined ? ` (id ${d.id})` : ''} is under '${d.parent.name}', but '${want.name}' is the unit whose scope holds it: the unit programs its source-ID ("Failed to set source-id of ${label}", drivers/iommu/intel/irq_remapping.c). Reparent it to '${want.name}'`
          : `the ${label} '${d.name}'${d.id !== undefined ? ` (id ${d.id})` : ' (no id)'} is under '${d.parent.name}', whose scope does not list it ("Failed to set source-id of ${label}", drivers/iommu/intel/irq_remapping.c). Add \`${d.kind} ${d.id ?? 'ID'}\` to that unit's scope, or reparent it`,
        related,
      );
    }
  },
};

export const virtualMsixCheck: Check = {
  code: 'virtual-msix',
  run(m, report) {
    const G = m.groups;
    for (let g = 0; g < G.count; g++) {
      const src = G.source[g] as Src;
      if (src !== Src.Virtual && src !== Src.Window) continue;
      const dev = G.device[g];
      const name = m.devices.name[dev];
      const site = sourceSite(m, g);
      if (src === Src.Virtual) {
        report(
          site,
          `${G.size[g] > 1 ? `${name}.${G.name[g]}[${G.first[g]}..${G.last[g]}] are virtual MSI-X entries` : `${irqName(m, G.order[g])} is a virtual MSI-X entry`} (PCI_IRQ_VIRTUAL, beyond the table): such interrupts have nothing to do with PCI/MSI-X and belong in a per-device NTB domain ("PCI_IRQ_VIRTUAL has to die ASAP", tglx, lore 87ilwacwp8.ffs@tglx). Declare an \`ntb\` domain for ${name} and use \`window W\``,
        );
      } else if (G.domain[g] >= 0 && m.domains[G.domain[g]].kind === 'pci-msi') {
        const dom = m.domains[G.domain[g]];
        report(
          site,
          `${irqName(m, G.order[g])} is an NTB memory-window interrupt placed in the PCI/MSI domain '${dom.name}': it is not a PCI/MSI-X entry and belongs in a per-device NTB domain (tglx, lore 87ilwacwp8.ffs@tglx). Give ${name} an \`ntb\` domain`,
          [at(dom, `'${dom.name}' is a pci-msi domain`)],
        );
      }
    }
  },
};

export const mixedMsiEraCheck: Check = {
  code: 'mixed-msi-era',
  run(m, report) {
    if (m.arch !== 'x86' || kernelAtLeast(m, 6, 2) !== true) return;
    // the first per-device domain under each parent, looked up once per parent
    const firstImplied = new Map<Domain, Domain | undefined>();
    for (const d of m.domains) {
      if (d.kind !== 'pci-msi' || d.implied || d.device >= 0 || !d.parent) continue;
      let perDevice = firstImplied.get(d.parent);
      if (!firstImplied.has(d.parent))
        firstImplied.set(
          d.parent,
          (perDevice = d.parent.children.find((c) => c.kind === 'pci-msi' && c.implied)),
        );
      if (!perDevice) continue;
      report(
        nameSite(d),
        `'${d.name}' is a shared PCI/MSI domain beside per-device domains such as '${perDevice.name}' under '${d.parent.name}', on kernel ${m.kernel!.text}: x86 converted to per-device MSI domains wholesale in 6.2 (tglx, lore 20221124230505.073418677@linutronix.de). Drop '${d.name}' and let each device have its own domain`,
        [
          at(
            perDevice,
            `'${perDevice.name}' is the per-device domain of ${perDevice.impliedFor >= 0 ? devName(m, perDevice.impliedFor) : 'a device'}`,
          ),
        ],
      );
    }
  },
};

export const platformMsiPciCheck: Check = {
  code: 'platform-msi-pci',
  run(m, report) {
    const D = m.devices;
    for (let dev = 0; dev < D.count; dev++) {
      if (D.rid[dev] < 0) continue;
      const file = m.files[D.file[dev]];
      for (const [di, ref] of [
        [D.msiDomain[dev], D.msiDomainRef[dev]],
        [D.ims[dev], D.imsRef[dev]],
      ] as const) {
        const dom = di >= 0 ? m.domains[di] : undefined;
        if (dom?.kind !== 'platform-msi') continue;
        const site: Site =
          ref >= 0
            ? { file, start: file.tree.aStart[ref], end: file.tree.aEnd(ref) }
            : { file, start: D.nameStart[dev], end: D.nameEnd[dev] };
        const name = D.name[dev];
        report(
          site,
          `${name} is a PCI device (${pciText(m, dev)}) whose device-specific interrupts use the platform-MSI domain '${dom.name}': platform-MSI is a shared crutch, and a device-specific message store needs its own per-device domain (tglx, lore 87h7tcgbs2.fsf@nanos.tec.linutronix.de). Give ${name} its own ims domain (x86, 6.2-6.9) or use its PCI/MSI-X domain`,
          [at(dom, `'${dom.name}' is a platform-msi domain`)],
        );
      }
    }
  },
};

export const unusedDomainCheck: Check = {
  code: 'unused-domain',
  run(m, report) {
    const endpoints = new Set<number>();
    const G = m.groups;
    for (let g = 0; g < G.count; g++) if (G.domain[g] >= 0) endpoints.add(G.domain[g]);
    for (const d of m.domains) {
      if (d.implied || !d.kind || KINDS[d.kind].root) continue;
      if (d.children.length > 0 || endpoints.has(d.index)) continue;
      const served = d.servedDevices.map((x) => m.devices.name[x]);
      report(
        nameSite(d),
        `'${d.name}' is declared but is no parent of anything and serves no interrupt${served.length ? ` (${served.join(', ')} request${served.length === 1 ? 's' : ''} none through it)` : ''}`,
      );
    }
  },
};
