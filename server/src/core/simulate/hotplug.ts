// CPU hotplug (LANGUAGE.md 3.2): `offline CPULIST` replays the kernel's CPU-down path once every
// interrupt is allocated, one CPU at a time in the order written. docs/kernel-placement.md section 3
// derives each step from the source:
//   1. x86: lapic_can_unplug_cpu() (arch/x86/kernel/apic/vector.c) refuses when the CPU's allocated
//      vectors (managed ones excluded from 6.7, a0b0bad10587) exceed what the other online CPUs have
//      available: "CPU %u has %u vectors, %u available. Cannot disable CPU", -ENOSPC;
//   2. the CPU leaves the online mask, and irq_migrate_all_off_this_cpu() moves every started
//      interrupt whose effective CPU it was, in Linux irq order (the simulation's stand-in: allocation
//      order, then the `in-use` vectors in vector order), as migrate_one_irq() (kernel/irq/cpuhotplug.c)
//      does: a managed one inside mask ∩ online, or shut down when that is empty; a non-managed one to
//      affinity ∩ online, or to every online CPU (broken affinity); -ENOSPC is retried with every
//      online CPU from 6.10 (88d724e2301a), and otherwise "IRQ%u: set affinity failed(-28).".

import type { RelatedFinding } from '../diagnostics';
import { groupOfIrq, maskOfIrq, statementSite, type Site } from '../model';
import { GroupFlag } from '../model/types';
import { formatList } from '../values';
import { IrqCtx } from './context';
import type { Simulator } from './index';
import { NR_VECTORS } from './matrix';
import { PF } from './placement';
import type { SimulationResult } from './result';

const hex = (n: number) => '0x' + n.toString(16);
/** interrupts named in one summary finding at the `offline` line */
const NAMED = 5;
const RELATED = 20;

type Outcome = 'broken' | 'retried' | 'stuck' | 'shutdown';

/** Replays every `offline` over the finished allocation; the placement is updated in place. */
export function replayOffline(sim: Simulator, result: SimulationResult): void {
  const hp = new Hotplug(sim);
  sim.m.offlines.forEach((off, i) => {
    for (const cpu of off.cpus) {
      const step = hp.down(cpu, off.site);
      step.offline = i;
      result.offlineSteps.push(step);
    }
  });
  for (const [k, members] of hp.affinity)
    result.affinityNow.set(
      k,
      members.map((c) => sim.s.cpus[c]),
    );
}

class Hotplug {
  private readonly online: Uint8Array;
  /** interrupts (leaders of shared pins) whose effective CPU is each CPU index, made at the first offline */
  private readonly onCpu: number[][];
  private readonly sharers = new Map<number, number[]>();
  /** an affinity an offline replaced with the online mask of that moment (CPU indices) */
  readonly affinity = new Map<number, number[]>();
  private readonly ctx = new IrqCtx();
  /** per code: the interrupts of this CPU's offline, for the summary at the `offline` line */
  private outcomes = new Map<Outcome, number[]>();

  constructor(private readonly sim: Simulator) {
    const s = sim.s;
    const P = s.placement;
    this.online = new Uint8Array(s.cpus.length).fill(1);
    this.onCpu = s.cpus.map(() => []);
    for (let k = 0; k < P.n; k++) {
      const lead = P.sharedWith.get(k);
      if (lead !== undefined) {
        let l = this.sharers.get(lead);
        if (!l) this.sharers.set(lead, (l = []));
        l.push(k);
        continue;
      }
      if (!this.started(k)) continue;
      const c = s.cpuIndex[P.cpu[k]];
      if (c >= 0) this.onCpu[c].push(k);
    }
  }

  /** migrate_one_irq() skips interrupts that are not started (`inactive`: reserved, never requested). */
  private started(k: number): boolean {
    const P = this.sim.s.placement;
    return (P.flags[k] & PF.Allocated) !== 0 && (P.flags[k] & PF.Inactive) === 0 && P.cpu[k] >= 0;
  }

