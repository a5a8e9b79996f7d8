// `expect` and `inject` (LANGUAGE.md 2.4), evaluated against the finished allocation.

import { EXPECT_CLAUSES } from '../kinds';
import {
  apicModeOf,
  chainOf,
  msiParentOfDevice,
  pciText,
  statementSite,
  groupOfIrq,
  type Domain,
  type Site,
} from '../model';
import { rangeOf } from '../model/types';
import { At, type SyntaxTree } from '../syntax/tree';
import type { Simulator } from './index';
import { NR_VECTORS } from './matrix';
import { decodeX86, formatMessage, GITS_TRANSLATER } from './messages';
import type { SimulationResult } from './result';
import type { InjectResult, Route } from './types';

const hex = (n: number) => '0x' + n.toString(16);

/** One line about where a route ended up, for messages. */
export function summary(r: Route): string {
  if (r.failure) return `not allocated (${r.failure.code}: ${r.failure.message})`;
  const parts: string[] = [];
  if (r.cpu !== null) parts.push(`CPU ${r.cpu}`);
  if (r.vector !== null) parts.push(`vector ${hex(r.vector)}`);
  if (r.lpi !== null) parts.push(`LPI ${r.lpi}`);
  if (r.irte !== null) parts.push(`IRTE ${r.irte}`);
  if (r.event !== null) parts.push(`event ${r.event}`);
  if (r.message) parts.push(`message ${formatMessage(r.message)}`);
  return parts.join(', ');
}

interface ClauseTest {
  want: string;
  test(r: Route): boolean;
  found(r: Route): string;
}

/** The numbers of a clause's values, or undefined when one is not a number. */
function numbers(t: SyntaxTree, first: number, n: number): number[] | undefined {
  const out: number[] = [];
  for (let a = first; a < first + n; a++) {
    if (t.atomKind(a) !== At.Number) return undefined;
    out.push(t.v1(a));
  }
  return out;
}

function clauseTest(t: SyntaxTree, p: number): ClauseTest | string {
  const name = t.names.names[t.pName[p]];
  if (!(EXPECT_CLAUSES as readonly string[]).includes(name))
    return `'${name}' is not an expectation: expected one of ${EXPECT_CLAUSES.join(', ')}`;
  const first = t.pAtoms[p];
  const n = t.pNAtoms[p];
  if (name === 'path') {
    const names: string[] = [];
    for (let a = first; a < first + n; a++) if (t.isName(a)) names.push(t.nameOf(a));
    if (names.length === 0) return 'path: expected domain names, endpoint first: path A > B > VECTOR';
    const want = names.join(' > ');
    return {
      want: `path ${want}`,
      test: (r) => r.path.join(' > ') === want,
      found: (r) => `path ${r.path.join(' > ') || '(none)'}`,
    };
  }
  const ns = numbers(t, first, n);
  if (name === 'message') {
    if (!ns || ns.length !== 2)
      return 'message: expected the address and the data, e.g. message 0xfee03000 0x0024';
    const [addr, data] = ns;
    return {
      want: `message ${hex(addr)} / ${hex(data)}`,
      test: (r) =>
        !!r.message &&
        r.message.address_hi * 2 ** 32 + r.message.address_lo === addr &&
        r.message.data === data,
      found: (r) => (r.message ? `message ${formatMessage(r.message)}` : 'no MSI message'),
    };
  }
  if (!ns || ns.length !== 1)
    return `${name}: expected one number, e.g. ${name} ${name === 'lpi' ? 8192 : name === 'vector' ? '0x24' : 3}`;
  const v = ns[0];
  const field = name as 'cpu' | 'vector' | 'lpi' | 'irte';
  const show = (x: number | null) => (x === null ? 'none' : field === 'vector' ? hex(x) : String(x));
  return {
    want: `${name} ${show(v)}`,
    test: (r) => r[field] === v,
    found: (r) => `${name} ${show(r[field])}`,
  };
}

