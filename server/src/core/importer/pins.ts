// Per interrupt, the observed values the topology pins (cpu, vector, lpi, irte, affinity, managed,
// inactive, counts) and those it only records (effective mask, node, message), each with the file
// and line it came from: the `irq` statement carries the pins, its comments say where each was read,
// and ImportedIrq.observed keeps them as data for `irqtopo verify`.

import { at, where, type Ctx, type Intr } from './context';
import { canonicalDomain, classifyDomain } from './names';
import type { ImportedDevice, ImportedIrq, Observed } from './result';
import type { IrqLevel, Src } from './types';
import { decodeAmdIrHwirq, formatBdf, formatList } from './util';

const hex = (n: number): string => `0x${n.toString(16)}`;

export function irqOut(
  ctx: Ctx,
  i: Intr,
  dev: ImportedDevice,
  name: string,
  index: number | undefined,
): ImportedIrq {
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
    observed: [],
    observedChain: i.chain,
  };
  const obs = (field: Observed['field'], value: Observed['value'], from: string, src?: Src): void => {
    out.observed.push(src ? { field, value, from, src } : { field, value, from });
  };
  if (i.source === 'msix' || i.source === 'pin') out.sourceArg = i.index;
  const p = i.proc;
  if (p) {
    const desc = `${p.chip ?? ''}${p.hwirq !== undefined ? ` ${p.hwirq}` : ''}${p.trigger ? ` ${p.trigger}` : ''}${p.flow ? `-${p.flow}` : ''}${p.actions.length ? ` ${p.actions.join(', ')}` : ''}`;
    out.comments.push(`irq ${i.irq}: ${desc} [${where(p.src)}]`);
    if (p.counts.length > 0 && !p.elided) {
      if (p.counts.length === ctx.cpus.length) {
        out.counts = p.counts;
        obs('counts', p.counts, '/proc/interrupts', p.src);
      } else
        out.comments.push(
          `counts not written: ${p.counts.length} counts for ${ctx.cpus.length} CPUs (${p.counts.slice(0, 64).join(' ')})`,
        );
    } else if (p.elided)
      out.comments.push("counts not written: the row's CPU columns were elided with '...'");
  }
  if (i.pinAssumed) {
    out.comments.push(`pin ${i.index}: assumed equal to the irq number (this kernel does not print the pin)`);
    ctx.inferred.push(
      `${dev.name}.${name}: IO-APIC pin ${i.index} assumed = irq number (pre-4.3 format has no hwirq column)`,
    );
  }
  if (i.cls?.kind === 'pci-msi' && !i.cls.perDevice && i.hwirq !== undefined && i.bdf)
    out.comments.push(`hwirq ${i.hwirq} = index ${i.index} | RID(${formatBdf(i.bdf)}) << 11 | segment << 27`);
  const procIrq = i.irq !== undefined ? ctx.machine.procIrqs.get(i.irq) : undefined;
  const sys = i.irq !== undefined ? ctx.machine.sysIrqs.get(i.irq) : undefined;
  const d = i.dbg;
  const lv = d?.levels.filter((l) => l.domain !== '') ?? [];
  if (d)
    out.comments.push(
      `irqs/${d.irq ?? '?'} [${at(d.src)}]: ${lv.map((l) => `${l.domain}${l.hwirq !== undefined ? ` (hwirq ${hex(l.hwirq)})` : ''}`).join(' > ')}`,
    );
  // managed, masked
  const vl = lv.find((l) => canonicalDomain(l.domain) === 'VECTOR' || l.chip === 'APIC');
  if (vl?.managed === true || d?.dstate.includes('IRQD_AFFINITY_MANAGED')) {
    out.managed = true;
    obs(
      'managed',
      true,
      vl?.managed ? 'debugfs VECTOR is_managed: 1' : 'debugfs dstate IRQD_AFFINITY_MANAGED',
      vl?.managedSrc ?? d?.src,
    );
  }
  out.masked = d?.dstate.includes('IRQD_IRQ_MASKED') === true;
  // the remap-table index
  irte(ctx, i, out, lv, obs);
  // placement
  if (ctx.arch === 'x86' && vl) vectorPins(ctx, i, out, vl, obs);
  else if (ctx.arch === 'x86' && !d) effectivePin(ctx, i, out, obs);
  if (ctx.arch !== 'x86') {
    const g = lv.find((l) => classifyDomain(canonicalDomain(l.domain), l.chip)?.kind === 'gic');
    if (g?.hwirq !== undefined && g.hwirq >= 8192) {
      out.lpi = g.hwirq;
      obs('lpi', g.hwirq, 'debugfs GIC level hwirq', g.src);
      out.comments.push(`observed: LPI ${g.hwirq} (the GIC level's hwirq) [${at(g.src)}]`);
    }
    effectivePin(ctx, i, out, obs);
  }
  // inactive without debugfs: /sys/kernel/irq/<n> lists the interrupt but no action requested it
  if (
    !d &&
    sys?.actions &&
    sys.actions.value.length === 0 &&
    (!p || p.actions.length === 0) &&
    out.cpu === undefined
  ) {
    out.inactive = true;
    obs('inactive', true, `/sys/kernel/irq/${i.irq}/actions is empty`, sys.actions.src);
    out.comments.push(
      `inactive: no action in /sys/kernel/irq/${i.irq}/actions [${at(sys.actions.src)}] (allocated, no driver requested it)`,
    );
  }
  const msg = lv.find((l) => l.addressLo !== undefined || l.msgData !== undefined);
  if (msg) {
    const text = `address_hi ${hex(msg.addressHi ?? 0)} address_lo ${hex(msg.addressLo ?? 0)} data ${hex(msg.msgData ?? 0)}`;
    out.comments.push(`message: ${text} [${at(msg.msgSrc)}]`);
    obs('message', text, `debugfs ${msg.domain} address_hi/address_lo/msg_data`, msg.msgSrc);
  }
  // affinity: debugfs `affinity:`, else /proc/irq/<n>/smp_affinity_list
  const aff = d?.affinity
    ? { value: d.affinity, src: d.affinitySrc, from: 'debugfs affinity:' }
    : procIrq?.affinity
      ? {
          value: procIrq.affinity.value,
          src: procIrq.affinity.src,
          from: `/proc/irq/${i.irq}/smp_affinity_list`,
        }
      : undefined;
  if (aff) {
    obs('affinity', aff.value, aff.from, aff.src);
    const a = aff.value.filter((c) => ctx.cpuSet.has(c));
    if (a.length > 0 && a.length < ctx.cpus.length) {
      out.affinity = a;
      out.comments.push(
        `affinity ${formatList(aff.value)}: ${aff.from} [${at(aff.src)}]${a.length < aff.value.length ? `; written without the CPUs that are not online` : ''}`,
      );
    }
    if (out.cpu !== undefined && !aff.value.includes(out.cpu))
      ctx.problem(
        aff.src,
        'information',
        `irq ${i.irq} is on CPU ${out.cpu}, outside its affinity ${formatList(aff.value)}: a managed interrupt shut down (its CPUs offline), a broken affinity ("Affinity broken due to vector space exhaustion"), or a change still pending`,
      );
  }
  if (procIrq?.node && procIrq.node.value >= 0)
    obs('node', procIrq.node.value, `/proc/irq/${i.irq}/node`, procIrq.node.src);
  if (!d && !procIrq?.effective && p && p.counts.length > 0 && !p.elided) {
    let max = 0;
    for (const c of p.counts) if (c > max) max = c;
    if (max > 0) {
      const cpuIdx = p.counts.indexOf(max);
      out.comments.push(
        `most interrupts on CPU ${ctx.cpus[cpuIdx] ?? cpuIdx} (${max}); the effective CPU is in neither /proc/interrupts nor the other dumps, so none is pinned (/proc/irq/${i.irq ?? 'N'}/effective_affinity_list has it)`,
      );
    }
  }
  return out;
}

