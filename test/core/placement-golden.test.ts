// Golden tests of the v2 placement rules (issue 11, "Done when"): every worked example (a)-(h) of
// docs/kernel-placement.md, for every kernel era its tables list. Each expected number was derived by
// hand from the kernel rules that doc quotes (the derivation is in the comment beside the assertion,
// with the kernel file and function); none was copied from the simulator's output.
//
// The topologies are in test/fixtures/golden/ as the doc writes them. The one adaptation: before the
// per-device MSI domains (x86 < 6.2, arm64 < 6.11) a PCI device must name a global PCI/MSI domain, so
// onKernel() adds one (under the vector domain, the remap unit, or the ITS) and points every PCI device
// at it; that does not change any placement (the global domain allocates nothing the simulation counts).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyze, type Analysis } from '../../server/src/core';
import type { Route } from '../../server/src/core/simulate';
import { fixture, ROOT } from './helpers';

const golden = (name: string) => fs.readFileSync(fixture('golden', name), 'utf8');

/**
 * The same topology on another kernel: the `kernel` line changed, the `expect` lines dropped (they hold
 * for the file's own era), and, when `globalUnder` is given, a global PCI/MSI domain under that domain
 * named by every PCI device (msi-domain), as kernels before the per-device MSI domains need.
 */
function onKernel(src: string, version: string, globalUnder?: string): string {
  let out = src.replace(/^kernel .*$/m, `kernel ${version}`).replace(/^expect .*$/gm, '');
  if (globalUnder) {
    out = out.replace(
      new RegExp(`^(domain ${globalUnder} : [^\\n]*)$`, 'm'),
      `$1\ndomain PCI-MSI : pci-msi { parent ${globalUnder} }`,
    );
    out = out.replace(/^(device \S+ \{ pci [^;}\s]+)/gm, '$1; msi-domain PCI-MSI');
  }
  return out;
}

interface Run {
  a: Analysis;
  r: (id: string) => Route;
  errors: string[];
  /** findings of one code: [1-based line, message] */
  found: (code: string) => [number, string][];
}

function run(text: string): Run {
  const a = analyze('/virtual/golden.irqtopo', text);
  assert.ok(a.simulation, 'simulated');
  const sim = a.simulation;
  return {
    a,
    r: (id) => {
      const route = sim.routesById.get(id);
      assert.ok(route, `${id} has a route`);
      return route;
    },
    errors: a.diagnostics
      .filter((d) => d.severity === 'error')
      .map((d) => `${d.range.start.line + 1} ${d.code}: ${d.message}`),
    found: (code) =>
      a.diagnostics.filter((d) => d.code === code).map((d) => [d.range.start.line + 1, d.message]),
  };
}

/** The 1-based line of the first statement of `src` that starts with `start`. */
function lineOf(src: string, start: string): number {
  const i = src.split('\n').findIndex((l) => l.startsWith(start));
  assert.ok(i >= 0, `a line starts with ${start}`);
  return i + 1;
}

/** the lines of a code's findings, ascending */
const linesOf = (x: Run, code: string) =>
  x
    .found(code)
    .map(([line]) => line)
    .sort((a, b) => a - b);
const asc = (ns: number[]) => [...ns].sort((a, b) => a - b);

/** [cpu, vector] of some routes */
const cv = (x: Run, ids: string[]) => ids.map((id) => [x.r(id).cpu, x.r(id).vector]);
const msg = (route: Route) =>
  route.message ? [route.message.address_hi, route.message.address_lo, route.message.data] : null;

describe('placement golden: (a) the managed tie-break (docs/kernel-placement.md 1.4)', () => {
  const src = golden('a-tiebreak.irqtopo');
  const ids = ['nvmeA.q[0]', 'nvmeA.q[1]', 'nvmeB.q[0]', 'nvmeB.q[1]'];

  it('6.10: ties to the last CPU; nvmeB reuses nvmeA’s unused reservation 0x20 (matrix.c, 6.6+ window)', () => {
    const x = run(src);
    assert.deepEqual(x.errors, [], 'clean, every expect holds');
    // nvmeA's batch reserves the lowest free bit, 0x20, on CPUs 0-3 (irq_matrix_reserve_managed(),
    // kernel/irq/matrix.c); q[0] {0,1}: both have 0 managed allocations, ties to the last
    // (matrix_find_best_cpu_managed(), 5.0+) -> CPU 1, its lowest reserved unused bit 0x20
    // (irq_matrix_alloc_managed()); q[1] -> CPU 3. nvmeB reserves 0x21 everywhere; q[0] {0,1}: CPU 0 has 0
    // managed allocations, CPU 1 has 1 -> CPU 0, whose lowest reserved unused bit is 0x20 (nvmeA's).
    assert.deepEqual(cv(x, ids), [
      [1, 0x20],
      [3, 0x20],
      [0, 0x20],
      [2, 0x20],
    ]);
    // physflat: 0xfee00000 | APIC ID << 12, data = vector (__irq_msi_compose_msg(), arch/x86/kernel/apic/apic.c)
    assert.deepEqual(msg(x.r('nvmeA.q[0]')), [0, 0xfee01000, 0x20]);
    assert.deepEqual(msg(x.r('nvmeB.q[1]')), [0, 0xfee02000, 0x20]);
  });

  // The doc's era table (1.4). Before 6.6 0x20 is IRQ_MOVE_CLEANUP_VECTOR, so the window starts at 0x21.
  const eras: [string, string | undefined, number[][]][] = [
    // 4.15-4.19: assign_managed_vector() takes cpumask_first(mask ∩ online) (vector.c): CPU 0 / CPU 2;
    // nvmeA reserves 0x21, nvmeB 0x22 on every CPU; each queue takes its CPU's lowest reserved unused bit.
    [
      '4.19',
      'VECTOR',
      [
        [0, 0x21],
        [2, 0x21],
        [0, 0x22],
        [2, 0x22],
      ],
    ],
    // 4.20: matrix_find_best_cpu() for managed too: the most available, ties first; managed allocations do
    // not lower `available`, so every queue of equal masks lands on the first CPU.
    [
      '4.20',
      'VECTOR',
      [
        [0, 0x21],
        [2, 0x21],
        [0, 0x22],
        [2, 0x22],
      ],
    ],
    // 5.0-6.5: fewest managed allocations, ties last (as 6.10), with the window from 0x21.
    [
      '5.0',
      'VECTOR',
      [
        [1, 0x21],
        [3, 0x21],
        [0, 0x21],
        [2, 0x21],
      ],
    ],
    [
      '6.5',
      undefined,
      [
        [1, 0x21],
        [3, 0x21],
        [0, 0x21],
        [2, 0x21],
      ],
    ],
    // 6.6: 0x20 freed (bdc1dad299bb): the 6.10 numbers.
    [
      '6.6',
      undefined,
      [
        [1, 0x20],
        [3, 0x20],
        [0, 0x20],
        [2, 0x20],
      ],
    ],
  ];
  for (const [version, global, want] of eras)
    it(`kernel ${version}`, () => {
      const x = run(onKernel(src, version, global));
      assert.deepEqual(x.errors, []);
      assert.deepEqual(cv(x, ids), want);
    });
});

