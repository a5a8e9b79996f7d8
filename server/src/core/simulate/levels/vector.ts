// x86: the vector domain's level, after arch/x86/kernel/apic/vector.c driving kernel/irq/matrix.c
// (../matrix.ts). Observed placements (`cpu` + `vector` pins, `in-use` vectors) go in first. Then,
// as the kernel's reservation mode does: at allocation a managed interrupt reserves one vector on
// every CPU of its mask (a non-managed one only counts a global reservation); at activation
// (request_irq) each gets its CPU and vector. docs/kernel-placement.md sections 1-2.

import { formatList } from '../../values';
import { groupOfIrq, groupPropSite, type Domain } from '../../model';
import { GroupFlag } from '../../model/types';
import type { IrqCtx, Level, SimContext } from '../context';
import type { SimEra } from '../era';
import { NR_VECTORS, VectorMatrix, eraOf } from '../matrix';
import { PF, type Undoable } from '../placement';
import type { Hop } from '../types';
import type { Failer } from './endpoint';

const hex = (n: number) => '0x' + n.toString(16);

const enum Op {
  Assign,
  AllocManaged,
  Reserve,
}

/** The shutdown vector a reserved, never activated interrupt points at (MANAGED_IRQ_SHUTDOWN_VECTOR). */
export const MANAGED_IRQ_SHUTDOWN_VECTOR = 0xef;

export class VectorLevel implements Level, Undoable {
  private readonly id: number;
  readonly matrix: VectorMatrix;
  /**
   * (cpu index * 256 + vector) -> interrupt + 1; -1 = in-use (an interrupt the file does not describe);
   * -(interrupt + 2) = the old vector of a startup move, held until the interrupt first fires; 0 free
   */
  readonly owner: Int32Array;
  /** pinned placements, by interrupt: cpu index * 256 + vector, or -1 when the pin conflicts */
  private readonly pinned = new Map<number, number>();
  /** pinned interrupts whose vector the root's `in-use` also listed */
  private readonly adopted = new Set<number>();
  /** 4.15-5.9: the old vector a startup move left allocated (prev_vector), by interrupt: cpu index * 256 + vector */
  private readonly prev = new Map<number, number>();
  /** non-managed interrupts reserved globally and not yet activated (irq_matrix_reserve) */
  globalReserved = 0;

  constructor(
    private readonly s: SimContext,
    private readonly f: Failer,
    root: Domain,
    private readonly era: SimEra,
  ) {
    this.id = s.log.register(this);
    this.matrix = new VectorMatrix(s.cpus.length, eraOf(s.m.kernel, root.systemVectors));
    this.owner = new Int32Array(s.cpus.length * NR_VECTORS);
    this.applyInUse(root);
    this.placePinned();
  }

  undo(op: number, c: number, v: number): void {
    const mat = this.matrix;
    if (op === Op.Assign) mat.unassign(c, v);
    else if (op === Op.AllocManaged) mat.freeManaged(c, v);
    else mat.unreserve(c, v);
  }

  private applyInUse(root: Domain): void {
    const mat = this.matrix;
    const s = this.s;
    for (const u of root.inUse)
      for (const cpu of u.cpus) {
        const c = cpu < 8192 ? s.cpuIndex[cpu] : -1;
        if (c < 0) continue; // cpu-unknown says so
        for (const v of u.vectors) {
          if (mat.isBlocked(v) || mat.isAllocated(c, v)) continue;
          mat.assign(c, v);
          this.owner[c * NR_VECTORS + v] = -1;
        }
      }
  }