  private onlineList(): number[] {
    const out: number[] = [];
    for (let c = 0; c < this.online.length; c++) if (this.online[c]) out.push(c);
    return out;
  }

  down(cpu: number, site: Site): OfflineStep {
    const sim = this.sim;
    const s = sim.s;
    const c = cpu < s.cpuIndex.length ? s.cpuIndex[cpu] : -1;
    const step: OfflineStep = {
      offline: -1,
      cpu,
      status: 'down',
      moved: [],
      broken: [],
      shutdown: [],
      stuck: [],
      inUseMoved: 0,
      inUseStuck: [],
    };
    // not a CPU of `cpus` (cpu-unknown says so), or already offline
    if (c < 0) return { ...step, status: 'not-online' };
    if (!this.online[c]) return { ...step, status: 'already-offline' };
    const refused = this.refusal(c, cpu);
    if (refused) {
      s.report('cpu-unplug-refused', site, refused.message);
      return { ...step, status: 'refused', refusal: refused.kernel };
    }
    this.online[c] = 0;
    sim.offlined.add(cpu);
    sim.levels.vector?.matrix.setOffline(c);
    this.outcomes = new Map();
    const list = this.onCpu[c].sort((a, b) => a - b);
    this.onCpu[c] = [];
    for (const k of list) {
      if (s.placement.cpu[k] !== cpu || !this.started(k)) continue; // moved, released or shut down since
      this.migrate(k, c, site);
      if (s.placement.flags[k] & PF.Moved && s.placement.cpu[k] !== cpu) step.moved.push(k);
    }
    const inUse = this.moveInUse(c);
    this.summarize(cpu, site, inUse.stuck);
    step.broken = [...(this.outcomes.get('broken') ?? []), ...(this.outcomes.get('retried') ?? [])].sort(
      (a, b) => a - b,
    );
    step.shutdown = this.outcomes.get('shutdown') ?? [];
    step.stuck = this.outcomes.get('stuck') ?? [];
    step.inUseMoved = inUse.moved;
    step.inUseStuck = inUse.stuck;
    return step;
  }

  /** Why the kernel refuses to take CPU index c down, or undefined. */
  private refusal(c: number, cpu: number): { message: string; kernel: string } | undefined {
    const sim = this.sim;
    const era = sim.era;
    let others = 0;
    for (let x = 0; x < this.online.length; x++) if (this.online[x] && x !== c) others++;
    if (others === 0)
      return refusal(
        `CPU ${cpu} is the last online CPU (-EBUSY)`,
        `offline ${cpu}: CPU ${cpu} is the last online CPU, and the kernel keeps one online: the write to /sys/devices/system/cpu/cpu${cpu}/online fails with -EBUSY (cpu_down_maps_locked(), kernel/cpu.c). CPU ${cpu} stays online; nothing moves`,
      );
    if (sim.m.arch === 'x86' && cpu === 0 && era.v >= 6005)
      return refusal(
        'x86 has no CPU 0 hotplug from 6.5',
        `offline 0: x86 cannot take CPU 0 (the boot CPU) offline from 6.5: "x86/topology: Remove CPU0 hotplug option" (e59e74dc48a3) removed cpu0_hotplug, so cpu0 has no \`online\` file (before 6.5 it needed cpu0_hotplug or CONFIG_BOOTPARAM_HOTPLUG_CPU0). CPU 0 stays online; nothing moves`,
      );
    const mat = sim.levels.vector?.matrix;
    if (!mat) return undefined;
    const managed = mat.mac[c];
    const tomove = mat.act[c] - (era.unplugExcludesManaged ? managed : 0);
    const avl = mat.available(c);
    if (avl >= tomove) return undefined;
    const counted = !managed
      ? ''
      : era.unplugExcludesManaged
        ? ` (its ${managed} managed vector${managed > 1 ? 's are' : ' is'} not counted from 6.7, a0b0bad10587)`
        : ` (its ${managed} managed vector${managed > 1 ? 's' : ''} included: from 6.7 they are not counted, a0b0bad10587)`;
    const kernel = `CPU ${cpu} has ${tomove} vectors, ${avl} available. Cannot disable CPU`;
    return refusal(
      `"${kernel}" (lapic_can_unplug_cpu(), -ENOSPC)`,
      `offline ${cpu}: the kernel refuses: "${kernel}" (lapic_can_unplug_cpu(), arch/x86/kernel/apic/vector.c, -ENOSPC). CPU ${cpu} holds ${tomove} allocated vectors${counted}, and the other online CPUs have ${avl} available between them. CPU ${cpu} stays online; nothing moves. Free vectors on the other CPUs, or release interrupts first`,
    );
  }

