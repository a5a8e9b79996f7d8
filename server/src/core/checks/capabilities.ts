// Capability checks (RULES.md "Capabilities") and the interrupt-level `missing-property` cases:
// what a device and its interrupts may ask for, decided without the simulation.

import { KINDS } from '../kinds';
import { kernelAtLeast, msiParentFor, perDeviceMsiEra, type Device, type Domain, type Irq } from '../model';
import type { RelatedInformation } from '../types';
import { isPowerOfTwo } from '../values';
import { chainOf } from './layering';
import type { Check } from './registry';

/** The device's `msi`/`msix` property site, else its name. */
function propSite(dev: Device, name: string) {
  const p = dev.properties.get(name);
  return { uri: dev.uri, range: p ? (p.groups[0]?.[0]?.range ?? p.range) : dev.nameRange };
}

function groupLabel(irq: Irq): string {
  const g = irq.group;
  return g.irqs.length > 1 ? `${g.device.name}.${g.name}[${g.first}..${g.last}]` : irq.id;
}

export const msiCountCheck: Check = {
  code: 'msi-count',
  run(m, report) {
    for (const dev of m.devices) {
      if (dev.msi === undefined || (isPowerOfTwo(dev.msi) && dev.msi <= 32)) continue;
      const s = propSite(dev, 'msi');
      report(
        s.range,
        s.uri,
        `${dev.name} declares ${dev.msi} MSI vectors: the MSI capability encodes a power of two up to 2^5 = 32 (Multiple Message Capable, drivers/pci/msi/msi.c). Use ${dev.msi > 32 ? 32 : 1 << Math.floor(Math.log2(dev.msi))}, or MSI-X for more`,
      );
    }
  },
};

export const msixTableSizeCheck: Check = {
  code: 'msix-table-size',
  run(m, report) {
    for (const dev of m.devices) {
      if (dev.msix === undefined || dev.msix <= 2048) continue;
      const s = propSite(dev, 'msix');
      report(
        s.range,
        s.uri,
        `${dev.name} declares an MSI-X table of ${dev.msix} entries: the table size field (PCI_MSIX_FLAGS_QSIZE, N-1 in 11 bits) allows at most 2048`,
      );
    }
  },
};

/** MSI-X entries in allocation order: explicit index, else the lowest free one. */
export const msixIndexCheck: Check = {
  code: 'msix-index-range',
  run(m, report) {
    for (const dev of m.devices) {
      if (dev.msix === undefined) continue;
      const used = new Set<number>();
      let next = 0;
      const reported = new Set<unknown>();
      for (const irq of dev.irqs) {
        const s = irq.source;
        if (s?.kind !== 'msix') continue;
        let idx: number;
        if (s.arg !== undefined && irq.group.irqs.length === 1) idx = s.arg;
        else if (s.arg !== undefined) idx = s.arg + (irq.index! - irq.group.first!);
        else {
          while (used.has(next)) next++;
          idx = next;
        }
        used.add(idx);
        if (idx < dev.msix || reported.has(irq.group)) continue;
        reported.add(irq.group);
        report(
          s.range,
          irq.uri,
          `${irq.id} takes MSI-X entry ${idx}, but ${dev.name}'s table has ${dev.msix} entries (0..${dev.msix - 1}): the kernel rejects the index (drivers/pci/msi/msi.c). Raise \`msix\` if the table is larger, or mark entries beyond the table \`virtual\` (better: an ntb domain)`,
          [{ uri: dev.uri, range: propSite(dev, 'msix').range, message: `${dev.name}: msix ${dev.msix}` }],
        );
      }
    }
  },
};

export const msiAndMsixCheck: Check = {
  code: 'msi-and-msix',
  run(m, report) {
    for (const dev of m.devices) {
      const first = new Map<string, Irq>();
      for (const irq of dev.irqs) {
        const k = irq.source?.kind === 'virtual' ? 'msix' : irq.source?.kind;
        if (k !== 'msi' && k !== 'msix') continue;
        if (!first.has(k)) first.set(k, irq);
        const other = first.get(k === 'msi' ? 'msix' : 'msi');
        if (!other || first.get(k) !== irq) continue;
        report(
          irq.source!.range,
          irq.uri,
          `${dev.name} requests both MSI and MSI-X interrupts: they are mutually exclusive per device ("can't enable MSI-X (MSI already enabled)", drivers/pci/msi/msi.c) and share the default per-device domain slot. Use one of them`,
          [{ uri: other.uri, range: other.source!.range, message: `${other.id} uses ${other.source!.kind}` }],
        );
      }
    }
  },
};

