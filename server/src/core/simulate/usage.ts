// Usage: per CPU (the vector matrix's columns, or LPIs and IMSIC identities) and per domain (what
// each hands out, how much is taken, its capacity).

import { Src, groupsOfDevice } from '../model';
import type { Simulator } from './index';
import { FIRST_LPI, LPI_LIMIT } from './levels/its';
import { INTEL_IRTE_ENTRIES } from './levels/remap-intel';
import { AMD_IRTE_ENTRIES } from './levels/remap-amd';
import { NR_VECTORS } from './matrix';
import type { CpuUsage, DomainUsage } from './types';

export function cpuUsage(sim: Simulator): CpuUsage[] {
  const s = sim.s;
  const vec = sim.levels.vector;
  const mat = vec?.matrix;
  const offline = sim.offlined;
  const nodeOf = new Map<number, number>();
  if (s.m.nodesGiven)
    for (const n of s.m.nodes) for (const c of n.cpus) if (!nodeOf.has(c)) nodeOf.set(c, n.id);
  return s.cpus.map((cpu, c) => {
    const node = nodeOf.get(cpu) ?? null;
    if (mat && vec) {
      const vectors = mat.vectorsOf(c);
      let inUse = 0;
      for (const v of vectors) if (vec.owner[c * NR_VECTORS + v] === -1) inUse++;
      return {
        cpu,
        apic_id: s.apic[c],
        online: !mat.offline[c],
        used: mat.act[c],
        available: mat.avl[c],
        managed: mat.man[c],
        managed_allocated: mat.mac[c],
        vectors,
        node,
        in_use: inUse,
        capacity: mat.capacity,
      };
    }
    return {
      cpu,
      apic_id: s.apic[c],
      online: !offline.has(cpu),
      used: s.m.arch === 'riscv' ? sim.levels.imsic.next[c] : sim.levels.gic.lpiCount[c],
      available: 0,
      managed: 0,
      managed_allocated: 0,
      vectors: [],
      node,
      in_use: 0,
      capacity: 0,
    };
  });
}

export function domainUsage(sim: Simulator): DomainUsage[] {
  const m = sim.m;
  const L = sim.levels;
  const mat = L.vector?.matrix;
  const out: DomainUsage[] = [];
  for (const d of m.domains) {
    if (!d.kind) continue;
    let n = sim.used[d.index];
    let resource: string;
    let size: number | null = null;
    switch (d.kind) {
      case 'vector':
        resource = 'vector';
        size = mat ? mat.capacity * mat.ncpu : null;
        n = mat ? mat.act.reduce((a, b) => a + b, 0) : n;
        break;
      case 'remap':
        if (d.vendor === 'amd') {
          resource = `remap table entry (per device, ${d.entries ?? AMD_IRTE_ENTRIES} each)`;
          n = 0;
          for (const t of L.amd.tables.values()) if (t.unit === d) n += t.table.count;
        } else {
          resource = 'IRTE';
          size = d.entries ?? INTEL_IRTE_ENTRIES;
          n = L.intel.tables[d.index]?.table.count ?? 0;
        }
        break;
      case 'its': {
        resource = 'event ID';
        let total = 0;
        n = 0;
        for (const t of L.its.devices.values())
          if (t.its === d) {
            total += t.size;
            n += t.events.count;
          }
        size = total || null;
        break;
      }
      case 'gic':
        resource = 'LPI';
        size = LPI_LIMIT - FIRST_LPI;
        break;
      case 'imsic':
        resource = 'identity';
        break;
      case 'pci-msi': {
        const dev = d.device >= 0 ? d.device : d.impliedFor;
        let msi = false;
        if (dev >= 0) for (const g of groupsOfDevice(m, dev)) if (m.groups.source[g] === Src.Msi) msi = true;
        resource = msi ? 'MSI vector' : 'MSI-X entry';
        const cap = dev >= 0 ? (msi ? m.devices.msi[dev] : m.devices.msix[dev]) : -1;
        size = cap >= 0 ? cap : null;
        break;
      }
      case 'ims':
        resource = 'IMS slot';
        size = d.slots ?? null;
        break;
      case 'ntb':
        resource = 'window entry';
        break;
      case 'ioapic':
        resource = 'pin';
        size = d.pins ?? null;
        n = L.endpoint.pinCount(d);
        break;
      case 'hpet':
        resource = 'HPET channel';
        break;
      default:
        resource = 'MSI';
    }
    out.push({ name: d.name, resource, used: n, size });
  }
  return out;
}