  /** migrate_one_irq() for interrupt k, whose effective CPU (index c) just went offline. */
  private migrate(k: number, c: number, site: Site): void {
    const sim = this.sim;
    const s = sim.s;
    const m = sim.m;
    const g = groupOfIrq(m, k);
    const managed = (m.groups.flags[g] & GroupFlag.Managed) !== 0;
    const ctx = this.ctx;
    // irq_force_complete_move(): an old vector a startup move left behind (4.15-5.9) is freed first
    sim.levels.vector?.completeMove(k);
    let aff = this.affinity.get(k);
    if (!aff) {
      s.mask(maskOfIrq(m, k, g), ctx);
      aff = ctx.members;
    }
    const live = aff.filter((x) => this.online[x]);
    const online = this.onlineList();
    if (live.length === 0 && managed) return this.shutdown(k, c, site);
    let broken = live.length === 0;
    let to = this.place(k, g, managed, broken ? online : live);
    if (to < 0 && !managed && !broken && sim.era.hotplugRetryOnline && live.length !== online.length) {
      // 6.10+: "IRQ%u: set affinity failed for %*pbl, re-try with online CPUs"
      to = this.place(k, g, managed, online);
      if (to >= 0) {
        broken = true;
        this.note('retried', k);
      }
    } else if (to >= 0 && broken) this.note('broken', k);
    if (to < 0) {
      s.placement.flags[k] |= PF.Stuck;
      this.onCpu[c].push(k);
      this.note('stuck', k);
      return;
    }
    const P = s.placement;
    P.flags[k] =
      (P.flags[k] & ~(PF.PinnedPlacement | PF.PinnedVector)) | PF.Moved | (broken ? PF.AffinityBroken : 0);
    if (broken) this.affinity.set(k, online);
    this.onCpu[to].push(k);
    for (const j of this.sharers.get(k) ?? []) {
      P.cpu[j] = P.cpu[k];
      P.vector[j] = P.vector[k];
      P.flags[j] = (P.flags[j] & ~(PF.PinnedPlacement | PF.PinnedVector)) | PF.Moved;
    }
  }