export function evaluateExpects(sim: Simulator, res: SimulationResult): void {
  const m = sim.m;
  for (const e of m.expects) {
    if (e.targets.length === 0) continue;
    const t = e.file.tree;
    const s = e.stmt;
    for (let p = t.sProps[s]; p < t.sProps[s] + t.sNProps[s]; p++) {
      const site: Site = { file: e.file, start: t.pStart[p], end: t.pEnd(p) };
      const c = clauseTest(t, p);
      if (typeof c === 'string') {
        sim.s.report('bad-value', site, c);
        continue;
      }
      const bad: Route[] = [];
      for (const k of e.targets) {
        const r = res.route(k);
        if (r && (r.failure || !c.test(r))) bad.push(r);
      }
      if (bad.length === 0) continue;
      const r = bad[0];
      const found = r.failure
        ? `${r.irq} was not allocated (${r.failure.code}: ${r.failure.message})`
        : `found ${c.found(r)} (${r.irq}: ${summary(r)})`;
      const more =
        e.targets.length > 1 ? ` [${bad.length} of the ${e.targets.length} interrupts named differ]` : '';
      sim.s.report('expect-failed', site, `expected ${c.want}, ${found}${more}`, [
        { ...statementSite(m, groupOfIrq(m, r.k)), message: `${r.irq}: ${summary(r)}` },
      ]);
    }
  }
}

export interface InjectOutcome {
  irq: string | null;
  cpu: number | null;
  vector: number | null;
  lpi: number | null;
  /** why nothing fires (irq null) */
  reason: string | null;
  /** for people: what happened */
  text: string;
  /** the write reached a CPU vector or LPI (an interrupt, or an `in-use` vector) */
  landed: boolean;
}

function unrouted(reason: string): InjectOutcome {
  return { irq: null, cpu: null, vector: null, lpi: null, reason, text: reason, landed: false };
}

function fires(r: Route, via: string, from: string): InjectOutcome {
  const where = r.lpi !== null ? `LPI ${r.lpi} on CPU ${r.cpu}` : `CPU ${r.cpu} vector ${hex(r.vector ?? 0)}`;
  const foreign =
    r.device !== from
      ? ` (an interrupt of ${r.device}: a device whose MSIs are not isolated can raise another device's interrupt)`
      : '';
  return {
    irq: r.irq,
    cpu: r.cpu,
    vector: r.vector,
    lpi: r.lpi,
    reason: null,
    text: `the write from ${from} fires ${r.irq} on ${where}${via}${foreign}`,
    landed: true,
  };
}

/** The domains a device's writes travel through: its message domain (or IMS/NTB), else its scope's MSI parent. */
function deviceChain(sim: Simulator, dev: number): Domain[] {
  const m = sim.m;
  const D = m.devices;
  const di = D.msiDomain[dev] >= 0 ? D.msiDomain[dev] : D.ims[dev] >= 0 ? D.ims[dev] : D.ntb[dev];
  const start = di >= 0 ? m.domains[di] : msiParentOfDevice(m, dev);
  return start ? chainOf(start) : [];
}