  /** `cpu N` + `vector V` pins are observed placements: they go in before anything is allocated. */
  private placePinned(): void {
    const s = this.s;
    const m = s.m;
    const G = m.groups;
    const mat = this.matrix;
    const byCell = new Map<number, number>();
    for (let g = 0; g < G.count; g++) {
      if (G.cpu[g] < 0 || G.vector[g] < 0) continue;
      const c = G.cpu[g] < 8192 ? s.cpuIndex[G.cpu[g]] : -1;
      if (c < 0) continue;
      const v = G.vector[g];
      const cell = c * NR_VECTORS + v;
      const managed = (G.flags[g] & GroupFlag.Managed) !== 0;
      const at = groupPropSite(m, g, 'vector');
      if (G.flags[g] & GroupFlag.Inactive) {
        // x86_vector_activate() never ran for it: debugfs shows `Vector: 0` (reserve_irq_vector() only
        // counts a global reservation; a managed one holds its reservations): no vector to observe
        s.report(
          'bad-value',
          at,
          `${s.irqName(G.order[g])} is \`inactive\` (allocated, never requested: debugfs shows Vector: 0, has_reserved: 1) but pinned to CPU ${G.cpu[g]} vector ${hex(v)}: an interrupt that was never activated holds no vector (x86_vector_alloc_irqs() only reserves, arch/x86/kernel/apic/vector.c). The pin is ignored; drop it or \`inactive\``,
        );
        continue;
      }
      for (let i = 0; i < G.size[g]; i++) {
        const k = G.order[g] + i;
        const other = byCell.get(cell);
        if (other !== undefined) {
          this.pinned.set(k, -1);
          const og = groupOfIrq(m, other);
          s.report(
            'vector-conflict',
            at,
            `${s.irqName(k)} is pinned to CPU ${G.cpu[g]} vector ${hex(v)}, which ${s.irqName(other)} is also pinned to: a CPU's vector maps to one interrupt descriptor (per-CPU vector_irq[], arch/x86/kernel/irq.c), so both placements cannot be true. Re-import, or correct one of them`,
            [
              {
                ...groupPropSite(m, og, 'vector'),
                message: `${s.irqName(other)} is pinned to CPU ${G.cpu[g]} vector ${hex(v)}`,
              },
            ],
          );
          continue;
        }
        if (mat.isBlocked(v)) {
          this.pinned.set(k, -1);
          s.report(
            'vector-conflict',
            at,
            `${s.irqName(k)} is pinned to vector ${hex(v)}, which is not an allocatable device vector here (${mat.era.label}; the system vectors are ${mat.era.system.map(hex).join(', ')}): check the kernel version or the root's system-vectors`,
          );
          continue;
        }
        byCell.set(cell, k);
        this.pinned.set(k, cell);
        if (this.owner[cell] === -1) {
          // an import lists the vector both as in-use and on the interrupt: the interrupt claims it
          this.adopted.add(k);
          if (managed) mat.adoptManaged(c, v);
        } else if (managed) {
          mat.reserve(c, v);
          mat.allocManaged(c, v);
        } else mat.assign(c, v);
        this.owner[cell] = 0; // set to the interrupt when it commits
      }
    }
  }

  /**
   * An interrupt with an observed placement failed (its chain refuses it): it holds nothing, so its
   * pinned vector goes back; one the root's `in-use` also listed stays allocated as in-use.
   */
  dropPin(k: number): void {
    const cell = this.pinned.get(k);
    if (cell === undefined || cell < 0) return;
    this.pinned.delete(k);
    const mat = this.matrix;
    const c = Math.floor(cell / NR_VECTORS);
    const v = cell % NR_VECTORS;
    if (!mat.isAllocated(c, v) || (this.owner[cell] !== 0 && this.owner[cell] !== k + 1)) return;
    const reserved = mat.isReserved(c, v);
    if (this.adopted.delete(k)) {
      if (reserved) mat.unadoptManaged(c, v);
      this.owner[cell] = -1;
      return;
    }
    if (reserved) {
      mat.freeManaged(c, v);
      mat.unreserve(c, v);
    } else mat.unassign(c, v);
    this.owner[cell] = 0;
  }

  /** Allocation: a managed interrupt reserves one vector on every CPU of its mask (all or nothing). */
  alloc(ctx: IrqCtx): boolean {
    const G = this.s.m.groups;
    const pre = this.pinned.get(ctx.k);
    if (pre !== undefined && pre < 0)
      return this.f.fail(
        ctx,
        'vector-conflict',
        `${this.s.irqName(ctx.k)}'s pinned placement CPU ${G.cpu[ctx.g]} vector ${hex(G.vector[ctx.g])} cannot be honoured`,
      );
    if (G.flags[ctx.g] & GroupFlag.Managed)
      return this.reserveManaged(ctx, pre !== undefined ? Math.floor(pre / NR_VECTORS) : -1);
    this.globalReserved++;
    return true;
  }