type Obs = (field: Observed['field'], value: Observed['value'], from: string, src?: Src) => void;

function vectorPins(ctx: Ctx, i: Intr, out: ImportedIrq, vl: IrqLevel, obs: Obs): void {
  const d = i.dbg!;
  if (vl.vector !== undefined && vl.vector > 0 && vl.target !== undefined) {
    if (!ctx.cpuSet.has(vl.target)) {
      ctx.problem(
        vl.targetSrc ?? d.src,
        'warning',
        `irq ${i.irq} targets CPU ${vl.target}, which is not in cpus ${formatList(ctx.cpus)}: no CPU or vector pinned`,
      );
      return;
    }
    out.cpu = vl.target;
    out.vector = vl.vector;
    obs('cpu', vl.target, 'debugfs VECTOR Target:', vl.targetSrc);
    obs('vector', vl.vector, 'debugfs VECTOR Vector:', vl.vectorSrc);
    out.comments.push(
      `observed: Vector ${vl.vector}, Target ${vl.target} [${at(vl.vectorSrc)}]${out.managed ? ', is_managed 1' : ''}`,
    );
    if (vl.moveInProgress)
      out.comments.push(
        `a move is in progress: previous vector ${vl.prevVector ?? '?'} on CPU ${vl.prevTarget ?? '?'}; pending ${formatList(d.pending ?? [])}`,
      );
    return;
  }
  const disabled = d.dstate.includes('IRQD_IRQ_DISABLED');
  if (vl.vector === 0 && vl.hasReserved === true) {
    out.inactive = true;
    obs('inactive', true, 'debugfs VECTOR Vector: 0, has_reserved: 1', vl.vectorSrc);
    out.comments.push(
      `inactive: Vector 0 with has_reserved 1 [${at(vl.vectorSrc ?? vl.src)}] (allocated with a reservation, never activated${disabled ? ', disabled' : ''})`,
    );
    return;
  }
  const shutdown = d.dstate.includes('IRQD_MANAGED_SHUTDOWN');
  out.comments.push(
    `no vector pinned: Vector ${vl.vector ?? '?'} [${at(vl.vectorSrc ?? vl.src)}] (${shutdown ? 'a managed interrupt shut down: its CPUs are offline' : `not activated${disabled ? ', disabled' : ''}`})`,
  );
}