  /**
   * irq_do_set_affinity() -> the root's chip: the new CPU index of k among `members` (online CPU
   * indices), its old target freed; -1 (nothing changed) when there is no room.
   */
  private place(k: number, g: number, managed: boolean, members: number[]): number {
    const sim = this.sim;
    const s = sim.s;
    const P = s.placement;
    const ep = sim.m.domains[sim.m.groups.domain[g]];
    const info = s.chainInfo(ep);
    const root = info.root.kind;
    const old = s.cpuIndex[P.cpu[k]];
    if (root === 'gic') return sim.levels.gic.retarget(k, managed, members, info.its);
    if (root === 'imsic') return sim.levels.imsic.retarget(k, members);
    const vec = sim.levels.vector;
    if (root !== 'vector' || !vec) return -1;
    const mat = vec.matrix;
    let to: number;
    let v: number;
    if (managed) {
      // assign_managed_vector(): the fewest managed allocations of mask ∩ online, its lowest reserved unused bit
      to = mat.managedCpu(members, sim.era.managedCpu);
      v = to >= 0 ? mat.lowestReservedUnused(to) : -1;
      if (v < 0) return -1;
      mat.allocManaged(to, v);
    } else {
      // assign_vector_locked() -> irq_matrix_alloc(): the most available CPU, the lowest free vector (no node)
      if (members.length <= 64) to = mat.bestCpu(undefined, members);
      else to = mat.bestCpu(members.length === this.countOnline() ? undefined : bitsOf(members, mat.ncpu));
      v = to >= 0 ? mat.lowestFree(to) : -1;
      if (v < 0) return -1;
      mat.assign(to, v);
    }
    // apic_update_vector(): the old CPU is offline, so its vector is freed at once
    mat.free(old, P.vector[k], managed && mat.isReserved(old, P.vector[k]));
    if (vec.owner[old * NR_VECTORS + P.vector[k]] === k + 1) vec.owner[old * NR_VECTORS + P.vector[k]] = 0;
    vec.owner[to * NR_VECTORS + v] = k + 1;
    P.cpu[k] = s.cpus[to];
    P.vector[k] = v;
    return to;
  }

  private countOnline(): number {
    let n = 0;
    for (let c = 0; c < this.online.length; c++) n += this.online[c];
    return n;
  }

  /** irqd_set_managed_shutdown() + irq_shutdown_and_deactivate(): the target is freed, the reservations stay. */
  private shutdown(k: number, c: number, site: Site): void {
    const sim = this.sim;
    const s = sim.s;
    const P = s.placement;
    const g = groupOfIrq(sim.m, k);
    const root = s.chainInfo(sim.m.domains[sim.m.groups.domain[g]]).root.kind;
    const vec = sim.levels.vector;
    if (root === 'vector' && vec) {
      vec.matrix.free(c, P.vector[k], vec.matrix.isReserved(c, P.vector[k]));
      if (vec.owner[c * NR_VECTORS + P.vector[k]] === k + 1) vec.owner[c * NR_VECTORS + P.vector[k]] = 0;
    } else if (root === 'gic') sim.levels.gic.free(k, true);
    P.cpu[k] = -1;
    P.vector[k] = -1;
    P.flags[k] = (P.flags[k] & ~(PF.PinnedPlacement | PF.PinnedVector)) | PF.Shutdown;
    this.note('shutdown', k);
    void site;
  }

  /**
   * `in-use` vectors on the dying CPU belong to interrupts the file does not declare: they move as
   * non-managed interrupts whose affinity is every online CPU. Returns the vectors that could not move.
   */
  private moveInUse(c: number): { moved: number; stuck: number[] } {
    const vec = this.sim.levels.vector;
    if (!vec) return { moved: 0, stuck: [] };
    let moved = 0;
    const mat = vec.matrix;
    const stuck: number[] = [];
    for (const v of mat.vectorsOf(c)) {
      if (vec.owner[c * NR_VECTORS + v] !== -1) continue;
      const to = mat.bestCpu(undefined);
      const nv = to >= 0 ? mat.lowestFree(to) : -1;
      if (nv < 0) {
        stuck.push(v);
        continue;
      }
      mat.assign(to, nv);
      vec.owner[to * NR_VECTORS + nv] = -1;
      mat.free(c, v, false);
      vec.owner[c * NR_VECTORS + v] = 0;
      moved++;
    }
    return { moved, stuck };
  }

  private note(o: Outcome, k: number): void {
    let l = this.outcomes.get(o);
    if (!l) this.outcomes.set(o, (l = []));
    l.push(k);
  }

