// Capability checks (RULES.md "Capabilities") and the interrupt-level `missing-property` cases:
// what a device and its interrupts may ask for, decided without the simulation. They read the
// device and group columns; names of interrupts are made only for the findings they report.

import type { RelatedFinding } from '../diagnostics';
import { KINDS } from '../kinds';
import {
  chainOf,
  irqName,
  kernelAtLeast,
  msiParentOfDevice,
  multiMsiSupported,
  singleMsiKind,
  perDeviceMsiEra,
  Src,
  groupPropSite,
  sourceSite,
  type Model,
  type Site,
} from '../model';
import { isPowerOfTwo } from '../values';
import type { Check } from './registry';

/** A device's property (its first value), else its name. */
function propSite(m: Model, dev: number, p: number): Site {
  const D = m.devices;
  const file = m.files[D.file[dev]];
  const t = file.tree;
  if (p < 0) return { file, start: D.nameStart[dev], end: D.nameEnd[dev] };
  if (t.pNAtoms[p] > 0) {
    const a = t.pAtoms[p];
    return { file, start: t.aStart[a], end: t.aEnd(a) };
  }
  return { file, start: t.pStart[p], end: t.pEnd(p) };
}

function devAt(m: Model, dev: number, message: string): RelatedFinding {
  const D = m.devices;
  return { file: m.files[D.file[dev]], start: D.nameStart[dev], end: D.nameEnd[dev], message };
}

/** `nvme0.q[0..7]` for a range, the interrupt's name for one. */
function groupLabel(m: Model, g: number): string {
  const G = m.groups;
  return G.size[g] > 1
    ? `${m.devices.name[G.device[g]]}.${G.name[g]}[${G.first[g]}..${G.last[g]}]`
    : irqName(m, G.order[g]);
}

export const msiCountCheck: Check = {
  code: 'msi-count',
  run(m, report) {
    const D = m.devices;
    for (let dev = 0; dev < D.count; dev++) {
      const n = D.msi[dev];
      if (n < 0 || (isPowerOfTwo(n) && n <= 32)) continue;
      report(
        propSite(m, dev, D.pMsi[dev]),
        `${D.name[dev]} declares ${n} MSI vectors: the MSI capability encodes a power of two up to 2^5 = 32 (Multiple Message Capable, drivers/pci/msi/msi.c). Use ${n > 32 ? 32 : 1 << Math.floor(Math.log2(n))}, or MSI-X for more`,
      );
    }
  },
};

export const msixTableSizeCheck: Check = {
  code: 'msix-table-size',
  run(m, report) {
    const D = m.devices;
    for (let dev = 0; dev < D.count; dev++) {
      if (D.msix[dev] <= 2048) continue;
      report(
        propSite(m, dev, D.pMsix[dev]),
        `${D.name[dev]} declares an MSI-X table of ${D.msix[dev]} entries: the table size field (PCI_MSIX_FLAGS_QSIZE, N-1 in 11 bits) allows at most 2048`,
      );
    }
  },
};

/** MSI-X entries in allocation order: explicit index, else the lowest free one. */
export const msixIndexCheck: Check = {
  code: 'msix-index-range',
  run(m, report) {
    const D = m.devices;
    const G = m.groups;
    const relBy = new Map<number, number[]>();
    for (const r of m.releases) {
      // (pushed, not copied: one device may be released 40,000 times)
      const list = relBy.get(r.device);
      if (list) list.push(r.before);
      else relBy.set(r.device, [r.before]);
    }
    for (let dev = 0; dev < D.count; dev++) {
      const table = D.msix[dev];
      if (table < 0) continue;
      const start = D.gStart[dev];
      let used: Set<number> | undefined;
      let next = 0;
      // a `release` of the device frees its entries: the statements after it count from 0 again
      const releases = relBy.get(dev) ?? [];
      let r = 0;
      for (let i = 0; i < D.gCount[dev]; i++) {
        const g = m.groupsByDevice[start + i];
        for (; r < releases.length && releases[r] <= g; r++) {
          used = undefined;
          next = 0;
        }
        if (G.source[g] !== Src.Msix) continue;
        const arg = G.sourceArg[g];
        const size = G.size[g];
        let worst = -1; // the first entry beyond the table, if any, and its element
        let at = 0;
        if (arg >= 0) {
          // explicit: arg, arg + 1, ... for the elements of a range
          for (let k = 0; k < size; k++) (used ??= new Set()).add(arg + k);
          if (arg + size - 1 >= table) {
            worst = Math.max(arg, table);
            at = worst - arg;
          }
        } else {
          for (let k = 0; k < size; k++) {
            while (used?.has(next)) next++;
            (used ??= new Set()).add(next);
            if (next >= table && worst < 0) {
              worst = next;
              at = k;
            }
          }
        }
        if (worst < 0) continue;
        const id = irqName(m, G.order[g] + at);
        report(
          sourceSite(m, g),
          `${id} takes MSI-X entry ${worst}, but ${D.name[dev]}'s table has ${table} entries (0..${table - 1}): the kernel rejects the index (drivers/pci/msi/msi.c). Raise \`msix\` if the table is larger, or mark entries beyond the table \`virtual\` (better: an ntb domain)`,
          [{ ...propSite(m, dev, D.pMsix[dev]), message: `${D.name[dev]}: msix ${table}` }],
        );
      }
    }
  },
};

