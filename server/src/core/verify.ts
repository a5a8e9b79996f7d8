// `irqtopo verify` (issue 12): a fidelity meter for an imported topology. The interrupts carry the
// placement the machine showed as pins (`cpu`, `vector`, `irte`, `lpi`: observed values). The topology
// is simulated again with those pins removed, as the kernel would have allocated the interrupts in the
// file's order, and each observed value is compared with the simulated one: per column how many agree,
// and for each difference its likely cause (allocation history, an affinity written later, a rule
// irqtopo does not model). Pure: plain data in and out.

import { groupOfIrq, irqDead, irqName, maskOfIrq, type Model } from './model';
import { GroupFlag, type GroupTable } from './model/types';
import { simulate, type Route, type Simulation } from './simulate';
import { formatMessage } from './simulate/messages';

export type VerifyColumn = 'cpu' | 'managed_cpu' | 'nonmanaged_cpu' | 'vector' | 'irte' | 'lpi' | 'message';

export interface VerifyDifference {
  irq: string;
  /** the interrupt's index (allocation order): names repeat after a `release` */
  k: number;
  /** the cause's category, stable for grouping: its text below varies with the values */
  causeKind: CauseKind;
  column: VerifyColumn;
  /** the value read from the machine (a message as "0xADDRESS / 0xDATA") */
  observed: number | string;
  /** what the kernel's allocation order gives without the pins; null when the simulation did not place it */
  simulated: number | string | null;
  cause: string;
}

export type CauseKind =
  | 'not-placed'
  | 'outside-mask'
  | 'outside-affinity'
  | 'managed-history'
  | 'affinity-written'
  | 'history'
  | 'follows-cpu'
  | 'vector-history'
  | 'irte-history'
  | 'lpi-order'
  | 'message';

export interface VerifyReport {
  /** interrupts with at least one observed value */
  compared: number;
  /** per column: observed values compared, and how many the simulation reproduces */
  columns: Partial<Record<VerifyColumn, { compared: number; agreed: number }>>;
  /** agreed / compared per column (columns with nothing to compare are left out) */
  agreement: Partial<Record<VerifyColumn, number>>;
  differences: VerifyDifference[];
}

/** A shallow copy of the model whose interrupts carry no observed placement (pins removed). */
export function withoutPins(m: Model): Model {
  const G = m.groups;
  const g2 = Object.assign(Object.create(Object.getPrototypeOf(G) as object) as GroupTable, G);
  g2.cpu = new Int32Array(G.cpu.length).fill(-1);
  g2.vector = new Int32Array(G.vector.length).fill(-1);
  g2.lpi = new Int32Array(G.lpi.length).fill(-1);
  g2.irte = new Int32Array(G.irte.length).fill(-1);
  return { ...m, groups: g2 };
}

const hex = (n: number) => `0x${n.toString(16)}`;

/**
 * Compares the observed values of `m` (simulated with its pins as `pinned`) with a simulation of the
 * same topology without pins. `pinned` may be the analysis's own simulation.
 */