  /** Activation (request_irq): the CPU and the vector. */
  activate(ctx: IrqCtx, _root: Domain, pos: number): boolean {
    const s = this.s;
    const m = s.m;
    const G = m.groups;
    const mat = this.matrix;
    const k = ctx.k;
    const g = ctx.g;
    const managed = (G.flags[g] & GroupFlag.Managed) !== 0;
    if (!managed) this.globalReserved = Math.max(0, this.globalReserved - 1);
    const pre = this.pinned.get(k);
    if (pre !== undefined) {
      const c = Math.floor(pre / NR_VECTORS);
      if (managed) this.checkSpread(ctx, c);
      this.place(ctx, pos, c, pre % NR_VECTORS, PF.PinnedPlacement);
      return true;
    }
    if (managed) {
      const pinC = G.cpu[g] >= 0 && G.cpu[g] < 8192 ? s.cpuIndex[G.cpu[g]] : -1;
      // irq_matrix_alloc_managed: the CPU of mask ∩ online the era's rule picks
      const c = pinC >= 0 ? pinC : mat.managedCpu(ctx.members, this.era.managedCpu);
      if (c < 0)
        return this.f.fail(
          ctx,
          'vector-exhausted',
          `${s.irqName(k)} is managed, but no CPU of its mask is online ("Managed startup for irq N, but no CPU")`,
        );
      if (pinC >= 0) this.checkSpread(ctx, pinC);
      let v = ctx.members.includes(c) ? mat.lowestReservedUnused(c) : -1;
      if (v < 0) {
        // pinned outside its own mask: no reservation there
        v = mat.lowestFree(c);
        if (v < 0) return this.exhausted(ctx, `CPU ${s.cpus[c]} (its pin)`);
        mat.assign(c, v);
        s.log.push(this.id, Op.Assign, c, v);
      } else {
        mat.allocManaged(c, v);
        s.log.push(this.id, Op.AllocManaged, c, v);
      }
      this.place(ctx, pos, c, v, PF.Managed);
      return true;
    }
    let c: number;
    if (G.cpu[g] >= 0 && G.cpu[g] < 8192 && s.cpuIndex[G.cpu[g]] >= 0) {
      c = s.cpuIndex[G.cpu[g]];
      if (mat.avl[c] <= 0) return this.exhausted(ctx, `CPU ${G.cpu[g]} (its pin)`);
    } else if (G.vector[g] >= 0) {
      const v = G.vector[g];
      c = -1;
      for (const x of ctx.members)
        if (
          !mat.isBlocked(v) &&
          !mat.isAllocated(x, v) &&
          !mat.isReserved(x, v) &&
          (c < 0 || mat.avl[x] > mat.avl[c])
        )
          c = x;
      if (c < 0)
        return this.f.fail(
          ctx,
          'vector-conflict',
          `${s.irqName(k)} is pinned to vector ${hex(v)}, which is not free on any CPU of its ${s.affText(G.affinity[g])}`,
          true,
          [],
          groupPropSite(m, g, 'vector'),
        );
      mat.assign(c, v);
      s.log.push(this.id, Op.Assign, c, v);
      this.place(ctx, pos, c, v, PF.PinnedVector);
      return true;
    } else {
      c = this.search(ctx);
      // (the message is made when read: ctx is the next interrupt's by then)
      const restricted = ctx.restricted;
      if (c < 0)
        return this.exhausted(ctx, () =>
          restricted
            ? `any CPU of its affinity ${formatList(m.masks[G.affinity[g]] ?? [])} nor any other online CPU`
            : 'any online CPU',
        );
      if (ctx.restricted && ctx.bits && (ctx.bits[c >>> 5] & (1 << (c & 31))) === 0)
        ctx.affinityBroken = this.affinityHadRoom(ctx)
          ? `${s.irqName(k)} lands on CPU ${s.cpus[c]}, outside its ${s.affText(G.affinity[g])}, although the affinity has free vectors: before 5.10 assign_irq_vector_any_locked() tries the device's node (node ${s.m.devices.node[ctx.dev]}) before the affinity, and the kernel prints "irq N: Affinity broken due to vector space exhaustion." (arch/x86/kernel/apic/vector.c; the order was fixed in 5.10 by 190113b4c653, "x86/apic/vector: Fix ordering in vector assignment")`
          : `every CPU of ${s.irqName(k)}'s ${s.affText(G.affinity[g])} is out of vectors, so it lands on CPU ${s.cpus[c]} instead: "irq N: Affinity broken due to vector space exhaustion." (arch/x86/kernel/apic/vector.c). Widen the affinity, or free vectors on those CPUs`;
    }
    const v = mat.lowestFree(c);
    if (v < 0) return this.exhausted(ctx, `CPU ${s.cpus[c]}`);
    mat.assign(c, v);
    s.log.push(this.id, Op.Assign, c, v);
    this.place(ctx, pos, c, v, 0);
    if (!this.era.affinityBeforeNode) this.startup(ctx, c, v);
    return true;
  }

