// The real dumps of issue 11's "Done when" (docs/kernel-placement.md sections 10 and 11), replayed by the
// v2 simulation:
// - D5, the Intel desktop (6.2-6.5): with the observed pins removed, 40 of its 48 managed interrupts land on
//   the dump's CPU from the boot order alone, and all 48 once the topology states the history the dumps
//   imply (0000:03:00.0 was nvme0 before vfio-pci), with `release`;
// - D2, the Threadripper (5.19-rc7): its VECTOR matrix as one managed single-CPU interrupt per CPU plus
//   the non-managed vectors; the two `chcpu -d` steps' Global available / Total allocated, and
//   `offline 1-31` (suspend) refused at CPU 31 with the figures the doc derives.
// The observed values are read here straight from the dump files, independently of the importer.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyze, type Analysis } from '../../server/src/core';
import { fixture } from './helpers';

const DUMPS = fixture('dumps');
const golden = (name: string) => fs.readFileSync(fixture('golden', name), 'utf8');

function sim(text: string): Analysis {
  const a = analyze('/virtual/dump.irqtopo', text);
  assert.ok(a.simulation);
  return a;
}

describe('D5 (Intel desktop, 6.2-6.5): the managed NVMe queues land where the dump shows them', () => {
  // /proc/interrupts: irq -> action name (nvme2q1 ...); debugfs irqs/N: irq -> `Target:` CPU
  const procfs = fs.readFileSync(
    path.join(DUMPS, 'x86-intel-desktop-32cpu-IR_martins3_int-procfs.txt'),
    'utf8',
  );
  const irqs = fs.readFileSync(
    path.join(DUMPS, 'x86-intel-desktop-32cpu-IR_martins3_int-irqdebug-int.txt'),
    'utf8',
  );
  const name = new Map<number, string>();
  for (const line of procfs.split('\n')) {
    const m = /^\s*(\d+):.*\s(nvme\d+q\d+)\s*$/.exec(line);
    if (m) name.set(Number(m[1]), m[2]);
  }
  const target = new Map<number, number>();
  for (const line of irqs.split('\n')) {
    const m = /^(\d+):\s*Target:\s+(\d+)/.exec(line);
    if (m) target.set(Number(m[1]), Number(m[2]));
  }
  // the 48 managed interrupts: nvme2's 16 I/O queues (masks of 2 CPUs), nvme1's 32 (one CPU each)
  const managed = [...name]
    .filter(([, n]) => /^nvme[12]q([1-9]|[1-9]\d)$/.test(n))
    .sort((a, b) => a[0] - b[0]);

  /** [irq, queue, dump CPU, simulated CPU] of the managed queues the simulation misplaces, and the count that agree */
  function compare(a: Analysis): { agree: number; differ: [number, string, number, number | null][] } {
    const differ: [number, string, number, number | null][] = [];
    let agree = 0;
    for (const [irq, n] of managed) {
      const id = n.replace(/^(nvme\d+)(q\d+)$/, '$1.$2'); // the importer's names: nvme2q1 -> nvme2.q1
      const route = a.simulation!.routesById.get(id);
      assert.ok(route?.managed, `${id} is a managed route`);
      const want = target.get(irq)!;
      if (route.cpu === want) agree++;
      else differ.push([irq, n, want, route.cpu]);
    }
    return { agree, differ };
  }

  it('reads 48 managed queues from the dump', () => {
    assert.equal(managed.length, 48);
    assert.equal(managed[0][1], 'nvme2q1');
    assert.equal(managed[47][1], 'nvme1q32');
  });

  it('boot order alone (d5-boot.irqtopo): 40 of 48; the 8 that differ are nvme2q2, q4, ..., q16', () => {
    const a = sim(golden('d5-boot.irqtopo'));
    assert.deepEqual(
      a.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message),
      [],
    );
    const { agree, differ } = compare(a);
    // docs/kernel-placement.md 11.1: nvme1's 32 queues have single-CPU masks (no choice). nvme2's 16 have
    // masks {2i, 2i+1}; with no managed allocation on either CPU the tie goes to the last
    // (matrix_find_best_cpu_managed(), kernel/irq/matrix.c, 5.0+): the odd CPU. The dump shows the odd CPU
    // for q1, q3, ..., q15 and the even one for q2, q4, ..., q16.
    assert.equal(agree, 40);
    assert.deepEqual(differ, [
      [139, 'nvme2q2', 2, 3],
      [141, 'nvme2q4', 6, 7],
      [143, 'nvme2q6', 10, 11],
      [145, 'nvme2q8', 14, 15],
      [147, 'nvme2q10', 18, 19],
      [149, 'nvme2q12', 22, 23],
      [151, 'nvme2q14', 26, 27],
      [153, 'nvme2q16', 30, 31],
    ]);
  });

  it('with the history (d5-history.irqtopo: nvme0 on 0000:03:00.0, then `release`, then vfio-pci): 48 of 48', () => {
    const a = sim(golden('d5-history.irqtopo'));
    assert.deepEqual(
      a.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message),
      [],
    );
    // nvme0's 8 managed queues (spread: {0-3}, {4-7}, ..., {28-31}) land on the last CPU of each group,
    // 3, 7, ..., 31, while nvme2's queues are activated; so for {2,3} CPU 3 has one managed allocation and
    // CPU 2 none: CPU 2 (and so on by fours). nvme0 is released afterwards (its vectors, reservations,
    // IRTEs and MSI-X entries freed) and vfio-pci allocates anew.
    const { agree, differ } = compare(a);
    assert.deepEqual(differ, []);
    assert.equal(agree, 48);
    const sim0 = a.simulation!;
    assert.deepEqual(
      [1, 4, 8].map((i) => sim0.routesById.get(`pci-0000-03-00-0.nvme0q[${i}]`)!.mask),
      [
        [0, 1, 2, 3],
        [12, 13, 14, 15],
        [28, 29, 30, 31],
      ],
    );
    // a released interrupt holds nothing
    for (let i = 1; i <= 8; i++) {
      const r = sim0.routesById.get(`pci-0000-03-00-0.nvme0q[${i}]`)!;
      assert.deepEqual([r.cpu, r.vector, r.irte, r.failure?.code], [null, null, null, 'released']);
    }
    // after the release no CPU keeps a managed allocation of nvme0: every CPU has the dump's man 2
    // (nvme2's and nvme1's reservations) and as many managed allocations as queues placed on it
    const cpus = sim0.cpus;
    assert.deepEqual(
      cpus.map((c) => c.managed),
      cpus.map(() => 2),
    );
    assert.deepEqual(
      cpus.map((c) => c.managed_allocated),
      cpus.map((c) => 1 + (target.get(138 + Math.floor(c.cpu / 2)) === c.cpu ? 1 : 0)),
    );
  });
});