describe('placement golden: (b) reservation before activation (docs/kernel-placement.md 2.5)', () => {
  const src = golden('b-reservation.irqtopo');
  const ids = [
    'nvme0.admin',
    'nvme0.io[0]',
    'nvme0.io[1]',
    'nvme0.io[2]',
    'nvme0.io[3]',
    'nic0.q[0]',
    'nic0.q[1]',
    'nic0.q[2]',
    'nic0.q[3]',
  ];

  it('6.10: the admin queue lands above the two reserved bits (0x22), the fingerprint of reservation mode', () => {
    const x = run(src);
    assert.deepEqual(x.errors, []);
    // nvme0's batch (pci_alloc_irq_vectors(), reservation mode: msi_check_reservation_mode(),
    // kernel/irq/msi.c): admin -> a global reservation only (reserve_irq_vector(), vector.c); io[0] reserves
    // 0x20 on CPUs 0, 1; io[1] 0x20 on 2, 3; io[2] 0x21 on 0, 1; io[3] 0x21 on 2, 3: avl 199 everywhere.
    // Activations in request order: admin -> CPU 0 (all 199, ties first, matrix_find_best_cpu()), the lowest
    // bit free of managed_map | alloc_map: 0x22. io[0] {0,1}: tie -> CPU 1, 0x20; io[1] -> CPU 3, 0x20;
    // io[2] {0,1}: CPU 0 (0 managed allocations vs 1), 0x20; io[3] -> CPU 2, 0x20. avl 198, 199, 199, 199.
    // nic0 (only global reservations): q[0] CPU 1 (199), lowest free 0x22; q[1] CPU 2, q[2] CPU 3 (0x22);
    // q[3]: all 198 -> CPU 0, 0x20 used, 0x21 reserved, 0x22 admin -> 0x23.
    assert.deepEqual(cv(x, ids), [
      [0, 0x22],
      [1, 0x20],
      [3, 0x20],
      [0, 0x20],
      [2, 0x20],
      [1, 0x22],
      [2, 0x22],
      [3, 0x22],
      [0, 0x23],
    ]);
    assert.deepEqual(msg(x.r('nvme0.admin')), [0, 0xfee00000, 0x22]);
    // final avl 197, 198, 198, 198 (x86 matrix: capacity - reservations - non-managed allocations)
    assert.deepEqual(
      x.a.simulation!.cpus.map((c) => c.available),
      [197, 198, 198, 198],
    );
  });

  const eras: [string, string | undefined, number[][]][] = [
    // 4.15-4.19 (window from 0x21): reservations 0x21, 0x22 on every CPU; admin CPU 0 0x23; the managed
    // queues on the first CPU of their mask: io[0] CPU 0 0x21, io[1] CPU 2 0x21, io[2] CPU 0 0x22, io[3]
    // CPU 2 0x22; nic0: CPUs 1, 2, 3 at 0x23 (avl 199 vs CPU 0's 198), then CPU 0 at 0x24.
    [
      '4.19',
      'VECTOR',
      [
        [0, 0x23],
        [0, 0x21],
        [2, 0x21],
        [0, 0x22],
        [2, 0x22],
        [1, 0x23],
        [2, 0x23],
        [3, 0x23],
        [0, 0x24],
      ],
    ],
    // 4.20: the admin queue took one of CPU 0's vectors, so io[0] {0,1} goes to the more available CPU 1,
    // and io[2] there again (managed allocations do not lower `available`); io[1], io[3] on CPU 2.
    [
      '4.20',
      'VECTOR',
      [
        [0, 0x23],
        [1, 0x21],
        [2, 0x21],
        [1, 0x22],
        [2, 0x22],
        [1, 0x23],
        [2, 0x23],
        [3, 0x23],
        [0, 0x24],
      ],
    ],
    // 5.0-6.5: the 6.10 CPUs, vectors one higher (window from 0x21)
    [
      '5.0',
      'VECTOR',
      [
        [0, 0x23],
        [1, 0x21],
        [3, 0x21],
        [0, 0x21],
        [2, 0x21],
        [1, 0x23],
        [2, 0x23],
        [3, 0x23],
        [0, 0x24],
      ],
    ],
    [
      '6.5',
      undefined,
      [
        [0, 0x23],
        [1, 0x21],
        [3, 0x21],
        [0, 0x21],
        [2, 0x21],
        [1, 0x23],
        [2, 0x23],
        [3, 0x23],
        [0, 0x24],
      ],
    ],
    [
      '6.6',
      undefined,
      [
        [0, 0x22],
        [1, 0x20],
        [3, 0x20],
        [0, 0x20],
        [2, 0x20],
        [1, 0x22],
        [2, 0x22],
        [3, 0x22],
        [0, 0x23],
      ],
    ],
  ];
  for (const [version, global, want] of eras)
    it(`kernel ${version}`, () => {
      const x = run(onKernel(src, version, global));
      assert.deepEqual(x.errors, []);
      assert.deepEqual(cv(x, ids), want);
    });
});