/** The CPU from the effective affinity (debugfs `effectiv:`, else /proc/irq/<n>/effective_affinity_list). */
function effectivePin(ctx: Ctx, i: Intr, out: ImportedIrq, obs: Obs): void {
  const d = i.dbg;
  const p = i.irq !== undefined ? ctx.machine.procIrqs.get(i.irq)?.effective : undefined;
  const eff = d?.effective
    ? { value: d.effective, src: d.effectiveSrc, from: 'debugfs effectiv:' }
    : p
      ? { value: p.value, src: p.src, from: `/proc/irq/${i.irq}/effective_affinity_list` }
      : undefined;
  if (!eff) return;
  obs('effective', eff.value, eff.from, eff.src);
  if (eff.value.length !== 1) {
    if (eff.value.length > 1)
      out.comments.push(
        `effective affinity ${formatList(eff.value)} (${eff.from}) [${at(eff.src)}]: several CPUs, so no cpu is pinned`,
      );
    return;
  }
  const c = eff.value[0];
  if (!ctx.cpuSet.has(c)) {
    ctx.problem(
      eff.src,
      'warning',
      `irq ${i.irq}'s effective CPU ${c} is not in cpus ${formatList(ctx.cpus)}: not pinned`,
    );
    return;
  }
  if (out.cpu !== undefined) return;
  out.cpu = c;
  obs('cpu', c, eff.from, eff.src);
  out.comments.push(`observed: effective CPU ${c} (${eff.from}) [${at(eff.src)}]`);
}