describe('D2 (Threadripper, 5.19-rc7): the VECTOR matrix, the chcpu steps and the refused suspend', () => {
  const text = golden('d2-threadripper.irqtopo');
  const dump = fs
    .readFileSync(
      path.join(DUMPS, 'x86-amd-threadripper-32cpu_debugfs-domains-VECTOR_cpu-offline.txt'),
      'utf8',
    )
    .split('\n');

  /** the rows of the n-th matrix of the dump (0: all online, 1: after chcpu -d 1, 2: after -d 2) */
  function matrix(
    n: number,
  ): { cpu: number; avl: number; man: number; mac: number; act: number; vectors: string }[] {
    const starts = dump.flatMap((l, i) => (l.startsWith('| CPU') ? [i] : []));
    const out = [];
    for (const l of dump.slice(starts[n] + 1)) {
      const m = /^\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\S+)/.exec(l);
      if (!m) break;
      out.push({ cpu: +m[1], avl: +m[2], man: +m[3], mac: +m[4], act: +m[5], vectors: m[6] });
    }
    return out;
  }
  const list = (s: string) =>
    s.split(',').flatMap((p) => {
      const [a, b] = p.split('-').map(Number);
      return Array.from({ length: (b ?? a) - a + 1 }, (_, i) => a + i);
    });
  /** Global available (online CPUs' avl) and Total allocated (every CPU's act: offlining keeps it) */
  const totals = (a: Analysis) => {
    const cpus = a.simulation!.cpus;
    return [
      cpus.filter((c) => c.online).reduce((s, c) => s + c.available, 0),
      cpus.reduce((s, c) => s + c.used, 0),
    ];
  };

  it('the simulated matrix equals the dump’s, row for row (avl, man, mac, act, vectors)', () => {
    const a = sim(text);
    assert.deepEqual(a.diagnostics, []);
    assert.deepEqual(
      a.simulation!.cpus.map((c) => [c.cpu, c.available, c.managed, c.managed_allocated, c.used, c.vectors]),
      matrix(0).map((r) => [r.cpu, r.avl, r.man, r.mac, r.act, list(r.vectors)]),
    );
    // Global available 6150, Total allocated 282 (the dump's header)
    assert.deepEqual(totals(a), [6150, 282]);
  });

  it('chcpu -d 1 and -d 2: Global available / Total allocated 5950 / 281 and 5750 / 280, as the dump shows', () => {
    // offline 1: its managed vector is shut down (mask {1}: irq_shutdown_and_deactivate(), so
    // irq_matrix_free() lowers total_allocated while CPU 1 is still online); its 9 non-managed vectors move
    // (one allocated elsewhere, one freed: the total is unchanged); irq_matrix_offline() then drops CPU 1's
    // avl from global_available.
    const one = sim(`${text}offline 1\n`);
    assert.deepEqual(totals(one), [5950, 281]);
    const two = sim(`${text}offline 1,2\n`);
    assert.deepEqual(totals(two), [5750, 280]);
    // the dump's own headers
    const header = (n: number) =>
      dump
        .filter((l) => /^(Global available|Total allocated):/.test(l))
        .slice(2 * n, 2 * n + 2)
        .map((l) => Number(/(\d+)$/.exec(l)![1]));
    assert.deepEqual(header(1), [5950, 281]);
    assert.deepEqual(header(2), [5750, 280]);
  });

  // docs/kernel-placement.md 10.3, model B: tomove / avl of lapic_can_unplug_cpu() at each step of the
  // suspend (CPUs 1..31 in order), 5.19 and 6.7+ (managed excluded, a0b0bad10587).
  const tableB: [number, number, number][] = [
    [1, 10, 5959],
    [2, 9, 5758],
    [3, 10, 5559],
    [4, 10, 5359],
    [5, 10, 5159],
    [6, 11, 4960],
    [7, 11, 4760],
    [8, 11, 4560],
    [9, 12, 4361],
    [10, 12, 4161],
    [11, 13, 3962],
    [12, 13, 3762],
    [13, 14, 3563],
    [14, 15, 3364],
    [15, 15, 3164],
    [16, 16, 2965],
    [17, 17, 2766],
    [18, 18, 2567],
    [19, 19, 2368],
    [20, 21, 2170],
    [21, 22, 1971],
    [22, 24, 1773],
    [23, 26, 1575],
    [24, 29, 1378],
    [25, 33, 1182],
    [26, 37, 986],
    [27, 43, 792],
    [28, 51, 600],
    [29, 64, 413],
    [30, 84, 233],
    [31, 126, 75],
  ];
  for (const kernel of ['5.19', '6.7'])
    it(`the suspend on ${kernel}: every step's tomove / avl as section 10.3 derives, then CPU 31 refused`, () => {
      const src = text.replace(/^kernel .*$/m, `kernel ${kernel}`);
      const managedOut = kernel === '6.7' ? 1 : 0;
      for (const [cpu, tomove, avl] of tableB) {
        // the state just before CPU `cpu` goes down: lapic_can_unplug_cpu()'s figures for it
        const a = sim(cpu > 1 ? `${src}offline 1-${cpu - 1}\n` : src);
        const cpus = a.simulation!.cpus;
        const c = cpus[cpu];
        const others = cpus.filter((x) => x.online && x.cpu !== cpu).reduce((s, x) => s + x.available, 0);
        assert.deepEqual(
          [c.used - (kernel === '6.7' ? c.managed_allocated : 0), others],
          [tomove - managedOut, avl],
          `CPU ${cpu}`,
        );
      }
      const a = sim(`${src}offline 1-31\n`);
      const refused = a.diagnostics.filter((d) => d.code === 'cpu-unplug-refused');
      assert.equal(refused.length, 1);
      // 250 non-managed vectors end split between CPUs 0 and 31: 125 each; CPU 31 also holds its managed
      // one (counted before 6.7); CPU 0 has 201 - 1 reservation - 125 = 75 available
      const figures = kernel === '6.7' ? '125 vectors, 75 available' : '126 vectors, 75 available';
      assert.ok(
        refused[0].message.includes(`"CPU 31 has ${figures}. Cannot disable CPU"`),
        refused[0].message,
      );
      assert.equal(a.simulation!.cpus[31].online, true);
    });

  it('116 / 85, the real message, once 20 non-managed vectors are gone before the suspend (a `release`)', () => {
    // section 10.3: the dump's N = 250 non-managed vectors give 126 / 75; the S3 log's 116 / 85 means
    // N = 230 at suspend time. Twenty of the in-use vectors become a device's observed interrupts (pins
    // claim in-use vectors), which `release` frees, as a driver that frees its vectors on suspend would.
    const inUse = [...text.matchAll(/^ {2}in-use (\d+) : (\S+)/gm)].map(
      (m) => [Number(m[1]), list(m[2])] as const,
    );
    const picks = inUse.slice(0, 20).map(([cpu, vs]) => [cpu, vs[vs.length - 1]]);
    const extra = [
      'device usb4 { pci 0000:45:00.0; msix 20; msi-domain PCI-MSI }',
      ...picks.map(([cpu, v], i) => `irq usb4.q${i} : msix ${i} { cpu ${cpu}; vector ${v} }`),
      'release usb4',
      'offline 1-31',
    ].join('\n');
    const a = sim(`${text}${extra}\n`);
    const refused = a.diagnostics.filter((d) => d.code === 'cpu-unplug-refused');
    assert.equal(refused.length, 1);
    assert.ok(
      refused[0].message.includes('"CPU 31 has 116 vectors, 85 available. Cannot disable CPU"'),
      refused[0].message,
    );
  });
});