describe('placement golden: (c) NUMA (docs/kernel-placement.md 2.4, 2.6)', () => {
  const c1 = golden('c1-numa.irqtopo');
  const ids = [
    'nic0.q[0]',
    'nic0.q[1]',
    'nic0.q[2]',
    'nic0.q[3]',
    'nic1.q[0]',
    'nic1.q[1]',
    'nic2.q[0]',
    'nic2.q[1]',
  ];

  it('(c1) 5.10+: node ∩ affinity, then the affinity, then the node (190113b4c653)', () => {
    const x = run(c1);
    assert.deepEqual(x.errors, []);
    // assign_irq_vector_any_locked() (vector.c, 6.10): nic0 (affinity all): node 1 ∩ all = 4-7, ties first
    // -> 4, 5, 6, 7 at 0x20. nic1 {0,1}: node ∩ {0,1} empty; step 2, the affinity -> CPU 0, then CPU 1 (0x20).
    // nic2 {3,4}: node ∩ {3,4} = {4} -> CPU 4, 0x21 and 0x22.
    assert.deepEqual(cv(x, ids), [
      [4, 0x20],
      [5, 0x20],
      [6, 0x20],
      [7, 0x20],
      [0, 0x20],
      [1, 0x20],
      [4, 0x21],
      [4, 0x22],
    ]);
    assert.deepEqual(x.found('affinity-broken'), []);
  });

  it('(c1) 5.4: the node before the affinity, then irq_startup() moves the interrupt back into it', () => {
    const x = run(onKernel(c1, '5.4', 'VECTOR'));
    assert.deepEqual(x.errors, []);
    // 5.4 (window from 0x21): nic0 -> CPUs 4-7 at 0x21. nic1.q[0]: node ∩ {0,1} empty; step 2 is the node
    // (before 190113b4c653) -> CPU 4 (200, first), 0x22, "Affinity broken" (activate_reserved(),
    // vector.c); request_irq() -> irq_startup() -> irq_setup_affinity() (kernel/irq/manage.c): mask {0,1}
    // (IRQD_AFFINITY_SET; it does not meet node 1, so no narrowing), CPU 4 outside -> assign_vector_locked()
    // moves it to CPU 0 (most available of {0,1}), 0x21; CPU 4's 0x22 stays allocated (prev_vector,
    // apic_update_vector()). nic1.q[1]: activation -> CPU 5 (CPU 4 has one less), 0x22; startup -> CPU 1,
    // 0x21. nic2 {3,4}: node ∩ {3,4} = {4} -> CPU 4, lowest free: 0x21 nic0, 0x22 held -> 0x23, then 0x24.
    assert.deepEqual(cv(x, ids), [
      [4, 0x21],
      [5, 0x21],
      [6, 0x21],
      [7, 0x21],
      [0, 0x21],
      [1, 0x21],
      [4, 0x23],
      [4, 0x24],
    ]);
    // the final CPUs are inside the affinity: not flagged as broken, but the kernel printed the warning
    assert.equal(x.r('nic1.q[0]').affinityBroken, false);
    const broken = x.found('affinity-broken');
    assert.equal(broken.length, 1, 'one finding for the nic1 statement');
    assert.match(broken[0][1], /CPU 4/);
    assert.match(broken[0][1], /moves it back into its affinity: CPU 0 vector 0x21/);
    // the held vectors: CPU 4 has 0x21 (nic0), 0x22 (held), 0x23, 0x24; CPU 5 0x21, 0x22 (held)
    const cpus = x.a.simulation!.cpus;
    assert.deepEqual(cpus[4].vectors, [0x21, 0x22, 0x23, 0x24]);
    assert.deepEqual(cpus[5].vectors, [0x21, 0x22]);
    assert.match(x.r('nic1.q[0]').hops.at(-1)!.resource, /CPU 4 vector 0x22 held/);
    // a write to the held vector still raises nic1.q[0] (vector_irq[] keeps it until the cleanup)
    const dev = x.a.model.devices.name.indexOf('nic1');
    const hit = x.a.simulation!.inject(dev, 0xfee04000, 0x22);
    assert.equal(hit.irq, 'nic1.q[0]');
  });

  it('(c2) node 1 full: 5.10+ and 5.4 end on the same CPUs (node 0), with broken affinity for {4,5}', () => {
    const src = golden('c2-node-full.irqtopo');
    const ids2 = ['nic0.q[0]', 'nic0.q[1]', 'nic3.q[0]', 'nic3.q[1]'];
    // 6.10: nic0 (all): node ∩ all has avl 0 everywhere (never picked, matrix_find_best_cpu()) -> step 2
    // (all CPUs) -> CPUs 0, 1 at 0x20, no warning. nic3 {4,5}: every step but the last fails -> CPUs 2, 3
    // (most available), 0x20, "Affinity broken". Startup (mask {4,5}) finds no vector: -ENOSPC, they stay.
    const x = run(src);
    assert.deepEqual(x.errors, []);
    assert.deepEqual(cv(x, ids2), [
      [0, 0x20],
      [1, 0x20],
      [2, 0x20],
      [3, 0x20],
    ]);
    assert.deepEqual(
      x.found('affinity-broken').map(([line]) => line),
      [lineOf(src, 'irq nic3.q')],
    );
    assert.equal(x.r('nic3.q[1]').affinityBroken, true);
    // 5.4: the same CPUs, vector 0x21 (0x20 is a system vector there)
    const y = run(onKernel(src, '5.4', 'VECTOR'));
    assert.deepEqual(cv(y, ids2), [
      [0, 0x21],
      [1, 0x21],
      [2, 0x21],
      [3, 0x21],
    ]);
    assert.equal(y.r('nic3.q[0]').affinityBroken, true);
  });
});