  /** The findings of one CPU's offline: one per outcome at the `offline` line, one per statement at the interrupts. */
  private summarize(cpu: number, site: Site, stuckInUse: number[]): void {
    const sim = this.sim;
    const s = sim.s;
    const m = sim.m;
    const era = sim.era;
    const names = (ks: number[]) =>
      formatNames(
        ks.map((k) => s.irqName(k)),
        ks.length,
      );
    const related = (ks: number[], what: (k: number) => string): RelatedFinding[] =>
      ks.slice(0, RELATED).map((k) => ({ ...statementSite(m, groupOfIrq(m, k)), message: what(k) }));
    const now = (k: number) => {
      const P = s.placement;
      return P.vector[k] >= 0 && m.arch === 'x86'
        ? `CPU ${P.cpu[k]} vector ${hex(P.vector[k])}`
        : `CPU ${P.cpu[k]}`;
    };
    const onlineText = formatList(this.onlineList().map((c) => s.cpus[c]));
    const debug = era.brokenAffinityDebug
      ? 'at debug level since 5.15 (88ffe2d0a55a)'
      : 'as a warning before 5.15';
    const perIrq = (code: string, ks: number[], msg: (k: number) => string) => {
      const seen = new Map<number, { k: number; n: number }>();
      for (const k of ks) {
        const g = groupOfIrq(m, k);
        const e = seen.get(g);
        if (e) e.n++;
        else seen.set(g, { k, n: 1 });
      }
      for (const [g, { k, n }] of seen) {
        const t = s.targetSite(g);
        const more = n > 1 ? ` (and ${n - 1} more interrupt${n > 2 ? 's' : ''} of this statement)` : '';
        s.report(code, t, () => msg(k) + more, [{ ...site, message: `offline ${cpu}` }]);
      }
    };
    const broken = [...(this.outcomes.get('broken') ?? []), ...(this.outcomes.get('retried') ?? [])].sort(
      (a, b) => a - b,
    );
    if (broken.length) {
      const retried = new Set(this.outcomes.get('retried') ?? []);
      const why = (k: number) =>
        retried.has(k)
          ? `no CPU of its affinity ∩ online had a free vector (-ENOSPC), and from 6.10 the kernel retries with every online CPU ("IRQ%u: set affinity failed for <affinity>, re-try with online CPUs", 88d724e2301a)`
          : `no CPU of its affinity is online any more`;
      s.report(
        'affinity-broken',
        site,
        () =>
          `offline ${cpu}: ${names(broken)} ${broken.length > 1 ? 'leave their' : 'leaves its'} affinity: the kernel moves ${broken.length > 1 ? 'them' : 'it'} to the online CPUs ${onlineText} and makes that the affinity (migrate_one_irq(), kernel/irq/cpuhotplug.c: "IRQ <n>: no longer affine to CPU${cpu}", ${debug})`,
        related(broken, (k) => `${s.irqName(k)}: ${why(k)}; now on ${now(k)}`),
      );
      perIrq(
        'affinity-broken',
        broken,
        (k) =>
          `${s.irqName(k)} leaves its affinity when \`offline\` takes CPU ${cpu} down: ${why(k)}, so the kernel moves it to ${now(k)} and its affinity becomes ${onlineText} (migrate_one_irq(), kernel/irq/cpuhotplug.c: "IRQ <n>: no longer affine to CPU${cpu}", ${debug})`,
      );
    }
    const shut = this.outcomes.get('shutdown') ?? [];
    if (shut.length) {
      const text = (k: number) => {
        const g = groupOfIrq(m, k);
        const id = maskOfIrq(m, k, g);
        return id >= 0 ? formatList(m.masks[id]) : 'all CPUs';
      };
      s.report(
        'irq-shutdown',
        site,
        () =>
          `offline ${cpu}: ${names(shut)} ${shut.length > 1 ? 'are' : 'is'} managed with no CPU of ${shut.length > 1 ? 'their masks' : 'its mask'} online: the kernel shuts ${shut.length > 1 ? 'them' : 'it'} down (irqd_set_managed_shutdown() and irq_shutdown_and_deactivate() in migrate_one_irq(), kernel/irq/cpuhotplug.c): the vector is freed, the managed reservations stay, and ${shut.length > 1 ? 'each' : 'it'} starts again when a CPU of its mask comes back online`,
        related(shut, (k) => `${s.irqName(k)}: mask ${text(k)}`),
      );
      perIrq(
        'irq-shutdown',
        shut,
        (k) =>
          `${s.irqName(k)} is shut down when \`offline\` takes CPU ${cpu} down: it is managed and no CPU of its mask (${text(k)}) is online any more (migrate_one_irq(), kernel/irq/cpuhotplug.c). Its reservations stay; it starts again when a CPU of its mask comes back`,
      );
    }
    const stuck = this.outcomes.get('stuck') ?? [];
    if (stuck.length || stuckInUse.length) {
      const retry = era.hotplugRetryOnline
        ? 'and the retry with every online CPU (6.10+, 88d724e2301a) found none either'
        : 'and before 6.10 the kernel does not retry with every online CPU (88d724e2301a)';
      const one = stuck.length + stuckInUse.length === 1;
      const inUse = stuckInUse.length
        ? `${stuck.length ? '; and ' : ''}${stuckInUse.length} \`in-use\` vector${stuckInUse.length > 1 ? 's' : ''} (${formatNames(stuckInUse.map(hex), stuckInUse.length)}) of interrupts the file does not declare`
        : '';
      s.report(
        'set-affinity-failed',
        site,
        () =>
          `offline ${cpu}: ${stuck.length ? names(stuck) : ''}${inUse} cannot move off CPU ${cpu}: no CPU ${one ? 'it' : 'they'} may use has a free vector (-ENOSPC), ${retry}. The kernel logs "IRQ<n>: set affinity failed(-28)." (migrate_one_irq(), kernel/irq/cpuhotplug.c) and ${one ? 'the interrupt keeps' : 'each keeps'} targeting CPU ${cpu}, now offline: ${one ? 'its' : 'their'} interrupts are lost`,
        related(stuck, (k) => `${s.irqName(k)} stays on ${now(k)}`),
      );
      perIrq(
        'set-affinity-failed',
        stuck,
        (k) =>
          `${s.irqName(k)} cannot move off CPU ${cpu} when \`offline\` takes it down: no CPU it may use has a free vector (-ENOSPC), ${retry}. "IRQ<n>: set affinity failed(-28)." (migrate_one_irq(), kernel/irq/cpuhotplug.c); it keeps targeting ${now(k)}, offline: its interrupts are lost`,
      );
    }
  }
}