  /** Whether some CPU of the interrupt's affinity still has a free vector. */
  private affinityHadRoom(ctx: IrqCtx): boolean {
    for (const x of ctx.members) if (this.matrix.avl[x] > 0) return true;
    return false;
  }

  /**
   * 4.15-5.9: request_irq() -> irq_startup() applies the affinity once more after the activation
   * (irq_setup_affinity(), kernel/irq/manage.c): the user-set affinity (or the default one) ∩ online,
   * narrowed to the device's node when they meet; apic_set_affinity() -> assign_vector_locked() keeps
   * the CPU when it is in that mask, otherwise moves the interrupt to the most available CPU of it, a
   * new vector; the old one stays allocated (prev_vector, move_in_progress) until the first interrupt
   * arrives on the new one (apic_update_vector(), arch/x86/kernel/apic/vector.c). No room: -ENOSPC,
   * ignored by irq_startup(), it stays. From 5.10 the activation's search order already ends inside
   * that mask whenever it has room, so nothing ever moves here (docs/kernel-placement.md 2.2, (c1)).
   */
  private startup(ctx: IrqCtx, c: number, v: number): void {
    const s = this.s;
    const mat = this.matrix;
    const k = ctx.k;
    let members = ctx.members;
    let bits = ctx.bits;
    const node = s.m.devices.node[ctx.dev];
    if (node >= 0) {
      const both = s.and(members, s.nodeMask(node));
      if (both.members.length) ({ members, bits } = both);
    }
    if (members.includes(c)) return;
    const to = mat.bestCpu(bits, members);
    const nv = to >= 0 ? mat.lowestFree(to) : -1;
    if (nv < 0) return; // -ENOSPC: irq_startup() ignores it, the interrupt stays
    mat.assign(to, nv);
    s.log.push(this.id, Op.Assign, to, nv);
    this.prev.set(k, c * NR_VECTORS + v);
    const P = s.placement;
    P.cpu[k] = s.cpus[to];
    P.vector[k] = nv;
    P.flags[k] |= PF.StartupMoved;
    if (ctx.affinityBroken)
      ctx.transient = `${ctx.affinityBroken}. Then irq_startup() (irq_setup_affinity(), kernel/irq/manage.c) moves it back into its affinity: CPU ${s.cpus[to]} vector ${hex(nv)}; CPU ${s.cpus[c]}'s vector ${hex(v)} stays allocated until the interrupt first fires on the new one (move_in_progress, apic_update_vector())${this.era.v < 5004 ? '. (The warning itself is printed from 5.4, 743dac494d61.)' : ''}`;
    ctx.affinityBroken = undefined;
  }

  /**
   * irq_force_complete_move() (arch/x86/kernel/apic/vector.c), as migrate_one_irq() calls it for an
   * interrupt whose CPU goes down, and the free of an interrupt (clear_irq_vector()): the old vector
   * a startup move left behind is freed.
   */
  completeMove(k: number): void {
    const cell = this.prev.get(k);
    if (cell === undefined) return;
    this.prev.delete(k);
    const c = Math.floor(cell / NR_VECTORS);
    const v = cell % NR_VECTORS;
    this.matrix.free(c, v, false);
    if (this.owner[cell] === -(k + 2)) this.owner[cell] = 0;
  }