export function verify(m: Model, pinned: Simulation = simulate(m)): VerifyReport {
  const free = simulate(withoutPins(m));
  const G = m.groups;
  const columns: VerifyReport['columns'] = {};
  const differences: VerifyDifference[] = [];
  let compared = 0;
  const count = (c: VerifyColumn, ok: boolean) => {
    const e = (columns[c] ??= { compared: 0, agreed: 0 });
    e.compared++;
    if (ok) e.agreed++;
  };
  for (let g = 0; g < G.count; g++) {
    const anyPin = G.cpu[g] >= 0 || G.vector[g] >= 0 || G.irte[g] >= 0 || G.lpi[g] >= 0;
    if (!anyPin) continue;
    const managed = (G.flags[g] & GroupFlag.Managed) !== 0;
    for (let i = 0; i < G.size[g]; i++) {
      const k = G.order[g] + i;
      if (irqDead(m, k)) continue;
      const sim = free.route(k);
      const pin = pinned.route(k);
      compared++;
      const name = irqName(m, k);
      const diff = (column: VerifyColumn, observed: number | string, simulated: number | string | null) => {
        count(column, observed === simulated);
        if (observed !== simulated) {
          const c = causeOf(m, k, column, observed, sim);
          differences.push({ irq: name, k, causeKind: c.kind, column, observed, simulated, cause: c.text });
        }
      };
      if (G.cpu[g] >= 0) {
        const s = sim?.cpu ?? null;
        diff('cpu', G.cpu[g], s);
        // the same comparison, counted apart for managed and non-managed interrupts
        count(managed ? 'managed_cpu' : 'nonmanaged_cpu', s === G.cpu[g]);
      }
      if (G.vector[g] >= 0) diff('vector', G.vector[g], sim?.vector ?? null);
      if (G.irte[g] >= 0) diff('irte', G.irte[g] + i, sim?.irte ?? null);
      if (G.lpi[g] >= 0) diff('lpi', G.lpi[g] + i, sim?.lpi ?? null);
      // the message the device writes: the pinned route's, when every value it is made of was observed
      const msgObserved = pin?.message && messageObserved(pin);
      if (msgObserved)
        diff('message', formatMessage(pin.message!), sim?.message ? formatMessage(sim.message) : null);
    }
  }
  const agreement: VerifyReport['agreement'] = {};
  for (const [c, e] of Object.entries(columns) as [VerifyColumn, { compared: number; agreed: number }][])
    if (e.compared > 0) agreement[c] = Math.round((e.agreed / e.compared) * 1000) / 1000;
  return { compared, columns, agreement, differences };
}

/** A remappable message is made of the IRTE alone; a compatibility one of the CPU and the vector. */
function messageObserved(r: Route): boolean {
  if (r.irte !== null) return r.observed.includes('irte');
  if (r.vector !== null) return r.observed.includes('cpu') && r.observed.includes('vector');
  return false;
}

/** The likely reason an observed value differs from the kernel's allocation order, in the kernel's terms. */
function causeOf(
  m: Model,
  k: number,
  column: VerifyColumn,
  observed: number | string,
  sim: Route | undefined,
): { kind: CauseKind; text: string } {
  const c = causeText(m, k, column, observed, sim);
  return { kind: c[0], text: c[1] };
}