/** The nearest multi-MSI setting on the chain, else the MSI parent's default. */
export function multiMsiSupported(d: Domain | undefined): boolean {
  for (const c of chainOf(d)) {
    if (c.multiMsi !== undefined) return c.multiMsi;
    if (c.kind && KINDS[c.kind].msiParent) return c.kind === 'remap' || c.kind === 'its';
  }
  return false;
}

export const multiMsiCheck: Check = {
  code: 'multi-msi-unsupported',
  run(m, report) {
    for (const dev of m.devices) {
      const msis = dev.irqs.filter((i) => i.source?.kind === 'msi');
      if (msis.length < 2 || !dev.msiDomain || multiMsiSupported(dev.msiDomain)) continue;
      const parent = chainOf(dev.msiDomain).find((c) => c.kind && KINDS[c.kind].msiParent);
      const second = msis[1];
      report(
        second.source!.range,
        second.uri,
        `${dev.name} requests ${msis.length} MSI vectors under ${parent ? `the ${parent.kind} domain '${parent.name}'` : 'a parent'}, which does not support multi-MSI (no MSI_FLAG_MULTI_PCI_MSI: the x86 vector domain cannot allocate contiguous vectors): the kernel grants a single vector (msi_capability_init returns 1). Use MSI-X, or route it through an IR unit`,
        parent
          ? [{ uri: parent.uri, range: parent.nameRange, message: `'${parent.name}' has no multi-MSI` }]
          : [],
      );
    }
  },
};

export const imsKernelCheck: Check = {
  code: 'ims-kernel',
  run(m, report) {
    if (!m.kernel) return;
    const from = kernelAtLeast(m, 6, 2);
    const gone = kernelAtLeast(m, 6, 10);
    if (from && !gone) return;
    for (const d of m.domains) {
      if (d.kind !== 'ims') continue;
      report(
        d.nameRange,
        d.uri,
        from
          ? `'${d.name}' is an IMS domain, but kernel ${m.kernel.text} has no PCI/IMS: it was removed in 6.10 for want of users ("PCI/MSI: Remove IMS support for now", lore 20240410221307.2162676-1-helgaas@kernel.org). Use kernel 6.2-6.9, or model the store another way`
          : `'${d.name}' is an IMS domain, but kernel ${m.kernel.text} has no PCI/IMS: it arrived in 6.2 with per-device MSI domains (lore 20221124230505.073418677@linutronix.de). Use kernel 6.2-6.9`,
        [{ uri: m.kernel.uri, range: m.kernel.range, message: `kernel ${m.kernel.text}` }],
      );
    }
  },
};

export const assignmentCheck: Check = {
  code: 'assignment-unsafe',
  run(m, report) {
    for (const dev of m.devices) {
      if (dev.assign !== 'vfio') continue;
      const start = dev.msiDomain ?? msiParentFor(m, dev.pci);
      const chain = chainOf(start);
      if (chain.some((d) => d.kind === 'remap' || d.kind === 'its')) continue;
      const p = dev.properties.get('assign');
      report(
        p?.range ?? dev.nameRange,
        dev.uri,
        `${dev.name} is assigned to a guest (vfio) but its MSIs are not isolated: the route ${chain.length ? chain.map((d) => d.name).join(' > ') : '(none)'} has no remap unit or ITS, so a guest could inject any interrupt. VFIO refuses with -EPERM ("No interrupt remapping support. Use the module param allow_unsafe_interrupts", drivers/vfio/vfio_iommu_type1.c). Route it through an IR unit`,
      );
    }
  },
};

export const cpuUnknownCheck: Check = {
  code: 'cpu-unknown',
  run(m, report) {
    if (m.cpus.length === 0) return;
    const online = new Set(m.cpus);
    const cpus = m.cpusRange ? [{ uri: m.rootUri, range: m.cpusRange, message: 'the online CPUs' }] : [];
    const reported = new Set<unknown>();
    for (const irq of m.irqs) {
      if (reported.has(irq.group)) continue;
      const bad = irq.affinity?.filter((c) => !online.has(c)) ?? [];
      if (bad.length > 0 && irq.affinityRange) {
        reported.add(irq.group);
        report(
          irq.affinityRange,
          irq.uri,
          `the affinity of ${groupLabel(irq)} names CPU${bad.length > 1 ? 's' : ''} ${bad.slice(0, 8).join(', ')}${bad.length > 8 ? ', ...' : ''}, not in \`cpus\``,
          cpus,
        );
      }
      if (irq.cpu && !online.has(irq.cpu.value)) {
        reported.add(irq.group);
        report(
          irq.cpu.range,
          irq.uri,
          `${groupLabel(irq)} is pinned to CPU ${irq.cpu.value}, which is not in \`cpus\``,
          cpus,
        );
      }
    }
    for (const d of m.domains)
      for (const u of d.inUse) {
        const bad = u.cpus.filter((c) => !online.has(c));
        if (bad.length)
          report(
            u.range,
            d.uri,
            `in-use names CPU${bad.length > 1 ? 's' : ''} ${bad.slice(0, 8).join(', ')}, not in \`cpus\``,
            cpus,
          );
      }
  },
};