  /** The vector a startup move left allocated on the old CPU (cpu index * 256 + vector), if any. */
  prevOf(k: number): number | undefined {
    return this.prev.get(k);
  }

  /** Writes the placement of ctx's interrupt: CPU index c, vector v. */
  private place(ctx: IrqCtx, pos: number, c: number, v: number, flag: number): true {
    const P = this.s.placement;
    P.cpu[ctx.k] = this.s.cpus[c];
    P.vector[ctx.k] = v;
    P.flags[ctx.k] |= flag;
    ctx.did(pos);
    return true;
  }

  /**
   * assign_irq_vector_any_locked(): node ∩ affinity, then (5.10+) affinity, node, every online CPU;
   * before 5.10 node before affinity. Each step: the most available CPU, ties to the first.
   */
  private search(ctx: IrqCtx): number {
    const s = this.s;
    const mat = this.matrix;
    const node = s.m.devices.node[ctx.dev];
    let c: number;
    if (node >= 0) {
      const nm = s.nodeMask(node);
      const both = s.andNode(ctx.maskId, ctx.members, node);
      if (both.members.length && (c = mat.bestCpu(both.bits, both.members)) >= 0) return c;
      const first = this.era.affinityBeforeNode ? ctx : nm;
      const second = this.era.affinityBeforeNode ? nm : ctx;
      if (first.members.length && (c = mat.bestCpu(first.bits, first.members)) >= 0) return c;
      if (second.members.length && (c = mat.bestCpu(second.bits, second.members)) >= 0) return c;
    } else if (ctx.members.length && (c = mat.bestCpu(ctx.bits, ctx.members)) >= 0) return c;
    return mat.bestCpu(undefined, s.allMembers);
  }

  /** Marks a committed interrupt as the owner of its vector. */
  commit(k: number): void {
    const P = this.s.placement;
    if (P.cpu[k] < 0 || P.vector[k] < 0) return;
    this.owner[this.s.cpuIndex[P.cpu[k]] * NR_VECTORS + P.vector[k]] = k + 1;
    const prev = this.prev.get(k);
    if (prev !== undefined) this.owner[prev] = -(k + 2);
  }

  /**
   * Frees interrupt k's vector (irq_matrix_free) and, for a managed one, a reservation on every CPU
   * of its mask (irq_matrix_remove_managed: the lowest reserved unused bit of each).
   */
  free(k: number, managed: boolean, members: readonly number[], allocated: boolean): void {
    const s = this.s;
    const P = s.placement;
    const mat = this.matrix;
    if (allocated && P.cpu[k] >= 0 && P.vector[k] >= 0) {
      const c = s.cpuIndex[P.cpu[k]];
      if (c >= 0) {
        mat.free(c, P.vector[k], managed && mat.isReserved(c, P.vector[k]));
        if (this.owner[c * NR_VECTORS + P.vector[k]] === k + 1) this.owner[c * NR_VECTORS + P.vector[k]] = 0;
      }
    }
    this.completeMove(k);
    if (managed) {
      for (const c of members) mat.removeManaged(c);
      // an observed managed vector outside the mask was reserved on its CPU by the pin (placePinned)
      const pin = this.pinned.get(k);
      const pc = pin !== undefined && pin >= 0 ? Math.floor(pin / NR_VECTORS) : -1;
      if (pc >= 0 && !members.includes(pc)) mat.removeManaged(pc);
    } else if (!allocated) this.globalReserved = Math.max(0, this.globalReserved - 1);
  }

  private exhausted(ctx: IrqCtx, where: string | (() => string)): false {
    const mat = this.matrix;
    const k = ctx.k;
    return this.f.fail(
      ctx,
      'vector-exhausted',
      () =>
        `${this.s.irqName(k)} finds no free vector on ${typeof where === 'string' ? where : where()}: each CPU has ${mat.capacity} device vectors (${mat.era.label}), all allocated or reserved for managed interrupts. The kernel fails with -ENOSPC (kernel/irq/matrix.c). Spread the affinity over more CPUs, or request fewer interrupts`,
      true,
    );
  }