function causeText(
  m: Model,
  k: number,
  column: VerifyColumn,
  observed: number | string,
  sim: Route | undefined,
): [CauseKind, string] {
  if (!sim || sim.failure)
    return [
      'not-placed',
      `the simulation without pins does not place it${sim?.failure ? ` (${sim.failure.code}: ${sim.failure.message.slice(0, 160)})` : ''}; the observed value comes from a state the file does not describe`,
    ];
  const g = groupOfIrq(m, k);
  const G = m.groups;
  const managed = (G.flags[g] & GroupFlag.Managed) !== 0;
  const maskId = maskOfIrq(m, k, g);
  const mask = maskId >= 0 ? m.masks[maskId] : m.cpus;
  const history =
    'allocation history: interrupts allocated and freed before the dump (a driver that re-allocates its vectors, as NVMe does for its admin queue, an unbind or a rebind to vfio-pci, a module reload) leave a different state than the boot order alone; state it with `release`';
  switch (column) {
    case 'cpu':
    case 'managed_cpu':
    case 'nonmanaged_cpu': {
      const cpu = observed as number;
      if (!mask.includes(cpu))
        return managed
          ? [
              'outside-mask',
              `CPU ${cpu} is outside the interrupt's mask: a managed interrupt is only placed inside it (irq_matrix_alloc_managed, kernel/irq/matrix.c); check the import's mask or the \`managed\` flag`,
            ]
          : [
              'outside-affinity',
              `CPU ${cpu} is outside the interrupt's affinity: an interrupt is left there while a move is pending (move_in_progress until its next interrupt, arch/x86/kernel/apic/vector.c), or its affinity broke for lack of vectors`,
            ];
      if (managed)
        return [
          'managed-history',
          `${history}. Inside its mask the kernel takes the CPU with the fewest managed allocations, ties to the last (matrix_find_best_cpu_managed, kernel/irq/matrix.c), so the choice depends on every managed interrupt activated before it`,
        ];
      if (G.affinity[g] >= 0)
        return [
          'affinity-written',
          `an affinity written after the allocation (by a user or irqbalance through /proc/irq/N/smp_affinity): the write moves the interrupt to the most available CPU of the new mask at that moment (irq_set_affinity -> apic_set_affinity), while the simulation places it with that affinity at allocation; or ${history}`,
        ];
      return [
        'history',
        `${unknownInUse(m)}${history}. A non-managed interrupt goes to the online CPU with the most available vectors at request_irq() time (matrix_find_best_cpu), so every vector taken or freed before it shifts the choice`,
      ];
    }
    case 'vector':
      return sim.cpu !== null && m.groups.cpu[g] >= 0 && sim.cpu !== m.groups.cpu[g]
        ? [
            'follows-cpu',
            `it follows the CPU (observed CPU ${m.groups.cpu[g]}, simulated CPU ${sim.cpu}): each CPU has its own vector space`,
          ]
        : [
            'vector-history',
            `the lowest free vector of its CPU at that moment (matrix_alloc_area, kernel/irq/matrix.c): vectors freed and reused on that CPU, or taken by interrupts the dump does not list, change it (${history})`,
          ];
    case 'irte':
      return [
        'irte-history',
        `IRTEs are handed out lowest free in allocation order (alloc_irte, drivers/iommu/intel/irq_remapping.c; the per-device table on AMD), and the file's order is not always that order: an IO-APIC interrupt's IRTE is taken when its pin is first mapped (the legacy pins at boot, the others when their driver enables them), not in Linux irq order, so every IRTE allocated after a pin the file places elsewhere shifts; and ${history}. Observed ${hex(observed as number)}, simulated ${sim.irte === null ? 'none' : hex(sim.irte)}`,
      ];
    case 'lpi':
      return [
        'lpi-order',
        `LPI ranges are allocated per device when its ITS device is created, first fit from 8192 (its_lpi_alloc, drivers/irqchip/irq-gic-v3-its.c): devices probed in another order, or ranges freed and reused, shift them`,
      ];
    case 'message':
      return [
        'message',
        'the message is made of the values above (the IRTE handle when remapped, else the CPU and vector): see their differences',
      ];
  }
}

/** When the file lists no `in-use` vectors, what the simulation cannot know about the CPUs' vectors. */
function unknownInUse(m: Model): string {
  const root = m.roots[0];
  if (root?.kind !== 'vector' || root.inUse.length > 0) return '';
  return 'the topology lists no `in-use` vectors (the capture had no debugfs VECTOR matrix), so the vectors the CPUs already held are unknown: the legacy ISA interrupts get vectors on CPU 0 at boot (0x30-0x3f, lapic_assign_system_vectors() in arch/x86/kernel/apic/vector.c; the IO-APIC keeps those it activates, the timer 0x30 at least), which alone shifts the most-available choice to the other CPUs; or ';
}

/** The report for people: the agreement per column, then every difference with its cause. */
export function verifyText(r: VerifyReport): string {
  const out: string[] = [];
  out.push(
    `${r.compared} interrupt${r.compared === 1 ? '' : 's'} with observed values compared with the kernel's allocation order (pins removed)`,
  );
  out.push('');
  out.push('COLUMN          AGREE  OF     SHARE');
  for (const [c, e] of Object.entries(r.columns) as [VerifyColumn, { compared: number; agreed: number }][]) {
    const share = e.compared ? `${((e.agreed / e.compared) * 100).toFixed(1)} %` : '-';
    out.push(`${c.padEnd(15)} ${String(e.agreed).padEnd(6)} ${String(e.compared).padEnd(6)} ${share}`);
  }
  if (r.differences.length) {
    out.push('');
    out.push('DIFFERENCES');
    for (const d of r.differences) {
      const v = (x: number | string | null, c: VerifyColumn) =>
        x === null ? 'none' : typeof x === 'number' && (c === 'vector' || c === 'irte') ? hex(x) : String(x);
      out.push(
        `${d.irq}: ${d.column} observed ${v(d.observed, d.column)}, simulated ${v(d.simulated, d.column)}`,
      );
      out.push(`  cause: ${d.cause}`);
    }
  }
  return out.join('\n');
}