/** What an interrupt source needs from its device. */
export const sourceNeedsCheck: Check = {
  code: 'missing-property',
  run(m, report) {
    const oldEra = !perDeviceMsiEra(m);
    for (const dev of m.devices) {
      const seen = new Set<string>();
      for (const g of dev.groups) {
        const s = g.irqs[0]?.source;
        if (!s) continue;
        const once = (key: string, message: string, related: RelatedInformation[] = []) => {
          if (seen.has(key)) return;
          seen.add(key);
          report(s.range, g.uri, message, related);
        };
        const devAt = [{ uri: dev.uri, range: dev.nameRange, message: `${dev.name} is declared here` }];
        switch (s.kind) {
          case 'msix':
          case 'virtual':
            if (dev.msix === undefined)
              once(
                'msix',
                `${dev.name} has no MSI-X capability: add \`msix N\` (its table size) to the device`,
                devAt,
              );
            break;
          case 'msi':
            if (dev.platform && !dev.msiDomain)
              once(
                'msi-domain',
                `${dev.name} is a platform device with no \`msi-domain\`: name the domain its MSIs use`,
                devAt,
              );
            else if (!dev.platform && dev.msi === undefined)
              once(
                'msi',
                `${dev.name} has no MSI capability: add \`msi N\` (vectors, a power of two up to 32) to the device`,
                devAt,
              );
            break;
          case 'ims':
            if (!dev.ims)
              once(
                'ims',
                `${dev.name} has no IMS domain: add \`ims NAME\` to the device, or \`device ${dev.name}\` to an ims domain`,
                devAt,
              );
            break;
          case 'pin':
            if (!g.irqs[0].domain)
              once(
                'ioapic',
                `${dev.name} has no IO-APIC for pin interrupts: add \`ioapic NAME\` to the device (implied only when the file has exactly one ioapic domain)`,
                devAt,
              );
            break;
          case 'window':
            if (dev.windows === undefined)
              once(
                'windows',
                `${dev.name} has no NTB memory windows: add \`windows N\` to the device`,
                devAt,
              );
            break;
        }
        if (
          (s.kind === 'msix' || s.kind === 'msi' || s.kind === 'virtual') &&
          !dev.msiDomain &&
          !dev.platform
        ) {
          if (!dev.pci)
            once(
              'pci',
              `${dev.name} raises PCI MSI(-X) interrupts but has no \`pci\` address: add \`pci SSSS:BB:DD.F\` (or \`platform\` and an msi-domain)`,
              devAt,
            );
          else if (oldEra)
            once(
              'msi-domain',
              `${dev.name} has no \`msi-domain\`: on ${m.arch} kernel ${m.kernel?.text} there are no per-device MSI domains yet (x86 from 6.2, arm64 from 6.11), so name the global PCI/MSI domain it uses`,
              devAt,
            );
        }
      }
    }
  },
};

/** Source arguments beyond what the domain or device has: an IO-APIC pin, an NTB memory window. */
export const sourceRangeCheck: Check = {
  code: 'bad-value',
  run(m, report) {
    for (const dev of m.devices) {
      for (const g of dev.groups) {
        const irq = g.irqs[0];
        const s = irq?.source;
        if (s?.arg === undefined) continue;
        const d = irq.domain;
        if (s.kind === 'pin' && d?.pins !== undefined && s.arg >= d.pins)
          report(
            s.range,
            g.uri,
            `pin ${s.arg} is beyond '${d.name}', which has ${d.pins} pins (0..${d.pins - 1})`,
            [{ uri: d.uri, range: d.nameRange, message: `'${d.name}' is declared here` }],
          );
        if (s.kind === 'window' && dev.windows !== undefined && s.arg >= dev.windows)
          report(
            s.range,
            g.uri,
            `window ${s.arg} is beyond ${dev.name}'s ${dev.windows} NTB memory windows (0..${dev.windows - 1})`,
            [{ uri: dev.uri, range: dev.nameRange, message: `${dev.name} is declared here` }],
          );
      }
    }
  },
};