describe('placement golden: (d) the ITS target CPU (docs/kernel-placement.md 4)', () => {
  const d1 = golden('d1-its-nodes.irqtopo');
  const d1ids = [
    'nvme0.q[0]',
    'nvme0.q[1]',
    'nvme0.q[2]',
    'nvme0.q[3]',
    'nvme0.q[4]',
    'nic0.q[0]',
    'nic0.q[1]',
    'nic0.q[2]',
  ];
  // LPIs and events (all eras): its_create_device() sizes the ITT from the allocation call (nvme0: 5 ->
  // 8, nic0: 3 -> 4; 6.11+ also the MSI-X table, the same here) and its_lpi_alloc() takes a block that
  // size, first fit from 8192: nvme0 8192-8199, nic0 8200-8203; event = MSI-X index.
  const lpis = [8192, 8193, 8194, 8195, 8196, 8200, 8201, 8202];
  const events = [0, 1, 2, 3, 4, 0, 1, 2];
  const d1eras: [string, number[]][] = [
    // 5.19+ (its_select_cpu(), drivers/irqchip/irq-gic-v3-its.c): activation parks q[0] (unmanaged) on
    // ITS node 1 -> CPU 4, q[1..4] (managed, least loaded of every online CPU) on 0, 1, 2, 3. Requests:
    // q[0]: mask all narrowed to the device's node 0 (irq_setup_affinity()), own count removed, ITS node ∩
    // {0-3} empty -> least unmanaged of {0-3} -> CPU 0; q[1] {0,1}: M0 0 < M1 1 -> 0; q[2] {2,3}: M2 = M3
    // -> 2; q[3] {4,5} -> 4; q[4] {6,7} -> 6. nic0: parked on 4, 5, 6 (ITS node), requested there again.
    ['6.12', [0, 0, 2, 4, 6, 4, 5, 6]],
    ['5.19', [0, 0, 2, 4, 6, 4, 5, 6]],
    // 5.8-5.18: managed LPIs parked in their own mask: the same CPUs here.
    ['5.18', [0, 0, 2, 4, 6, 4, 5, 6]],
    ['5.10', [0, 0, 2, 4, 6, 4, 5, 6]],
    // before 5.8: the first CPU of mask ∩ online (cpumask_any_and() in its_set_affinity()); nic0 (no node,
    // mask all) -> CPU 0 three times; nvme0.q[0]: mask narrowed to node 0 -> CPU 0.
    ['5.4', [0, 0, 2, 4, 6, 0, 0, 0]],
  ];
  for (const [version, cpus] of d1eras)
    it(`(d1) kernel ${version}`, () => {
      const x = run(version === '6.12' ? d1 : onKernel(d1, version, 'ITS'));
      assert.deepEqual(x.errors, []);
      assert.deepEqual(
        d1ids.map((id) => [x.r(id).cpu, x.r(id).lpi, x.r(id).event]),
        d1ids.map((_, i) => [cpus[i], lpis[i], events[i]]),
      );
      // GITS_TRANSLATER = base 0x0e050000 + 0x10040, data = event ID
      assert.deepEqual(msg(x.r('nvme0.q[2]')), [0, 0x0e060040, 2]);
    });

  const d2 = golden('d2-its-park.irqtopo');
  const d2eras: [string, number][] = [
    // 5.19+: activation parks q[0] on CPU 0 and q[1] on CPU 1 (least managed count of all online CPUs,
    // 3f893a5962d3); request q[0]: own count off CPU 0; {1,2}: M1 = 1 (q[1] parked), M2 = 0 -> CPU 2.
    ['6.12', 2],
    ['5.19', 2],
    // 5.8-5.18: q[0] parked in its own mask -> CPU 1; request: own count off, M1 = M2 = 0 -> CPU 1.
    ['5.18', 1],
    ['5.10', 1],
    // before 5.8: the first CPU of {1,2} -> CPU 1.
    ['5.4', 1],
  ];
  for (const [version, cpu] of d2eras)
    it(`(d2) kernel ${version}: dev0.q[0] on CPU ${cpu}, q[1] on CPU 0`, () => {
      const x = run(version === '6.12' ? d2 : onKernel(d2, version, 'ITS'));
      assert.deepEqual(x.errors, []);
      assert.deepEqual([x.r('dev0.q[0]').cpu, x.r('dev0.q[1]').cpu], [cpu, 0]);
    });
});