function irte(ctx: Ctx, i: Intr, out: ImportedIrq, lv: IrqLevel[], obs: Obs): void {
  // Intel: the IR level's hwirq is `index << 16 | sub_handle` (intel_irq_remapping_alloc,
  // drivers/iommu/intel/irq_remapping.c); the IRTE used is index + sub_handle
  const intel = lv.find(
    (l) =>
      /^INTEL-IR-\d+$/.test(canonicalDomain(l.domain)) && l.chip !== undefined && /^INTEL-IR/.test(l.chip),
  );
  if (intel?.hwirq !== undefined) {
    const handle = Math.floor(intel.hwirq / 65536);
    const sub = intel.hwirq % 65536;
    if (handle + sub < 65536) {
      out.irte = handle + sub;
      obs(
        'irte',
        handle + sub,
        `debugfs ${canonicalDomain(intel.domain)} hwirq >> 16${sub ? ' + sub-handle' : ''}`,
        intel.src,
      );
      out.comments.push(
        `IRTE ${handle + sub} in ${canonicalDomain(intel.domain)}: its hwirq ${hex(intel.hwirq)} = index ${handle} << 16 | sub-handle ${sub} [${at(intel.src)}]`,
      );
      const msg = lv.find((l) => l.addressLo !== undefined);
      if (msg?.addressLo !== undefined && (msg.addressLo & 0x10) !== 0) {
        const h = ((msg.addressLo >> 5) & 0x7fff) | (((msg.addressLo >> 2) & 1) << 15);
        if (h !== handle)
          ctx.problem(
            msg.msgSrc,
            'warning',
            `irq ${i.irq}: the remappable address ${hex(msg.addressLo)} carries handle ${h}, but the INTEL-IR hwirq says ${handle}`,
          );
      }
    } else
      ctx.problem(
        intel.src,
        'warning',
        `irq ${i.irq}: INTEL-IR hwirq ${hex(intel.hwirq)} names an IRTE beyond the 65,536 of a unit: not pinned`,
      );
    return;
  }
  // AMD: the IR level's hwirq is `devid << 16 | i` (irq_remapping_alloc, drivers/iommu/amd/iommu.c);
  // the table index is in the message data the device writes (6.15+ debugfs msg_data)
  const amd = lv.find((l) => /^AMD-IR-\d+$/.test(canonicalDomain(l.domain)));
  if (!amd) return;
  if (amd.hwirq !== undefined) {
    const dec = decodeAmdIrHwirq(amd.hwirq);
    if (dec) {
      const dbdf = `${dec.bdf.bus.toString(16).padStart(2, '0')}:${dec.bdf.dev.toString(16).padStart(2, '0')}.${dec.bdf.fn}`;
      out.comments.push(
        `${canonicalDomain(amd.domain)} hwirq ${hex(amd.hwirq)} = devid ${hex(dec.devid)} (${dbdf}) << 16 | position ${dec.position} in its allocation [${at(amd.src)}]`,
      );
      if (
        i.bdf &&
        ((i.bdf.bus << 8) | (i.bdf.dev << 3) | i.bdf.fn) !== dec.devid &&
        i.cls?.kind === 'pci-msi'
      )
        out.comments.push(
          `devid ${dbdf} differs from the device ${formatBdf(i.bdf)}: the IOMMU sees a DMA alias (a bridge's requester ID)`,
        );
    } else
      ctx.problem(
        amd.src,
        'warning',
        `irq ${i.irq}: AMD-IR hwirq ${hex(amd.hwirq)} is not devid << 16 | position`,
      );
  }
  const msg = lv.find((l) => l.msgData !== undefined && l !== amd);
  if (msg?.msgData !== undefined) {
    if (msg.msgData < 2048) {
      out.irte = msg.msgData;
      obs('irte', msg.msgData, `debugfs ${msg.domain} msg_data (the AMD remap-table index)`, msg.msgSrc);
      out.comments.push(
        `IRTE ${msg.msgData}: the message data is the index in the device's AMD remap table [${at(msg.msgSrc)}]`,
      );
    } else
      ctx.problem(
        msg.msgSrc,
        'warning',
        `irq ${i.irq}: msg_data ${hex(msg.msgData)} is beyond an AMD remap table (2,048 entries): no irte pinned`,
      );
  }
}