export const msiAndMsixCheck: Check = {
  code: 'msi-and-msix',
  run(m, report) {
    const D = m.devices;
    const G = m.groups;
    for (let dev = 0; dev < D.count; dev++) {
      let firstMsi = -1;
      let firstMsix = -1;
      for (let i = 0; i < D.gCount[dev]; i++) {
        const g = m.groupsByDevice[D.gStart[dev] + i];
        const src = G.source[g] as Src;
        const k = src === Src.Virtual ? Src.Msix : src;
        if (k !== Src.Msi && k !== Src.Msix) continue;
        const isMsi = k === Src.Msi;
        const mine = isMsi ? firstMsi : firstMsix;
        if (mine >= 0) continue;
        if (isMsi) firstMsi = g;
        else firstMsix = g;
        const other = isMsi ? firstMsix : firstMsi;
        if (other < 0) continue;
        report(
          sourceSite(m, g),
          `${D.name[dev]} requests both MSI and MSI-X interrupts: they are mutually exclusive per device ("can't enable MSI-X (MSI already enabled)", drivers/pci/msi/msi.c) and share the default per-device domain slot. Use one of them`,
          [
            {
              ...sourceSite(m, other),
              message: `${irqName(m, G.order[other])} uses ${G.source[other] === Src.Msi ? 'msi' : G.source[other] === Src.Virtual ? 'virtual' : 'msix'}`,
            },
          ],
        );
      }
    }
  },
};

export const multiMsiCheck: Check = {
  code: 'multi-msi-unsupported',
  run(m, report) {
    const D = m.devices;
    const G = m.groups;
    for (let dev = 0; dev < D.count; dev++) {
      const md = D.msiDomain[dev] >= 0 ? m.domains[D.msiDomain[dev]] : undefined;
      if (!md || singleMsiKind(md.kind) || multiMsiSupported(md)) continue;
      let n = 0;
      let second = -1;
      for (let i = 0; i < D.gCount[dev]; i++) {
        const g = m.groupsByDevice[D.gStart[dev] + i];
        if (G.source[g] !== Src.Msi) continue;
        if (n < 2 && n + G.size[g] >= 2 && second < 0) second = g;
        n += G.size[g];
      }
      if (n < 2) continue;
      const parent = chainOf(md).find((c) => c.kind && KINDS[c.kind].msiParent);
      report(
        sourceSite(m, second),
        `${D.name[dev]} requests ${n} MSI vectors under ${parent ? `the ${parent.kind} domain '${parent.name}'` : 'a parent'}, which does not support multi-MSI (no MSI_FLAG_MULTI_PCI_MSI: the x86 vector domain cannot allocate contiguous vectors): the kernel grants a single vector (msi_capability_init returns 1). Use MSI-X, or route it through an IR unit`,
        parent
          ? [
              {
                file: parent.file,
                start: parent.nameStart,
                end: parent.nameEnd,
                message: `'${parent.name}' has no multi-MSI`,
              },
            ]
          : [],
      );
    }
  },
};