describe('placement golden: (e) AMD interrupt remapping (docs/kernel-placement.md 5)', () => {
  it('IO-APIC index = pin, per-device tables, the aligned multi-MSI block (6.12)', () => {
    const x = run(golden('e-amd.irqtopo'));
    assert.deepEqual(x.errors, []);
    // irq_remapping_alloc() (drivers/iommu/amd/iommu.c): an IO-APIC entry's index is its pin (0-31 of the
    // IO-APIC's table kept for pins); nic0's own table, lowest free, one MSI-X vector at a time: 0-3;
    // sata0's multi-MSI block of 4 aligned to 4: 0-3. Vectors (6.12, 201 per CPU): acpi CPU 0 0x20, kbd
    // CPU 1 0x20, nic0 CPUs 2, 3 (0x20), 0, 1 (0x21); sata0 CPUs 2, 3 (0x21), 0, 1 (0x22).
    const rows = [
      'acpi.sci',
      'i8042.kbd',
      'nic0.q[0]',
      'nic0.q[1]',
      'nic0.q[2]',
      'nic0.q[3]',
      'sata0.port[0]',
      'sata0.port[1]',
      'sata0.port[2]',
      'sata0.port[3]',
    ].map((id) => [x.r(id).irte, x.r(id).cpu, x.r(id).vector]);
    assert.deepEqual(rows, [
      [9, 0, 0x20],
      [1, 1, 0x20],
      [0, 2, 0x20],
      [1, 3, 0x20],
      [2, 0, 0x21],
      [3, 1, 0x21],
      [0, 2, 0x21],
      [1, 3, 0x21],
      [2, 0, 0x22],
      [3, 1, 0x22],
    ]);
    // fill_msi_msg(): address 0xfee00000, data = the index (the device adds the port number to a
    // multi-MSI block's data: port[3] writes 0x3); an IO-APIC pin writes no MSI
    assert.deepEqual(msg(x.r('nic0.q[2]')), [0, 0xfee00000, 2]);
    assert.deepEqual(msg(x.r('sata0.port[3]')), [0, 0xfee00000, 3]);
    assert.equal(x.r('acpi.sci').message, null);
  });

  it('table size by era: 256 (< 5.10), 512, 2048 with the 2K feature and address 0xfee00004 (6.15+)', () => {
    const src = golden('e-amd-table.irqtopo');
    const look = (x: Run, q: number) => {
      const r = x.r(`big.q[${q}]`);
      return r.failure ? r.failure.code : [r.irte, r.message!.address_lo];
    };
    // 6.12, 512 entries (73db2fc595f3): 0..511, then "AMD-Vi: Failed to allocate IRTE"
    const x = run(src);
    assert.deepEqual(
      [255, 256, 511, 512].map((q) => look(x, q)),
      [[255, 0xfee00000], [256, 0xfee00000], [511, 0xfee00000], 'irte-exhausted'],
    );
    assert.equal(x.found('irte-exhausted').length, 1);
    // 6.15 with EFR2 2K (19e5cc156cbc): 2048 entries, the destination-mode bit set in every message
    const y = run(onKernel(src, '6.15').replace('entries 512;', 'entries 2048;'));
    assert.deepEqual(
      [255, 256, 511, 512].map((q) => look(y, q)),
      [
        [255, 0xfee00004],
        [256, 0xfee00004],
        [511, 0xfee00004],
        [512, 0xfee00004],
      ],
    );
    assert.deepEqual(msg(y.r('nic0.q[2]')), [0, 0xfee00004, 2]);
    // 6.15 without the 2K feature: 512, no bit
    const z = run(onKernel(src, '6.15'));
    assert.deepEqual(look(z, 512), 'irte-exhausted');
    assert.deepEqual(look(z, 511), [511, 0xfee00000]);
    // 5.4: MAX_IRQS_PER_TABLE 256 (no `entries`: the era's default)
    const w = run(onKernel(src, '5.4', 'AMD-IR-0').replace('entries 512; ', ''));
    assert.deepEqual(
      [255, 256].map((q) => look(w, q)),
      [[255, 0xfee00000], 'irte-exhausted'],
    );
  });
});

describe('placement golden: (f) APIC drivers and messages (docs/kernel-placement.md 7)', () => {
  const f = golden('f-apic.irqtopo');
  const q = (x: Run) => x.r('nic0.q[0]');

  it('(f1) flat: logical destination 1 << cpu, bit 2 (apic_flat_calc_apicid(), before 6.12)', () => {
    const x = run(f);
    assert.deepEqual(x.errors, []);
    assert.deepEqual([q(x).cpu, q(x).vector, msg(q(x))], [3, 0x20, [0, 0xfee08004, 0x20]]);
    // 6.12 removed flat (838ba7733e4e): apic-mode
    assert.deepEqual(
      run(onKernel(f, '6.12'))
        .found('apic-mode')
        .map(([line]) => line),
      [lineOf(f, 'apic flat')],
    );
  });

  it('(f2) physflat and (f4) x2apic-phys: the APIC ID in bits 19:12', () => {
    for (const mode of ['physflat', 'x2apic-phys']) {
      const x = run(f.replace('apic flat', `apic ${mode}`));
      assert.deepEqual(x.errors, [], mode);
      assert.deepEqual(msg(q(x)), [0, 0xfee03000, 0x20], mode);
    }
  });

  it("(f4') x2apic-phys without IR or ext-dest-id cannot reach APIC ID 300", () => {
    const src = f
      .replace('apic flat', 'apic x2apic-phys')
      .replace('cpus 0-3', 'cpus 0-3\napic-ids 0,1,2,300');
    const x = run(src);
    assert.deepEqual(
      x.found('apic-id-unreachable').map(([line]) => line),
      [lineOf(src, 'irq nic0.q[0]')],
    );
  });

  it('(f3) x2apic-cluster with IR: remappable message, the IRTE holds the logical ID', () => {
    const src = golden('f3-x2apic-cluster.irqtopo');
    const x = run(src);
    assert.deepEqual(x.errors, []);
    // IRTE 0: fill_msi_msg() 0xfee00018, data 0; dest = (3 >> 4) << 16 | 1 << (3 & 15) = 0x00000008
    // (init_x2apic_ldr(), x2apic_cluster.c)
    assert.deepEqual([q(x).irte, msg(q(x))], [0, [0, 0xfee00018, 0]]);
    assert.match(q(x).hops[1].resource, /dest 0x00000008 logical/);
    // (f3') APIC ID 300 = 0x12c: cluster 0x12, bit 0xc -> 0x00121000; the message does not change
    const y = run(src.replace('cpus 0-3', 'cpus 0-3\napic-ids 0,1,2,300'));
    assert.deepEqual(msg(q(y)), [0, 0xfee00018, 0]);
    assert.match(q(y).hops[1].resource, /dest 0x00121000 logical/);
    // without a remap unit cluster mode is refused (try_to_enable_x2apic(): physical x2APIC forced)
    const z = run(src.replace(/^domain IR-0 .*$/m, ''));
    assert.equal(z.found('apic-mode').length, 1);
  });

  it('(f5) the extended destination ID: APIC ID bits 14:8 in address bits 11:5; DMAR-MSI in address_hi', () => {
    const x = run(golden('f5-ext-dest-id.irqtopo'));
    assert.deepEqual(x.errors, []);
    // nic0.q[0]: dest 300 = 0x12c: 0x2c << 12 | 0x1 << 5 -> 0xfee2c020, data 0x20 (__irq_msi_compose_msg())
    assert.deepEqual(msg(q(x)), [0, 0xfee2c020, 0x20]);
    // dmar0.fault (dmar = true): address_hi = (dest >> 8) << 8 = 0x100, no ext bits in address_lo. It is
    // allocated after nic0's queue took CPU 3's 0x20, so its vector is 0x21 (the doc's table said 0x20:
    // corrected there).
    const d = x.r('dmar0.fault');
    assert.deepEqual([d.cpu, d.vector, msg(d)], [3, 0x21, [0x100, 0xfee2c000, 0x21]]);
  });

  it('DMAR-MSI in x2apic-cluster to APIC ID 300: logical bit, dest 0x121000 in address_hi', () => {
    const x = run(golden('f5-cluster-dmar.irqtopo'));
    assert.deepEqual(x.errors, []);
    // logical ID 0x121000: bits 7:0 are 0 (address 0xfee00000 | logical bit 2), bits 31:8 in address_hi
    assert.deepEqual(msg(x.r('dmar0.fault')), [0x00121000, 0xfee00004, 0x21]);
  });
});