  /** irq_matrix_reserve_managed: one vector on every CPU of the mask, all or nothing. */
  private reserveManaged(ctx: IrqCtx, skip: number): boolean {
    const mat = this.matrix;
    const s = this.s;
    const mark = s.log.mark;
    for (const c of ctx.members) {
      if (c === skip) continue;
      const v = mat.lowestFree(c);
      if (v < 0) {
        s.log.rollback(mark);
        const { k } = ctx;
        const [cpu, capacity, era] = [s.cpus[c], mat.capacity, mat.era.label];
        return this.f.fail(
          ctx,
          'vector-exhausted',
          () =>
            `${s.irqName(k)} is managed: the kernel reserves one vector on every CPU of its mask (irq_matrix_reserve_managed, all or nothing), but CPU ${cpu} has none left of its ${capacity} (${era}). The kernel fails with -ENOSPC`,
          true,
        );
      }
      mat.reserve(c, v);
      s.log.push(this.id, Op.Reserve, c, v);
    }
    return true;
  }

  /**
   * managed-affinity-pinned: a managed interrupt observed on (pinned to) a CPU outside its mask. Inside
   * the mask the kernel's choice depends on the order interrupts were activated (the CPU with the
   * fewest managed allocations at that moment), so an observed CPU there is not second-guessed.
   */
  private checkSpread(ctx: IrqCtx, pinC: number): void {
    const s = this.s;
    const m = s.m;
    const G = m.groups;
    const g = ctx.g;
    if (G.cpu[g] < 0 || ctx.members.includes(pinC)) return;
    s.reportIrq(
      ctx.k,
      g,
      'managed-affinity-pinned',
      `${s.irqName(ctx.k)} is managed with the mask ${ctx.maskId >= 0 ? formatList(m.masks[ctx.maskId]) : 'all CPUs'}, but it is pinned to CPU ${G.cpu[g]}, outside it: the kernel places a managed interrupt only on a CPU of its mask (irq_matrix_alloc_managed, kernel/irq/matrix.c), and user space cannot move it (writing smp_affinity fails with EIO, Documentation/core-api/irq/managed_irq.rst). The pin is kept as observed; check the import, or drop \`managed\``,
      [],
      groupPropSite(m, g, 'cpu'),
    );
  }

  private heldNote(k: number): string {
    const cell = this.prev.get(k);
    if (cell === undefined) return ' (moved into its affinity at startup)';
    const c = Math.floor(cell / NR_VECTORS);
    return ` (moved into its affinity at startup; CPU ${this.s.cpus[c]} vector ${hex(cell % NR_VECTORS)} held until it first fires)`;
  }

  hop(k: number, d: Domain): Hop {
    const P = this.s.placement;
    const f = P.flags[k];
    if (f & PF.Inactive)
      return {
        domain: d.name,
        hwirq: null,
        resource: 'reserved, not activated (Vector: 0, has_reserved: 1)',
      };
    if (f & PF.Shutdown)
      return {
        domain: d.name,
        hwirq: null,
        resource: `shut down by an offline (managed, no CPU of its mask online): MANAGED_IRQ_SHUTDOWN_VECTOR ${hex(MANAGED_IRQ_SHUTDOWN_VECTOR)}, reservations kept`,
      };
    const note =
      f & PF.Stuck
        ? ' (set affinity failed: the CPU is offline)'
        : f & PF.Moved
          ? ' (moved by an offline)'
          : f & PF.StartupMoved
            ? this.heldNote(k)
            : f & PF.PinnedPlacement
              ? ' (pinned)'
              : f & PF.PinnedVector
                ? ' (pinned vector)'
                : f & PF.Managed
                  ? ' (managed)'
                  : '';
    return {
      domain: d.name,
      hwirq: P.vector[k],
      resource: `CPU ${P.cpu[k]} vector ${hex(P.vector[k])}${note}`,
    };
  }
}