export const imsKernelCheck: Check = {
  code: 'ims-kernel',
  run(m, report) {
    const k = m.kernel;
    if (!k) return;
    const from = kernelAtLeast(m, 6, 2);
    const gone = kernelAtLeast(m, 6, 10);
    if (from && !gone) return;
    for (const d of m.domains) {
      if (d.kind !== 'ims') continue;
      report(
        { file: d.file, start: d.nameStart, end: d.nameEnd },
        from
          ? `'${d.name}' is an IMS domain, but kernel ${k.text} has no PCI/IMS: it was removed in 6.10 for want of users ("PCI/MSI: Remove IMS support for now", lore 20240410221307.2162676-1-helgaas@kernel.org). Use kernel 6.2-6.9, or model the store another way`
          : `'${d.name}' is an IMS domain, but kernel ${k.text} has no PCI/IMS: it arrived in 6.2 with per-device MSI domains (lore 20221124230505.073418677@linutronix.de). Use kernel 6.2-6.9`,
        [{ ...k.site, message: `kernel ${k.text}` }],
      );
    }
  },
};

export const assignmentCheck: Check = {
  code: 'assignment-unsafe',
  run(m, report) {
    const D = m.devices;
    for (let dev = 0; dev < D.count; dev++) {
      if (!D.assign[dev]) continue;
      const start = D.msiDomain[dev] >= 0 ? m.domains[D.msiDomain[dev]] : msiParentOfDevice(m, dev);
      const chain = chainOf(start);
      if (chain.some((d) => d.kind === 'remap' || d.kind === 'its')) continue;
      const file = m.files[D.file[dev]];
      const p = D.pAssign[dev];
      report(
        p >= 0
          ? { file, start: file.tree.pStart[p], end: file.tree.pEnd(p) }
          : { file, start: D.nameStart[dev], end: D.nameEnd[dev] },
        `${D.name[dev]} is assigned to a guest (vfio) but its MSIs are not isolated: the route ${chain.length ? chain.map((d) => d.name).join(' > ') : '(none)'} has no remap unit or ITS, so a guest could inject any interrupt. VFIO refuses with -EPERM ("No interrupt remapping support. Use the module param allow_unsafe_interrupts", drivers/vfio/vfio_iommu_type1.c). Route it through an IR unit`,
      );
    }
  },
};