describe('placement golden: (g) CPU hotplug (docs/kernel-placement.md 3)', () => {
  it('(g1) 6.6: "CPU 3 has 19 vectors, 18 available. Cannot disable CPU"; nothing moves', () => {
    const src = golden('g1-refused.irqtopo');
    const x = run(src);
    // capacity 202 (6.6): reservations 0xe5 on CPUs 0-2, 0x33 on CPU 3; avl CPUs 0-2: 202 - 195 - 1 = 6.
    // lapic_can_unplug_cpu() (vector.c): tomove = irq_matrix_allocated() = 18 + the managed io[3] = 19
    // (before 6.7); avl = 3 x 6 = 18 < 19: refused, -ENOSPC.
    const refused = x.found('cpu-unplug-refused');
    assert.equal(refused.length, 1);
    assert.equal(refused[0][0], lineOf(src, 'offline 3'));
    assert.ok(
      refused[0][1].includes('"CPU 3 has 19 vectors, 18 available. Cannot disable CPU"'),
      refused[0][1],
    );
    const boot = x.a.simulation!.routesBeforeOffline()!;
    const after = x.a.simulation!.routes;
    assert.deepEqual(
      boot.map((r) => [r.irq, r.cpu, r.vector]),
      [
        ['nvme0.io[0]', 0, 0xe5],
        ['nvme0.io[1]', 1, 0xe5],
        ['nvme0.io[2]', 2, 0xe5],
        ['nvme0.io[3]', 3, 0x33],
      ],
    );
    assert.deepEqual(
      after.map((r) => [r.irq, r.cpu, r.vector, r.offline ?? null]),
      boot.map((r) => [r.irq, r.cpu, r.vector, null]),
    );
    assert.equal(x.a.simulation!.cpus[3].online, true);
  });

  it('(g1) 6.7: managed vectors excluded (a0b0bad10587): accepted; io[3] shut down; the 18 in-use vectors move', () => {
    const src = onKernel(golden('g1-refused.irqtopo'), '6.7');
    const x = run(src);
    assert.deepEqual(x.found('cpu-unplug-refused'), []);
    // tomove 18, avl 18: accepted. io[3]: mask {3} has no online CPU -> irq_shutdown_and_deactivate()
    assert.equal(x.r('nvme0.io[3]').offline, 'shut-down');
    assert.equal(x.r('nvme0.io[3]').cpu, null);
    assert.deepEqual(
      linesOf(x, 'irq-shutdown'),
      asc([lineOf(src, 'irq nvme0.io[3]'), lineOf(src, 'offline 3')]),
    );
    // the 18 in-use vectors move to the most available CPU, ties first: 0, 1, 2, 0, ...; each CPU gets 6,
    // on 0xe6..0xeb; CPUs 0-2 end with avl 0
    const cpus = x.a.simulation!.cpus;
    for (const c of [0, 1, 2]) {
      assert.equal(cpus[c].available, 0);
      assert.deepEqual(cpus[c].vectors.slice(-6), [0xe6, 0xe7, 0xe8, 0xe9, 0xea, 0xeb]);
    }
    assert.deepEqual([cpus[3].online, cpus[3].used], [false, 0]);
  });

  it('(g2/g3) a managed queue moves in its mask, one is shut down, a non-managed one breaks affinity', () => {
    const src = golden('g2-hotplug.irqtopo');
    const x = run(src);
    assert.deepEqual(x.errors, []);
    const ids = [
      'nvme0.admin',
      'nvme0.io[0]',
      'nvme0.io[1]',
      'nvme0.io[2]',
      'nvme0.io[3]',
      'nvme1.admin',
      'nvme1.io[0]',
      'nvme1.io[1]',
      'nic0.q[0]',
      'nic0.q[1]',
    ];
    // Boot (6.10): nvme0 reserves 0x20 on CPUs 0-3; admin -> CPU 0, 0x21; io[n] -> CPU n, 0x20. nvme1
    // reserves 0x22 on CPU 0, 0x21 on 1-3; its admin: avl 198, 199, 199, 199 -> CPU 1, 0x22; io[0] {0,1}:
    // 1 managed each, tie -> CPU 1, 0x21; io[1] {2,3} -> CPU 3, 0x21. nic0.q[0] {3} -> CPU 3, 0x22;
    // nic0.q[1] {2,3}: 199 vs 198 -> CPU 2, 0x22.
    const boot = new Map(x.a.simulation!.routesBeforeOffline()!.map((r) => [r.irq, [r.cpu, r.vector]]));
    assert.deepEqual(
      ids.map((id) => boot.get(id)),
      [
        [0, 0x21],
        [0, 0x20],
        [1, 0x20],
        [2, 0x20],
        [3, 0x20],
        [1, 0x22],
        [1, 0x21],
        [3, 0x21],
        [3, 0x22],
        [2, 0x22],
      ],
    );
    // offline 3 (tomove 1 from 6.7: 3 allocated less 2 managed; avl 594): in irq order,
    // migrate_one_irq() (kernel/irq/cpuhotplug.c): nvme0.io[3] {3}: shut down; nvme1.io[1] {2,3} -> CPU 2,
    // its lowest reserved unused bit 0x21 (assign_managed_vector()); nic0.q[0] {3}: affinity ∩ online
    // empty -> the online mask 0-2, all at 198 -> CPU 0, 0x20 used, 0x21 admin, 0x22 reserved -> 0x23, its
    // affinity becomes 0-2; nic0.q[1] is on CPU 2: untouched.
    assert.deepEqual(cv(x, ids), [
      [0, 0x21],
      [0, 0x20],
      [1, 0x20],
      [2, 0x20],
      [null, null],
      [1, 0x22],
      [1, 0x21],
      [2, 0x21],
      [0, 0x23],
      [2, 0x22],
    ]);
    assert.deepEqual(
      ['nvme0.io[3]', 'nvme1.io[1]', 'nic0.q[0]', 'nic0.q[1]'].map((id) => x.r(id).offline ?? null),
      ['shut-down', 'moved', 'moved', null],
    );
    assert.deepEqual(x.r('nic0.q[0]').mask, [0, 1, 2]);
    assert.equal(x.r('nic0.q[0]').affinityBroken, true);
    assert.deepEqual(msg(x.r('nvme1.io[1]')), [0, 0xfee02000, 0x21]);
    assert.deepEqual(msg(x.r('nic0.q[0]')), [0, 0xfee00000, 0x23]);
    // findings: at the offline line and at the statements
    const off = lineOf(src, 'offline 3');
    assert.deepEqual(linesOf(x, 'irq-shutdown'), asc([lineOf(src, 'irq nvme0.io[3]'), off]));
    assert.deepEqual(linesOf(x, 'affinity-broken'), asc([lineOf(src, 'irq nic0.q[0]'), off]));
  });

  it('(g4) 6.9: -ENOSPC, "IRQn: set affinity failed(-28)."; 6.10: retried with every online CPU (88d724e2301a)', () => {
    const src = golden('g4-enospc.irqtopo');
    const x = run(src);
    // activation: {2,3}, CPU 2 has avl 0 -> CPU 3, 0x20. offline 3: tomove 1, avl 404 (6.9): accepted;
    // affinity ∩ online = {2}: no vector -> -ENOSPC; 6.9 does not retry: it stays on CPU 3's 0x20
    assert.deepEqual(
      [x.r('nic0.q[0]').cpu, x.r('nic0.q[0]').vector, x.r('nic0.q[0]').offline],
      [3, 0x20, 'stuck'],
    );
    assert.deepEqual(msg(x.r('nic0.q[0]')), [0, 0xfee03000, 0x20]);
    const failed = x.found('set-affinity-failed');
    assert.deepEqual(
      asc(failed.map(([line]) => line)),
      asc([lineOf(src, 'irq nic0.q[0]'), lineOf(src, 'offline 3')]),
    );
    assert.ok(failed[0][1].includes('"IRQ<n>: set affinity failed(-28)."'), failed[0][1]);
    // 6.10: the retry with cpu_online_mask (0-2) -> CPU 0 (most available, first), 0x20, broken affinity
    const y = run(onKernel(src, '6.10'));
    assert.deepEqual(y.found('set-affinity-failed'), []);
    assert.deepEqual(
      [y.r('nic0.q[0]').cpu, y.r('nic0.q[0]').vector, y.r('nic0.q[0]').offline],
      [0, 0x20, 'moved'],
    );
    assert.deepEqual(msg(y.r('nic0.q[0]')), [0, 0xfee00000, 0x20]);
    assert.deepEqual(y.r('nic0.q[0]').mask, [0, 1, 2]);
    assert.match(y.found('affinity-broken')[0][1], /offline 3: nic0\.q\[0\] leaves its affinity/);
    // both eras booted the same
    for (const z of [x, y])
      assert.deepEqual(
        z.a.simulation!.routesBeforeOffline()!.map((r) => [r.cpu, r.vector]),
        [[3, 0x20]],
      );
  });
});

