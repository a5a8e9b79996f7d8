// Golden tests of the simulation: every route of each bundled example, derived by hand from the
// kernel rules (LANGUAGE.md section 3, docs/simulation.md), with the reasoning beside each one.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { analyze, type Route, type Simulation } from '../../server/src/core';
import { analyzeFile, describe1, fixture, ROOT } from './helpers';

function sim(file: string): { simulation: Simulation; errors: string[] } {
  const a = analyzeFile(file);
  assert.ok(a.simulation, `${file} was simulated`);
  return {
    simulation: a.simulation,
    errors: a.diagnostics.filter((d) => d.severity === 'error' || d.code === 'expect-failed').map(describe1),
  };
}

type Row = [
  irq: string,
  cpu: number | null,
  vectorOrLpi: number | null,
  irteOrEvent: number | null,
  address: number | null,
  data: number | null,
];

function row(r: Route): Row {
  return [
    r.irq,
    r.cpu,
    r.lpi ?? r.vector,
    r.irte ?? r.event,
    r.message ? r.message.address_hi * 2 ** 32 + r.message.address_lo : null,
    r.message ? r.message.data : null,
  ];
}

/** Intel remappable address of a handle (bits 19:5 handle[14:0], 4 format, 3 SHV, 2 handle[15]). */
const ir = (h: number) => 0xfee00000 + h * 32 + 0x18;