/** Resolves a write of `data` to `address` by `dev`, as the hardware would. */
export function resolveInject(
  sim: Simulator,
  res: SimulationResult,
  dev: number,
  address: number,
  data: number,
): InjectOutcome {
  const m = sim.m;
  const devName = m.devices.name[dev];
  const route = (k: number) => res.route(k)!;
  const chain = deviceChain(sim, dev);
  if (m.arch === 'arm64') {
    const its = chain.find((d) => d.kind === 'its');
    if (!its)
      return unrouted(
        `${devName} is behind no ITS: on arm64 an MSI reaches the GIC through an ITS doorbell (GITS_TRANSLATER)`,
      );
    if (its.base !== undefined && address !== its.base + GITS_TRANSLATER)
      return unrouted(
        `${hex(address)} is not the doorbell of '${its.name}' (GITS_TRANSLATER at ${hex(its.base + GITS_TRANSLATER)}): the write goes to memory and raises nothing`,
      );
    const t = sim.levels.its.deviceOf(its, dev);
    const devId = m.devices.rid[dev] >= 0 ? hex(m.devices.rid[dev]) : 'unknown';
    if (!t)
      return unrouted(
        `'${its.name}' has no device ID ${devId} (${devName}) mapped (no MAPD): the ITS drops the write`,
      );
    if (data >= t.size || t.owner[data] <= 0)
      return unrouted(
        `event ${data} of device ID ${devId} (${devName}) is not mapped on '${its.name}'${data >= t.size ? ` (its ITT has ${t.size} events)` : ' (no MAPTI)'}: the ITS drops the write`,
      );
    const r = route(t.owner[data] - 1);
    return fires(r, ` (event ${data} -> LPI ${r.lpi} via '${its.name}')`, devName);
  }
  if (m.arch !== 'x86')
    return unrouted(
      `injected writes are resolved on x86 and arm64 only; ${m.arch ?? 'this arch'} is not modelled`,
    );
  const dec = decodeX86(address, data);
  if (dec.kind === 'not-msi')
    return unrouted(
      `${hex(address)} is outside the x86 MSI window 0xfee00000-0xfeefffff: the write goes to memory and raises nothing`,
    );
  const unit = chain.find((d) => d.kind === 'remap');
  if (unit && unit.vendor === 'amd') {
    const idx = data & 0x7ff;
    const t = sim.levels.amd.tables.get(sim.levels.amd.keyOf(unit, unit, dev));
    if (!t || idx >= t.table.size || t.owner[idx] <= 0)
      return unrouted(
        `entry ${idx} of ${devName}'s AMD-Vi remap table under '${unit.name}' is not set up: the IOMMU blocks the write and logs an IO_PAGE_FAULT/INVALID_DEVICE_REQUEST event`,
      );
    return fires(route(t.owner[idx] - 1), ` (remap table entry ${idx} under '${unit.name}')`, devName);
  }
  if (unit) {
    if (dec.kind === 'compat')
      return unrouted(
        `a compatibility-format write (address bit 4 clear) from ${devName}, which is behind '${unit.name}': with interrupt remapping on, the IOMMU blocks compatibility-format MSIs and records a fault (drivers/iommu/intel/irq_remapping.c). A remappable write carries an IRTE handle instead`,
      );
    const t = sim.levels.intel.tables[unit.index];
    const idx = dec.index;
    if (!t || idx >= t.table.size || t.owner.get(idx) <= 0)
      return unrouted(
        `IRTE ${idx} of '${unit.name}' is not present: the IOMMU blocks the write with an interrupt-remapping fault, and nothing fires`,
      );
    const r = route(t.owner.get(idx) - 1);
    if (r.device !== devName) {
      const owner = m.devicesByName.get(r.device);
      const ownerPci = owner !== undefined ? pciText(m, owner) : undefined;
      const myPci = pciText(m, dev);
      return unrouted(
        `IRTE ${idx} of '${unit.name}' belongs to ${r.irq}${ownerPci ? ` (source-id ${ownerPci})` : ''}: its source-id check rejects a write from ${devName}${myPci ? ` (${myPci})` : ''}, so the IOMMU records a remapping fault and nothing fires`,
      );
    }
    return fires(
      r,
      ` (IRTE ${idx} of '${unit.name}'${dec.shv ? `, handle ${dec.handle} + subhandle ${dec.subhandle}` : ''})`,
      devName,
    );
  }
  if (dec.kind === 'remappable')
    return unrouted(
      `a remappable-format write (address bit 4 set) from ${devName}, but no IR unit translates its writes: nothing fires`,
    );
  const mode = apicModeOf(m);
  let c: number;
  if (dec.logical) {
    // logical destination mode (address bit 2): flat's 8-bit logical ID is 1 << cpu (apic_flat_calc_apicid)
    if (mode !== 'flat')
      return unrouted(
        `a logical-destination write (address bit 2 set) to 0x${dec.apicId.toString(16)}, but this machine's APIC driver is ${mode}: ${mode === 'x2apic-cluster' ? 'an x2APIC cluster ID needs 32 bits, which only interrupt remapping or the DMAR-MSI address_hi carry' : 'it addresses CPUs by physical APIC ID'}, so the write reaches no CPU`,
      );
    const cpu = dec.apicId === 0 ? -1 : 31 - Math.clz32(dec.apicId & -dec.apicId);
    c = cpu >= 0 && cpu < sim.s.cpuIndex.length ? sim.s.cpuIndex[cpu] : -1;
    if (c < 0)
      return unrouted(
        `logical destination 0x${dec.apicId.toString(16)} (flat: 1 << cpu) names no online CPU: the write reaches no CPU`,
      );
  } else {
    const id = m.extDestId ? dec.apicId | (dec.extDest << 8) : dec.apicId;
    c = sim.s.apic.findIndex((a) => a === id);
    if (c < 0)
      return unrouted(
        `no CPU has APIC ID ${id} (address bits 19:12${m.extDestId ? ', and 11:5 for bits 14:8 with the extended destination ID' : ''}): the write reaches no CPU`,
      );
  }
  const cpu = sim.s.cpus[c];
  const v = dec.vector;
  const vl = sim.levels.vector;
  if (!vl) return unrouted('the topology has no x86 vector domain to deliver to');
  const mat = vl.matrix;
  if (v < 0x20) return unrouted(`vector ${hex(v)} is an exception vector (below 0x20): an MSI cannot use it`);
  if (mat.isBlocked(v))
    return unrouted(
      `CPU ${cpu} vector ${hex(v)} is a system vector (${mat.era.label}): the write raises that system interrupt, not a device interrupt`,
    );
  const o = vl.owner[c * NR_VECTORS + v];
  if (o === -1)
    return {
      irq: null,
      cpu,
      vector: v,
      lpi: null,
      reason: `CPU ${cpu} vector ${hex(v)} is held by an interrupt the topology lists only as in-use`,
      text: `the write lands on CPU ${cpu} vector ${hex(v)}, held by an interrupt the topology lists only as in-use (not described)`,
      landed: true,
    };
  if (o <= -2) {
    // the old vector of a startup move (4.15-5.9): vector_irq[] still maps it, the interrupt fires there
    const r = route(-o - 2);
    return {
      irq: r.irq,
      cpu,
      vector: v,
      lpi: null,
      reason: null,
      text: `the write lands on CPU ${cpu} vector ${hex(v)}, the old vector ${r.irq} keeps until it first fires after its startup move (move_in_progress): it fires ${r.irq} there, and the kernel then frees that vector (irq_complete_move(), arch/x86/kernel/apic/vector.c)`,
      landed: true,
    };
  }
  if (o <= 0)
    return unrouted(
      `CPU ${cpu} vector ${hex(v)} is not allocated: the kernel would log 'No irq handler for vector'`,
    );
  return fires(route(o - 1), ' (compatibility format)', devName);
}

export function evaluateInjects(sim: Simulator, res: SimulationResult): InjectResult[] {
  const out: InjectResult[] = [];
  for (const inj of sim.m.injects) {
    const site: Site = {
      file: inj.file,
      start: inj.file.tree.sStart[inj.stmt],
      end: inj.file.tree.sEnd[inj.stmt],
    };
    const range = rangeOf(site);
    if (inj.address === undefined || inj.data === undefined || inj.from < 0) {
      out.push({
        uri: inj.file.uri,
        range,
        irq: null,
        cpu: null,
        vector: null,
        lpi: null,
        reason: 'the inject statement is incomplete',
      });
      continue;
    }
    const r = resolveInject(sim, res, inj.from, inj.address, inj.data);
    out.push({
      uri: inj.file.uri,
      range,
      irq: r.irq,
      cpu: r.cpu,
      vector: r.vector,
      lpi: r.lpi,
      reason: r.reason,
    });
    sim.s.report(r.landed ? 'inject-result' : 'inject-unrouted', site, r.text);
  }
  return out;
}