describe('placement golden: (h) the two-socket server, examples/two-socket.irqtopo (docs/kernel-placement.md 9.2)', () => {
  const src = fs.readFileSync(path.join(ROOT, 'examples', 'two-socket.irqtopo'), 'utf8');
  const ids = [
    'dmar0.fault',
    'nvme0.admin',
    ...[0, 1, 2, 3, 4, 5, 6, 7].map((i) => `nvme0.io[${i}]`),
    ...[0, 1, 2, 3].map((i) => `nic0.q[${i}]`),
  ];

  it('spread masks: node 1 first (two equal nodes swapped by lib/sort.c), a CPU and its sibling', () => {
    const x = run(src);
    // group_cpus_evenly(8) (lib/group_cpus.c, 6.19 read): 4 groups per node, 2 CPUs each, siblings c, c + 8
    assert.deepEqual(
      [0, 1, 2, 3, 4, 5, 6, 7].map((i) => x.r(`nvme0.io[${i}]`).mask),
      [
        [4, 12],
        [5, 13],
        [6, 14],
        [7, 15],
        [0, 8],
        [1, 9],
        [2, 10],
        [3, 11],
      ],
    );
    // before 5.4 (nodes in number order, irq_build_affinity_masks()): node 0 first
    const old = src
      .replace('kernel 6.12', 'kernel 5.3')
      .replace(/^expect .*$/gm, '')
      .replace(
        /^(domain IR-1 .*)$/m,
        '$1\ndomain IR-MSI-0 : pci-msi { parent IR-0 }\ndomain IR-MSI-1 : pci-msi { parent IR-1 }',
      )
      .replace('pci 0000:01:00.0;', 'pci 0000:01:00.0; msi-domain IR-MSI-0;')
      .replace('pci 0000:81:00.0;', 'pci 0000:81:00.0; msi-domain IR-MSI-1;');
    const y = run(old);
    assert.deepEqual(y.errors, []);
    assert.deepEqual(
      [0, 3, 4, 7].map((i) => y.r(`nvme0.io[${i}]`).mask),
      [
        [0, 8],
        [3, 11],
        [4, 12],
        [7, 15],
      ],
    );
  });

  it('boot placement (6.12): CPUs, vectors, IRTEs, x2APIC cluster destinations and messages', () => {
    const x = run(src);
    assert.deepEqual(x.errors, [], 'clean, every expect holds');
    const boot = new Map(x.a.simulation!.routesBeforeOffline()!.map((r) => [r.irq, r]));
    const ir = (h: number) => 0xfee00000 + h * 32 + 0x18;
    // derivation: the comments of examples/two-socket.irqtopo (dmar0 CPU 0 0x20; admin CPU 1 0x21 above
    // its reservation; io[k] on the second thread of each pair, 0x20; nic0 on CPUs 4-7, 0x21; IRTEs in
    // allocation order per unit)
    const want: [number, number, number | null, number, number, number][] = [
      [0, 0x20, null, 0, 0xfee01004, 0x20],
      [1, 0x21, 0, 0, ir(0), 0],
      [12, 0x20, 1, 0, ir(1), 0],
      [13, 0x20, 2, 0, ir(2), 0],
      [14, 0x20, 3, 0, ir(3), 0],
      [15, 0x20, 4, 0, ir(4), 0],
      [8, 0x20, 5, 0, ir(5), 0],
      [9, 0x20, 6, 0, ir(6), 0],
      [10, 0x20, 7, 0, ir(7), 0],
      [11, 0x20, 8, 0, ir(8), 0],
      [4, 0x21, 0, 0, ir(0), 0],
      [5, 0x21, 1, 0, ir(1), 0],
      [6, 0x21, 2, 0, ir(2), 0],
      [7, 0x21, 3, 0, ir(3), 0],
    ];
    assert.deepEqual(
      ids.map((id) => {
        const r = boot.get(id)!;
        return [r.cpu, r.vector, r.irte, ...msg(r)!];
      }),
      want,
    );
    // the IRTE destinations: (APIC ID >> 4) << 16 | 1 << (APIC ID & 15)
    const dest = (id: string) => /dest (0x[0-9a-f]+)/.exec(boot.get(id)!.hops[1].resource)?.[1];
    assert.deepEqual(
      [
        'nvme0.admin',
        'nvme0.io[0]',
        'nvme0.io[1]',
        'nvme0.io[4]',
        'nvme0.io[7]',
        'nic0.q[0]',
        'nic0.q[3]',
      ].map(dest),
      ['0x00000004', '0x00020002', '0x00020008', '0x00000002', '0x00000080', '0x00020001', '0x00020040'],
    );
  });

  it('offline 12,4: io[0] moves to CPU 4 then is shut down; nic0.q[0] leaves its node for CPU 2', () => {
    const x = run(src);
    // step 1 alone: io[0] {4,12} moves to CPU 4 on its lowest reserved unused bit 0x20
    const one = run(src.replace('offline 12,4', 'offline 12').replace(/^expect .*$/gm, ''));
    assert.deepEqual([one.r('nvme0.io[0]').cpu, one.r('nvme0.io[0]').vector], [4, 0x20]);
    assert.deepEqual(msg(one.r('nvme0.io[0]')), [0, 0xfee00038, 0]);
    assert.match(one.r('nvme0.io[0]').hops[1].resource, /dest 0x00020001/);
    // step 2: io[0] shut down; nic0.q[0] -> CPU 2 (200; CPUs 0 and 1 have 199), 0x21 (0x20 reserved for
    // io[6]); no node preference at migration
    assert.deepEqual([x.r('nvme0.io[0]').cpu, x.r('nvme0.io[0]').offline], [null, 'shut-down']);
    assert.deepEqual(
      [x.r('nic0.q[0]').cpu, x.r('nic0.q[0]').vector, x.r('nic0.q[0]').offline],
      [2, 0x21, 'moved'],
    );
    assert.match(x.r('nic0.q[0]').hops[1].resource, /dest 0x00000010/);
    assert.deepEqual(x.found('cpu-unplug-refused'), []);
    assert.equal(x.found('irq-shutdown').length, 2);
    // the online CPUs' available vectors: 3194 at boot less CPU 12's 200 and CPU 4's 199 = 2795, and
    // nic0.q[0]'s vector moved from CPU 4 to CPU 2 (-1): 2794
    const cpus = x.a.simulation!.cpus;
    assert.equal(
      cpus.filter((c) => c.online).reduce((s, c) => s + c.available, 0),
      2794,
    );
  });
});