describe('simulation: bundled examples (golden, derived by hand)', () => {
  it('two-ir-units.irqtopo: vectors, IRTEs and messages of every interrupt', () => {
    const { simulation, errors } = sim(path.join(ROOT, 'examples/two-ir-units.irqtopo'));
    assert.deepEqual(errors, [], 'the example is clean and all its expects hold');
    // Kernel 6.6: 0x20 is no longer a system vector (6.6), the first system vector is still 0xec (before
    // 6.10), so each CPU has 0x20..0xeb less 0x32, 0x80 = 202 vectors.
    // v2 (docs/kernel-placement.md 2.3): nvme0's five interrupts are one batch (pci_alloc_irq_vectors in
    // reservation mode): every allocation first, then every activation in request order.
    // Allocation: admin (non-managed) only counts a global reservation (irq_matrix_reserve); io[n] (managed)
    //   reserves the lowest free vector, 0x20, on every CPU of its mask (irq_matrix_reserve_managed,
    //   kernel/irq/matrix.c), so every CPU has one reservation and 201 available.
    // Activation: admin: all CPUs tie at 201 -> CPU 0 (matrix_find_best_cpu: ties to the first), lowest
    //   vector free of allocations and reservations: 0x21 (matrix_alloc_area). io[0] (mask 0-7): no CPU has a
    //   managed allocation, ties to the last (matrix_find_best_cpu_managed, 5.0+) -> CPU 7, its lowest reserved
    //   unused bit 0x20 (irq_matrix_alloc_managed); io[1..3] likewise on CPUs 15, 23, 31.
    // Then the non-managed spread: CPU 0 has 202 - 1 - 1 = 200 available, CPUs 1-31 have 201 (a managed
    // allocation does not lower `available`), so each next interrupt takes the lowest CPU with the most available:
    // nic1.misc CPU 1, nic1.q[0..7] CPUs 2-9, vf0 CPUs 10-14, dsa1.misc 15, dsa1.wq 16-19, nic0.misc 20,
    // nic0.q 21-28, ahci0.ports[0..2] 29-31; all CPUs are now at 200, so ahci0.ports[3] goes to CPU 0 and
    // the rest continue from CPU 1. The vector is 0x21 on CPUs 1-31 (0x20 is reserved there), and 0x22 on
    // the second round (on CPU 0: 0x20 reserved, 0x21 admin).
    // IRTEs: IR-0 and IR-1 have separate tables. IR-0: nvme0 0-4, nic0 5-13, then ahci0's 4 MSI vectors
    // need an aligned block of 4: 14-15 is too small, so 16-19 (handle 16, subhandles 0-3, data = subhandle);
    // dsa0.misc and dsa0.wq[0] fill 14, 15; wq[1..3] 20-22; the IO-APIC pins 23-25, HPET 26.
    // IR-1: nic1 0-8, vf0 9-13, dsa1.misc 14, dsa1.wq 15-18.
    // DMAR-MSI is never remapped: compatibility format, 0xfee00000 | APIC ID << 12, data = vector.
    // IO-APIC pins write no MSI message (a redirection-table entry): message null.
    const want: Row[] = [
      ['nvme0.admin', 0, 0x21, 0, 0xfee00018, 0],
      ['nvme0.io[0]', 7, 0x20, 1, ir(1), 0],
      ['nvme0.io[1]', 15, 0x20, 2, 0xfee00058, 0],
      ['nvme0.io[2]', 23, 0x20, 3, ir(3), 0],
      ['nvme0.io[3]', 31, 0x20, 4, ir(4), 0],
      ['nic1.misc', 1, 0x21, 0, ir(0), 0],
      ...[0, 1, 2, 3, 4, 5, 6, 7].map((q): Row => [`nic1.q[${q}]`, 2 + q, 0x21, 1 + q, ir(1 + q), 0]),
      ...[0, 1, 2, 3, 4].map((q): Row => [`vf0.vfio[${q}]`, 10 + q, 0x21, 9 + q, ir(9 + q), 0]),
      ['dsa1.misc', 15, 0x21, 14, ir(14), 0],
      ...[0, 1, 2, 3].map((q): Row => [`dsa1.wq[${q}]`, 16 + q, 0x21, 15 + q, ir(15 + q), 0]),
      ['nic0.misc', 20, 0x21, 5, ir(5), 0],
      ...[0, 1, 2, 3, 4, 5, 6, 7].map((q): Row => [`nic0.q[${q}]`, 21 + q, 0x21, 6 + q, ir(6 + q), 0]),
      ['ahci0.ports[0]', 29, 0x21, 16, ir(16), 0],
      ['ahci0.ports[1]', 30, 0x21, 17, ir(16), 1],
      ['ahci0.ports[2]', 31, 0x21, 18, ir(16), 2],
      ['ahci0.ports[3]', 0, 0x22, 19, ir(16), 3],
      ['dsa0.misc', 1, 0x22, 14, ir(14), 0],
      ['dsa0.wq[0]', 2, 0x22, 15, ir(15), 0],
      ['dsa0.wq[1]', 3, 0x22, 20, ir(20), 0],
      ['dsa0.wq[2]', 4, 0x22, 21, ir(21), 0],
      ['dsa0.wq[3]', 5, 0x22, 22, ir(22), 0],
      ['dmar0.fault', 6, 0x22, null, 0xfee06000, 0x22],
      ['dmar1.fault', 7, 0x22, null, 0xfee07000, 0x22],
      ['serial0.ttyS0', 8, 0x22, 23, null, null],
      ['acpi.sci', 9, 0x22, 24, null, null],
      ['smbus0.intx', 10, 0x22, 25, null, null],
      ['hpet.ch2', 11, 0x22, 26, ir(26), 0],
    ];
    assert.deepEqual(simulation.routes.map(row), want);
    const r = simulation.routesById.get('ahci0.ports[1]')!;
    assert.equal(r.handle, 16);
    assert.equal(r.subhandle, 1);
    assert.deepEqual(
      simulation.domains
        .filter((d) => d.name === 'IR-0' || d.name === 'IR-1')
        .map((d) => [d.name, d.used, d.size]),
      [
        ['IR-0', 27, 65536],
        ['IR-1', 19, 65536],
      ],
    );
    // CPU 0: io[0]'s reservation 0x20 (unused: io[0] went to CPU 7), admin 0x21, ahci0.ports[3] 0x22:
    // 2 allocated, 202 - 1 reservation - 2 = 199 available
    const c0 = simulation.cpus[0];
    assert.deepEqual(
      [c0.used, c0.available, c0.managed, c0.managed_allocated, c0.vectors],
      [2, 199, 1, 0, [0x21, 0x22]],
    );
  });

  it('arm64-gicv3-its.irqtopo: event IDs, per-device LPI ranges, target CPUs and ITS messages', () => {
    const { simulation, errors } = sim(path.join(ROOT, 'examples/arm64-gicv3-its.irqtopo'));
    assert.deepEqual(errors, []);
    // Kernel 6.12: per-device ITS domains, so its_pci_msi_prepare (irq-gic-v3-its-msi-parent.c) sizes each
    // device's ITT from max(the first allocation, the MSI-X table size) rounded up to a power of two; the
    // 32 minimum is only for DeviceID 0 and platform devices (its_pmsi_prepare). nvme0: msix 33 -> 64 events;
    // nic0: msix 64 -> 64; vf0: msix 4 -> 4; smmu0 (platform, 2 MSIs) -> 32. its_create_device takes a
    // contiguous LPI range of the ITT's size (its_lpi_alloc), lowest first from 8192: nvme0 8192-8255,
    // nic0 8256-8319, vf0 8320-8323, smmu0 8324-8355; LPI = range base + event ID.
    // Target CPU (5.19+, docs/kernel-placement.md 4; drivers/irqchip/irq-gic-v3-its.c): per CPU a managed
    // (M) and an unmanaged (U) LPI count; its_select_cpu() takes the least loaded CPU of the interrupt's
    // kind, ties to the lowest (cpumask_pick_least_loaded). PCI/MSI activates at allocation, so a device's
    // batch is parked first (its_irq_domain_activate, managed ones over every online CPU from 5.19), then
    // each request_irq() takes its own parked count off and chooses again (its_set_affinity).
    //   nvme0: park q[0] U0; q[1..4] M on CPUs 0, 1, 2, 3. Requests: q[0] -> 0; q[1] {0,1}: M0 0 < M1 1 -> 0;
    //     q[2] {2,3}: M2 = M3 = 1 -> 2; q[3] {4,5} -> 4; q[4] {6,7} -> 6. U = 1,0,0,0,0,0,0,0.
    //   nic0 (9 unmanaged): parked on 1..7, 0, 1 (U = 2,2,1,1,1,1,1,1); each request takes its own count off
    //     and finds its parked CPU the lowest least loaded again: misc 1, q[0..7] 2..7, 0, 1.
    //   vf0: parked on 2, 3, 4, 5, requested there likewise (U = 2,2,2,2,2,2,1,1).
    //   smmu0 (platform MSI, no early activation): evtq -> 6, gerror -> 7.
    // Message: ITS base 0x0e050000 + GITS_TRANSLATER 0x10040 = 0x0e060040, data = event.
    const its = 0x0e060040;
    const cpus = [0, 0, 2, 4, 6, 1, 2, 3, 4, 5, 6, 7, 0, 1, 2, 3, 4, 5, 6, 7];
    const names = [
      ...[0, 1, 2, 3, 4].map((i) => `nvme0.q[${i}]`),
      'nic0.misc',
      ...[0, 1, 2, 3, 4, 5, 6, 7].map((i) => `nic0.q[${i}]`),
      ...[0, 1, 2, 3].map((i) => `vf0.vfio[${i}]`),
      'smmu0.evtq',
      'smmu0.gerror',
    ];
    const bases = [
      ...Array(5).fill(8192),
      ...Array(9).fill(8256),
      ...Array(4).fill(8320),
      ...Array(2).fill(8324),
    ];
    const events = [0, 1, 2, 3, 4, 0, 1, 2, 3, 4, 5, 6, 7, 8, 0, 1, 2, 3, 0, 1];
    const want: Row[] = names.map((n, i) => [n, cpus[i], bases[i] + events[i], events[i], its, events[i]]);
    assert.deepEqual(simulation.routes.map(row), want);
    assert.deepEqual(simulation.routesById.get('nvme0.q[1]')!.path, [
      'ITS-PCI-MSIX-0000:91:00.0',
      'ITS',
      'GICv3',
    ]);
  });

  it('two-socket.irqtopo: nodes, SMT, x2APIC cluster, spread NVMe queues, and the offline what-if', () => {
    const { simulation, errors } = sim(path.join(ROOT, 'examples/two-socket.irqtopo'));
    assert.deepEqual(errors, [], 'the example is clean and all its expects hold');
    // Derivation in the example's comments (and test/core/placement-golden.test.ts, example (h)): kernel
    // 6.12, 201 vectors per CPU. dmar0 CPU 0 0x20 (DMAR-MSI: compatibility format, logical ID 1, bit 2);
    // nvme0's batch reserves 0x20 on both CPUs of each spread pair (0x21 on CPU 0), IR-0 IRTEs 0-8; admin
    // (node 0) CPU 1 0x21; io[k] on the second thread of its pair {c, c + 8} (ties to the last, 5.0+),
    // node 1's pairs first (group_cpus_evenly() sorts two equal nodes into 1, 0); nic0 (node 1) CPUs 4-7
    // 0x21, IR-1 IRTEs 0-3. After `offline 12,4`: io[0] {4,12} moved to CPU 4 then shut down (its IRTE and
    // message stay); nic0.q[0] moved to CPU 2 (the most available online CPU; no node preference at
    // migration), 0x21.
    const want: Row[] = [
      ['dmar0.fault', 0, 0x20, null, 0xfee01004, 0x20],
      ['nvme0.admin', 1, 0x21, 0, ir(0), 0],
      ['nvme0.io[0]', null, null, 1, ir(1), 0],
      ...[13, 14, 15, 8, 9, 10, 11].map((cpu, i): Row => [
        `nvme0.io[${i + 1}]`,
        cpu,
        0x20,
        i + 2,
        ir(i + 2),
        0,
      ]),
      ['nic0.q[0]', 2, 0x21, 0, ir(0), 0],
      ...[5, 6, 7].map((cpu, i): Row => [`nic0.q[${i + 1}]`, cpu, 0x21, i + 1, ir(i + 1), 0]),
    ];
    assert.deepEqual(simulation.routes.map(row), want);
    assert.deepEqual(
      simulation.routes.map((r) => r.offline ?? null).filter((o) => o),
      ['shut-down', 'moved'],
    );
  });

  it('ntb-virtual.irqtopo: virtual MSI-X entries beyond the table still take IRTEs and vectors', () => {
    const { simulation } = sim(path.join(ROOT, 'examples/ntb-virtual.irqtopo'));
    // Kernel 6.6: 202 vectors per CPU from 0x20. event: entry 0, CPU 0, 0x20, IRTE 0. The four peers are
    // PCI_IRQ_VIRTUAL entries 4-7 (beyond the 4-entry table), spread to CPUs 1-4 (201 < 202), vector 0x20,
    // IRTEs 1-4 of the one IR unit.
    assert.deepEqual(simulation.routes.map(row), [
      ['ntb0.event', 0, 0x20, 0, ir(0), 0],
      ...[0, 1, 2, 3].map((q): Row => [`ntb0.peer[${q}]`, 1 + q, 0x20, 1 + q, ir(1 + q), 0]),
    ]);
    assert.deepEqual(
      simulation.routes.map((r) => r.hops[0].hwirq),
      [0, 4, 5, 6, 7],
    );
  });

  it('imported-local-vm.irqtopo: a 2-CPU VM without IR (compatibility messages, IO-APIC pins)', () => {
    const { simulation } = sim(path.join(ROOT, 'examples/imported-local-vm.irqtopo'));
    // Kernel 6.18: 0x20..0xea less 0x32, 0x80. Non-managed interrupts alternate: CPU 0 (tie), CPU 1 (more
    // available), ... so the n-th interrupt goes to CPU n % 2 with vector 0x20 + n / 2. No IR: address
    // 0xfee00000 | APIC ID (= CPU) << 12, data = vector; the three IO-APIC pins have no message.
    const rows = simulation.routes.map(row);
    rows.forEach((r, n) => {
      assert.equal(r[1], n % 2, `${r[0]} CPU`);
      assert.equal(r[2], 0x20 + Math.floor(n / 2), `${r[0]} vector`);
      if (n < 3) assert.equal(r[4], null, `${r[0]} is an IO-APIC pin`);
      else
        assert.deepEqual(
          [r[4], r[5]],
          [0xfee00000 + (n % 2) * 0x1000, 0x20 + Math.floor(n / 2)],
          `${r[0]} message`,
        );
    });
    assert.equal(rows.length, 19);
  });
});