export const cpuUnknownCheck: Check = {
  code: 'cpu-unknown',
  run(m, report) {
    if (m.cpus.length === 0) return;
    const online = new Uint8Array(8192);
    for (const c of m.cpus) online[c] = 1;
    const possible = new Uint8Array(8192);
    for (const c of m.possibleCpus) possible[c] = 1;
    const cpusAt: RelatedFinding[] = m.cpusSite ? [{ ...m.cpusSite, message: 'the online CPUs' }] : [];
    const list = (bad: number[]) =>
      `CPU${bad.length > 1 ? 's' : ''} ${bad.slice(0, 8).join(', ')}${bad.length > 8 ? ', ...' : ''}`;
    const G = m.groups;
    // masks are shared: check each once
    const badOfMask = new Map<number, number[]>();
    for (let g = 0; g < G.count; g++) {
      const mask = G.affinity[g];
      if (mask >= 0) {
        let bad = badOfMask.get(mask);
        if (!bad) badOfMask.set(mask, (bad = m.masks[mask].filter((c) => !online[c])));
        if (bad.length > 0)
          report(
            groupPropSite(m, g, 'affinity'),
            `the affinity of ${groupLabel(m, g)} names ${list(bad)}, not in \`cpus\``,
            cpusAt,
          );
      }
      if (G.cpu[g] >= 0 && !online[G.cpu[g]])
        report(
          groupPropSite(m, g, 'cpu'),
          `${groupLabel(m, g)} is pinned to CPU ${G.cpu[g]}, which is not in \`cpus\``,
          cpusAt,
        );
    }
    for (const d of m.domains)
      for (const u of d.inUse) {
        const bad = u.cpus.filter((c) => !online[c]);
        if (bad.length)
          report(
            { file: d.file, start: u.start, end: u.end },
            `in-use names ${list(bad)}, not in \`cpus\``,
            cpusAt,
          );
      }
    // v2: the machine model
    if (m.possibleSite) {
      const missing = m.cpus.filter((c) => !possible[c]);
      if (missing.length)
        report(
          m.possibleSite,
          `possible-cpus leaves out ${list(missing)} of \`cpus\`: every online CPU is a possible CPU (cpu_online_mask is a subset of cpu_possible_mask)`,
          cpusAt,
        );
    }
    for (const n of m.nodes) {
      if (!m.nodesGiven) break;
      const bad = n.cpus.filter((c) => !possible[c]);
      if (bad.length)
        report(
          n.site,
          `node ${n.id} names ${list(bad)}, which ${bad.length > 1 ? 'are' : 'is'} not a possible CPU (possible-cpus, or cpus when it is not given)`,
        );
    }
    if (m.nodesGiven) {
      const inNode = new Uint8Array(8192);
      for (const n of m.nodes) for (const c of n.cpus) inNode[c] = 1;
      const orphans = m.possibleCpus.filter((c) => !inNode[c]);
      const first = m.nodes[0];
      if (orphans.length && first)
        report(
          first.site,
          `${list(orphans)} ${orphans.length > 1 ? 'are' : 'is'} in no node: with \`node\` statements, every possible CPU belongs to one (cpu_to_node)`,
        );
    }
    for (const o of m.offlines) {
      const bad = o.cpus.filter((c) => !online[c]);
      if (bad.length) report(o.site, `offline names ${list(bad)}, not online (\`cpus\`)`, cpusAt);
    }
    const nodeIds = new Set(m.nodes.map((n) => n.id));
    const D = m.devices;
    for (let dev = 0; dev < D.count; dev++) {
      if (D.node[dev] < 0 || nodeIds.has(D.node[dev])) continue;
      const file = m.files[D.file[dev]];
      report(
        { file, start: D.nameStart[dev], end: D.nameEnd[dev] },
        `${D.name[dev]} is on node ${D.node[dev]}, which no \`node\` statement declares`,
      );
    }
    for (const d of m.domains)
      if (d.node !== undefined && !nodeIds.has(d.node))
        report(
          d.propSite('node') ?? { file: d.file, start: d.nameStart, end: d.nameEnd },
          `'${d.name}' is on node ${d.node}, which no \`node\` statement declares`,
        );
  },
};

/** v2: an APIC driver the machine cannot have (arch/x86/kernel/apic/probe_64.c, x2apic_*.c). */
export const apicModeCheck: Check = {
  code: 'apic-mode',
  run(m, report) {
    const a = m.apic;
    if (!a || m.arch !== 'x86') return;
    const maxApic = Math.max(0, ...m.apicIds.values());
    if (a.mode === 'flat') {
      if (kernelAtLeast(m, 6, 12) !== false)
        report(
          a.site,
          `the flat (logical) APIC driver was removed in 6.12 ("x86/apic: Remove logical destination mode for 64-bit"); ${m.kernel ? `kernel ${m.kernel.text}` : 'without a `kernel` statement the newest kernel is modelled, which'} uses physflat or x2APIC. Give the kernel version (before 6.12) if the machine runs flat`,
        );
      else if (m.possibleCpus.length > 8)
        report(
          a.site,
          `the flat APIC driver addresses at most 8 CPUs (destination 1 << cpu in an 8-bit logical ID); this machine has ${m.possibleCpus.length} possible CPUs, so physflat_probe() takes over (arch/x86/kernel/apic/apic_flat_64.c)`,
        );
    }
    if ((a.mode === 'flat' || a.mode === 'physflat') && maxApic > 255)
      report(
        a.site,
        `${a.mode} is an xAPIC driver: APIC IDs reach 255 at most, but this machine has APIC ID ${maxApic}. A machine with larger IDs runs x2APIC (x2apic-cluster or x2apic-phys)`,
      );
    if (a.mode === 'x2apic-cluster') {
      // every message domain must go through interrupt remapping (DMAR-MSI excepted)
      const D = m.devices;
      for (const d of m.domains) {
        if (!d.kind || KINDS[d.kind].root || d.kind === 'remap' || d.kind === 'its' || d.kind === 'dmar-msi')
          continue;
        if (chainOf(d).some((c) => c.kind === 'remap')) continue;
        if (d.implied && D.irqs[d.impliedFor] === 0) continue;
        report(
          a.site,
          `x2apic-cluster needs interrupt remapping for every message domain, but '${d.name}' reaches the vector domain without an IR unit: without IR the kernel forces physical x2APIC (try_to_enable_x2apic, arch/x86/kernel/apic/apic.c). Use x2apic-phys, or route '${d.name}' through a remap unit`,
          [{ file: d.file, start: d.nameStart, end: d.nameEnd, message: `'${d.name}' is not remapped` }],
        );
        break;
      }
    }
  },
};