const refusal = (kernel: string, message: string) => ({ kernel, message });

/** What one CPU of an `offline` statement did (Simulation.offlineSteps). */
export interface OfflineStep {
  /** the `offline` statement (index in model.offlines) */
  offline: number;
  cpu: number;
  /** down: it went offline; refused: the kernel refused (`refusal`); not-online: not a CPU of `cpus`; already-offline: taken down earlier */
  status: 'down' | 'refused' | 'not-online' | 'already-offline';
  /** why, in short: the kernel's own words in quotes when it prints some ("CPU 31 has 126 vectors, 75 available. Cannot disable CPU") */
  refusal?: string;
  /** the interrupts (index k) moved off the CPU, in the order the kernel moves them */
  moved: number[];
  /** of those, the ones that left their affinity */
  broken: number[];
  /** managed interrupts shut down (no CPU of their mask online) */
  shutdown: number[];
  /** interrupts that could not move (set affinity failed): they still target the offline CPU */
  stuck: number[];
  /** `in-use` vectors moved, and the ones that could not move */
  inUseMoved: number;
  inUseStuck: number[];
}

function formatNames(names: string[], total: number): string {
  const shown = names.slice(0, NAMED).join(', ');
  return total > NAMED ? `${shown} and ${total - NAMED} more` : shown;
}

function bitsOf(members: readonly number[], ncpu: number): Uint32Array {
  const bits = new Uint32Array(Math.max(1, Math.ceil(ncpu / 32)));
  for (const c of members) bits[c >>> 5] |= 1 << (c & 31);
  return bits;
}