describe('simulation: small topologies (test/fixtures/sim)', () => {
  it('issue-example: nic0.q[1] on CPU 1 vector 32, message 0xfee01000 / 32', () => {
    const { simulation } = sim(fixture('sim', 'issue-example.irqtopo'));
    const r = simulation.routesById.get('nic0.q[1]')!;
    assert.deepEqual(
      [r.cpu, r.vector, r.path, r.message],
      [1, 32, ['PCI-MSIX-0000:03:00.0', 'VECTOR'], { address_hi: 0, address_lo: 4276097024, data: 32 }],
    );
  });

  it('amd-multi-msi: per-device AMD tables, aligned multi-MSI block, data = index', () => {
    const { simulation, errors } = sim(fixture('sim', 'amd-multi-msi.irqtopo'));
    assert.deepEqual(errors, []);
    assert.deepEqual(
      simulation.routes.map((r) => [r.irq, r.irte, r.message?.address_lo ?? null, r.message?.data ?? null]),
      [
        ['ahci0.port[0]', 0, 0xfee00000, 0],
        ['ahci0.port[1]', 1, 0xfee00000, 1],
        ['ahci0.port[2]', 2, 0xfee00000, 2],
        ['ahci0.port[3]', 3, 0xfee00000, 3],
        ['nic0.q[0]', 0, 0xfee00000, 0],
        // an IO-APIC interrupt's index is its pin (irq_remapping_alloc(), drivers/iommu/amd/iommu.c)
        ['acpi.sci', 9, null, null],
      ],
    );
  });

  it('pins: observed placements first, in-use claimed, a shared IO-APIC line', () => {
    const { simulation, errors } = sim(fixture('sim', 'pins.irqtopo'));
    assert.deepEqual(errors, []);
    // Kernel 6.1: 0x20 is IRQ_MOVE_CLEANUP_VECTOR, so 0x21..0xeb less 0x32, 0x80: 201 per CPU; in-use takes
    // 0x21-0x22 everywhere (199 left). q[1]'s pin (CPU 0, 0x21) is one of the in-use vectors: it claims it.
    // q[0] (affinity 0): CPU 0's lowest free, 0x23. a.intx: CPU 0 has 198, CPUs 1-3 199 -> CPU 1, 0x23.
    // b.intx shares pin 16: the same line, so the same CPU and vector.
    assert.deepEqual(
      simulation.routes.map((r) => [r.irq, r.cpu, r.vector, r.sharedWith ?? null]),
      [
        ['nic0.q[0]', 0, 0x23, null],
        ['nic0.q[1]', 0, 0x21, null],
        ['a.intx', 1, 0x23, null],
        ['b.intx', 1, 0x23, 'a.intx'],
      ],
    );
    const c0 = simulation.cpus[0];
    assert.deepEqual([c0.used, c0.available, c0.vectors], [3, 198, [0x21, 0x22, 0x23]]);
  });
});