/** What an interrupt source needs from its device. */
export const sourceNeedsCheck: Check = {
  code: 'missing-property',
  run(m, report) {
    const oldEra = !perDeviceMsiEra(m);
    const D = m.devices;
    const G = m.groups;
    for (let dev = 0; dev < D.count; dev++) {
      let seen = 0;
      const name = D.name[dev];
      const devRel = [devAt(m, dev, `${name} is declared here`)];
      for (let i = 0; i < D.gCount[dev]; i++) {
        const g = m.groupsByDevice[D.gStart[dev] + i];
        const src = G.source[g] as Src;
        if (src === Src.None) continue;
        const once = (bit: number, message: string) => {
          if (seen & bit) return;
          seen |= bit;
          report(sourceSite(m, g), message, devRel);
        };
        switch (src) {
          case Src.Msix:
          case Src.Virtual:
            if (D.msix[dev] < 0)
              once(1, `${name} has no MSI-X capability: add \`msix N\` (its table size) to the device`);
            break;
          case Src.Msi:
            if (D.platform[dev] && D.msiDomain[dev] < 0)
              once(2, `${name} is a platform device with no \`msi-domain\`: name the domain its MSIs use`);
            else if (!D.platform[dev] && D.msi[dev] < 0)
              once(
                4,
                `${name} has no MSI capability: add \`msi N\` (vectors, a power of two up to 32) to the device`,
              );
            break;
          case Src.Ims:
            if (D.ims[dev] < 0)
              once(
                8,
                `${name} has no IMS domain: add \`ims NAME\` to the device, or \`device ${name}\` to an ims domain`,
              );
            break;
          case Src.Pin:
            if (G.domain[g] < 0)
              once(
                16,
                `${name} has no IO-APIC for pin interrupts: add \`ioapic NAME\` to the device (implied only when the file has exactly one ioapic domain)`,
              );
            break;
          case Src.Window:
            if (D.windows[dev] < 0)
              once(32, `${name} has no NTB memory windows: add \`windows N\` to the device`);
            break;
        }
        if (
          (src === Src.Msix || src === Src.Msi || src === Src.Virtual) &&
          D.msiDomain[dev] < 0 &&
          !D.platform[dev]
        ) {
          if (D.rid[dev] < 0)
            once(
              64,
              `${name} raises PCI MSI(-X) interrupts but has no \`pci\` address: add \`pci SSSS:BB:DD.F\` (or \`platform\` and an msi-domain)`,
            );
          else if (oldEra)
            once(
              2,
              `${name} has no \`msi-domain\`: on ${m.arch} kernel ${m.kernel?.text} there are no per-device MSI domains yet (x86 from 6.2, arm64 from 6.11), so name the global PCI/MSI domain it uses`,
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
    const D = m.devices;
    const G = m.groups;
    for (let g = 0; g < G.count; g++) {
      const arg = G.sourceArg[g];
      if (arg < 0) continue;
      const dev = G.device[g];
      const d = G.domain[g] >= 0 ? m.domains[G.domain[g]] : undefined;
      if (G.source[g] === Src.Pin && d?.pins !== undefined && arg >= d.pins)
        report(
          sourceSite(m, g),
          `pin ${arg} is beyond '${d.name}', which has ${d.pins} pins (0..${d.pins - 1})`,
          [{ file: d.file, start: d.nameStart, end: d.nameEnd, message: `'${d.name}' is declared here` }],
        );
      if (G.source[g] === Src.Window && D.windows[dev] >= 0 && arg >= D.windows[dev])
        report(
          sourceSite(m, g),
          `window ${arg} is beyond ${D.name[dev]}'s ${D.windows[dev]} NTB memory windows (0..${D.windows[dev] - 1})`,
          [devAt(m, dev, `${D.name[dev]} is declared here`)],
        );
    }
  },
};