describe('simulation: cross-checks', () => {
  it('a compatibility message for a CPU carries its APIC ID in address bits 19:12', () => {
    const { simulation } = sim(fixture('sim', 'x2apic.irqtopo'));
    // apic-ids 0,2,4,6: CPU n has APIC ID 2n; all vectors 0x20 (first interrupt on each CPU, 6.10 window)
    for (const r of simulation.routes) {
      const apic = 2 * r.cpu!;
      assert.equal((r.message!.address_lo >>> 12) & 0xff, apic, r.irq);
      assert.equal(r.message!.address_lo, (0xfee00000 | (apic << 12)) >>> 0);
      assert.equal(r.message!.data, r.vector);
    }
    assert.deepEqual(
      simulation.routes.map((r) => r.cpu),
      [0, 1, 2, 3],
    );
  });

  it('release: the entries are free again, and a later expect names the interrupts declared anew', () => {
    // nic0's 4 entries are freed by the release, so the second q[0..3] takes 0..3 again (no
    // msix-index-range); everything is freed, so q[0] lands on CPU 0, 0x20 again (all CPUs tie at 201,
    // matrix_find_best_cpu; lowest free vector, matrix_alloc_area)
    const a = analyze(
      '/virtual/release.irqtopo',
      'arch x86\ncpus 0-3\ndomain VECTOR : vector\ndevice nic0 { pci 0000:02:00.0; msix 4 }\n' +
        'irq nic0.q[0..3] : msix\nrelease nic0\nirq nic0.q[0..3] : msix\nexpect nic0.q[0] cpu 0 vector 0x20\n',
    );
    assert.deepEqual(
      a.diagnostics.map((d) => d.code),
      [],
    );
    assert.deepEqual(
      a.simulation!.routes.filter((r) => !r.failure).map((r) => [r.irq, r.hops[0].hwirq, r.cpu, r.vector]),
      [
        ['nic0.q[0]', 0, 0, 0x20],
        ['nic0.q[1]', 1, 1, 0x20],
        ['nic0.q[2]', 2, 2, 0x20],
        ['nic0.q[3]', 3, 3, 0x20],
      ],
    );
  });

  it('offlineSteps: what each CPU of an offline did, as data (test/fixtures/checks/irq-shutdown/fire.irqtopo)', () => {
    // derived in the fixture (docs/kernel-placement.md 3.3): nvme0.io[3] shut down, nvme1.io[1] moved in its
    // mask, nic0.q[0] moved and broke its affinity, nothing stuck, no in-use vector
    const { simulation } = sim(fixture('checks', 'irq-shutdown', 'fire.irqtopo'));
    const name = (k: number) => simulation.routes.find((r) => r.k === k)!.irq;
    assert.deepEqual(
      simulation.offlineSteps.map((st) => ({
        offline: st.offline,
        cpu: st.cpu,
        status: st.status,
        moved: st.moved.map(name),
        broken: st.broken.map(name),
        shutdown: st.shutdown.map(name),
        stuck: st.stuck.length,
        inUse: st.inUseMoved,
      })),
      [
        {
          offline: 0,
          cpu: 3,
          status: 'down',
          moved: ['nvme1.io[1]', 'nic0.q[0]'],
          broken: ['nic0.q[0]'],
          shutdown: ['nvme0.io[3]'],
          stuck: 0,
          inUse: 0,
        },
      ],
    );
    const refused = sim(fixture('checks', 'cpu-unplug-refused', 'fire.irqtopo')).simulation.offlineSteps[0];
    assert.equal(refused.status, 'refused');
    assert.equal(
      refused.refusal,
      '"CPU 3 has 19 vectors, 18 available. Cannot disable CPU" (lapic_can_unplug_cpu(), -ENOSPC)',
    );
  });
});

describe('simulation: failure messages describe their own interrupt', () => {
  it('a vector-exhausted message names the affinity of the interrupt that failed, not of the next one', () => {
    const text =
      'arch x86\nkernel 6.8\ncpus 0-1\ndomain VECTOR : vector\n' +
      'device d { pci 0000:01:00.0; msix 2048 }\ndevice e { pci 0000:02:00.0; msix 8 }\n' +
      'irq d.q[0..499] : msix { affinity 0 }\n';
    for (const tail of ['', 'irq e.x : msix\n']) {
      const a = analyze('/virtual/vec.irqtopo', text + tail);
      const f = a.diagnostics.find((x) => x.code === 'vector-exhausted');
      assert.ok(f, tail);
      assert.match(
        f.message,
        /finds no free vector on any CPU of its affinity 0 nor any other online CPU/,
        tail,
      );
    }
  });
});
