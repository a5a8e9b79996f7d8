// Cross-checks of the simulation against real dumps and the kernel's bit layouts, and fast-check
// properties over random topologies.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { analyze, type Analysis } from '../../server/src/core';
import type { Route } from '../../server/src/core/simulate';
import { buildModel } from '../../server/src/core/model';
import { simulate } from '../../server/src/core/simulate';
import { eraOf, VectorMatrix } from '../../server/src/core/simulate/matrix';
import { decodeX86, intelMessage } from '../../server/src/core/simulate/messages';
import { fixture } from './helpers';

const DUMPS = fixture('dumps');

interface MatrixDump {
  system: number[];
  rows: { cpu: number; avl: number; man: number; mac: number; act: number; vectors: number[] }[];
}

function list(s: string): number[] {
  const out: number[] = [];
  for (const part of s.split(',')) {
    const [a, b] = part.split('-').map(Number);
    for (let v = a; v <= (b ?? a); v++) out.push(v);
  }
  return out;
}

/** The first VECTOR matrix (irq_matrix_debug_show) of a dump: the System line and the CPU rows. */
function firstMatrix(file: string): MatrixDump {
  const lines = fs.readFileSync(path.join(DUMPS, file), 'utf8').split('\n');
  const at = lines.findIndex((l) => /System: \d+: /.test(l));
  const system = list(/System: \d+: (\S+)/.exec(lines[at])![1]);
  const rows: MatrixDump['rows'] = [];
  for (const l of lines.slice(at + 2)) {
    const m = /^(?:[^\s]*:)?\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\S+)\s*$/.exec(l);
    if (!m) break;
    rows.push({ cpu: +m[1], avl: +m[2], man: +m[3], mac: +m[4], act: +m[5], vectors: list(m[6]) });
  }
  return { system, rows };
}

describe('simulation: cross-checks against the kernel dumps', () => {
  const dumps: [string, string, { major: number; minor: number }][] = [
    // D2: Threadripper, 5.19 (0x20 is still IRQ_MOVE_CLEANUP_VECTOR, first system vector 0xec)
    ['D2', 'x86-amd-threadripper-32cpu_debugfs-domains-VECTOR_cpu-offline.txt', { major: 5, minor: 19 }],
    // D4: QEMU VM with intel-iommu, 5.15
    ['D4', 'x86-qemu-q35-intel-iommu-vm_debugfs-domains-DMAR-MSI.txt', { major: 5, minor: 15 }],
    // D5c: Intel desktop, 6.2-6.5 (inferred: per-device domains, vector 32 still a system vector)
    ['D5c', 'x86-intel-desktop-32cpu-IR_martins3_int-irqdebug-domain.txt', { major: 6, minor: 2 }],
  ];
  for (const [id, file, kernel] of dumps) {
    it(`${id}: per-CPU capacity = avl + act - mac + man on every row (201 for its era)`, () => {
      const d = firstMatrix(file);
      assert.ok(d.rows.length >= 8, `${id} has matrix rows`);
      // the era's defaults and the dump's own System line agree: 201 device vectors per CPU
      assert.equal(new VectorMatrix(1, eraOf(kernel)).capacity, 201);
      const cap = new VectorMatrix(1, eraOf(kernel, d.system)).capacity;
      assert.equal(cap, 201);
      for (const r of d.rows) assert.equal(r.avl + r.act - r.mac + r.man, cap, `${id} CPU ${r.cpu}`);
    });
  }
  it('the 6.6-6.9 and 6.10+ windows give 202 and 201 (0x20 freed in 6.6; 0xeb posted-MSI vector in 6.10)', () => {
    // D15 (KVM guest, 6.9): 169 + 33 = 202; D3 (6.6): 197 + 1 = 198 with its six extra system bits
    assert.equal(new VectorMatrix(1, eraOf({ major: 6, minor: 9 })).capacity, 202);
    assert.equal(
      new VectorMatrix(1, eraOf({ major: 6, minor: 6 }, [50, 128, 192, 233, 234, 235])).capacity,
      198,
    );
    assert.equal(new VectorMatrix(1, eraOf({ major: 6, minor: 10 })).capacity, 201);
    assert.equal(new VectorMatrix(1, eraOf(undefined)).capacity, 201);
  });
  it('D4: re-simulating the allocated vectors as in-use leaves each CPU the avl the dump shows', () => {
    const d = firstMatrix('x86-qemu-q35-intel-iommu-vm_debugfs-domains-DMAR-MSI.txt');
    const inUse = d.rows.map((r) => `in-use ${r.cpu} : ${r.vectors.join(',')}`).join('; ');
    const text = `arch x86\nkernel 5.15\ncpus 0-${d.rows.length - 1}\ndomain VECTOR : vector { system-vectors ${d.system.join(',')}; ${inUse} }\n`;
    const a = analyze('/virtual/d4.irqtopo', text);
    assert.deepEqual(a.diagnostics, []);
    assert.deepEqual(
      a.simulation!.cpus.map((c) => [c.cpu, c.available, c.used]),
      d.rows.map((r) => [r.cpu, r.avl, r.act]),
    );
  });
});

describe('simulation: message layouts', () => {
  it('Intel remappable: handle bits 14:0 at 19:5, format bit 4, SHV bit 3, handle bit 15 at bit 2', () => {
    // x86_msi_addr_lo (arch/x86/include/asm/msi.h): dmar_index_0_14 19:5, dmar_format 4,
    // dmar_subhandle_valid 3, dmar_index_15 2, dmar_base_address 31:20 = 0xfee
    for (const h of [0, 1, 17, 0x7fff, 0x8000, 0x8421, 0xffff]) {
      const m = intelMessage(h, 3);
      const lo = m.address_lo;
      assert.equal(lo >>> 20, 0xfee);
      assert.equal((lo >>> 5) & 0x7fff, h & 0x7fff);
      assert.equal((lo >>> 4) & 1, 1);
      assert.equal((lo >>> 3) & 1, 1);
      assert.equal((lo >>> 2) & 1, h >>> 15);
      assert.equal(lo & 3, 0);
      assert.equal(m.address_hi, 0);
      assert.equal(m.data, 3);
      const d = decodeX86(lo, m.data);
      assert.ok(d.kind === 'remappable');
      assert.equal(d.handle, h);
      assert.equal(d.index, h + 3);
    }
    assert.equal(intelMessage(0x8421, 0).address_lo, 0xfee0843c); // 0x0421 << 5 | 0x18 | 1 << 2
  });
});

// ---- properties ----------------------------------------------------------------------------------

interface Gen {
  cpus: number;
  kernel: string;
  inUse: [number, number][];
  entries: number;
  slots: number;
  groups: {
    dev: number;
    n: number;
    kind: 'msix' | 'msi' | 'ims';
    managed: boolean;
    aff: number[] | null;
    pin: [number, number] | null;
  }[];
  remap: boolean;
  amd: boolean;
}

const gen: fc.Arbitrary<Gen> = fc.record({
  cpus: fc.integer({ min: 1, max: 4 }),
  kernel: fc.constantFrom('5.15', '6.6', '6.9', '6.10'),
  inUse: fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0x20, max: 0xea })), {
    maxLength: 40,
  }),
  entries: fc.integer({ min: 2, max: 40 }),
  slots: fc.integer({ min: 1, max: 6 }),
  groups: fc.array(
    fc.record({
      dev: fc.integer({ min: 0, max: 3 }),
      n: fc.integer({ min: 1, max: 70 }),
      kind: fc.constantFrom<'msix' | 'msi' | 'ims'>('msix', 'msix', 'msi', 'ims'),
      managed: fc.boolean(),
      aff: fc.option(fc.uniqueArray(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 3 }), {
        nil: null,
      }),
      pin: fc.option(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0x20, max: 0xea })), {
        nil: null,
      }),
    }),
    { maxLength: 8 },
  ),
  remap: fc.boolean(),
  amd: fc.boolean(),
});

function topology(g: Gen): string {
  const out = ['arch x86', `kernel ${g.kernel}`, `cpus 0-${g.cpus - 1}`];
  const inUse = g.inUse.filter(([c]) => c < g.cpus).map(([c, v]) => `in-use ${c} : ${v}`);
  out.push(`domain VECTOR : vector { ${inUse.join('; ')} }`);
  if (g.remap)
    out.push(
      `domain IR-0 : remap { parent VECTOR; vendor ${g.amd ? 'amd' : 'intel'}; entries ${g.entries} }`,
    );
  const parent = g.remap ? 'IR-0' : 'VECTOR';
  const old = g.kernel === '5.15';
  if (old) out.push(`domain PCI-MSI : pci-msi { parent ${parent} }`);
  const used = new Set(g.groups.map((x) => x.dev));
  for (const d of used) {
    const kinds = new Set(g.groups.filter((x) => x.dev === d).map((x) => x.kind));
    const msi = kinds.has('msi') && !kinds.has('msix');
    out.push(`domain IMS-d${d} : ims { parent ${parent}; slots ${g.slots}; device d${d} }`);
    out.push(
      `device d${d} { pci 0000:0${d}:00.0; ${msi ? 'msi 32' : 'msix 2048'}${old ? '; msi-domain PCI-MSI' : ''}; ims IMS-d${d} }`,
    );
  }
  g.groups.forEach((x, i) => {
    const props: string[] = [];
    if (x.managed) props.push('managed');
    if (x.aff) props.push(`affinity ${x.aff.map((c) => c % g.cpus).join(',')}`);
    if (x.pin && x.n === 1) props.push(`cpu ${x.pin[0] % g.cpus}`, `vector ${x.pin[1]}`);
    const kinds = new Set(g.groups.filter((y) => y.dev === x.dev).map((y) => y.kind));
    const kind = x.kind === 'msi' && kinds.has('msix') ? 'msix' : x.kind;
    out.push(`irq d${x.dev}.g${i}[0..${x.n - 1}] : ${kind}${props.length ? ` { ${props.join('; ')} }` : ''}`);
  });
  return out.join('\n') + '\n';
}

const RESOURCE = new Set([
  'vector-exhausted',
  'vector-conflict',
  'irte-exhausted',
  'ims-slots-exhausted',
  'its-events-exhausted',
]);

describe('simulation: properties', () => {
  it('no two interrupts share a (CPU, vector), an IRTE or an IMS slot; no capacity is exceeded; failures are reported at their line', () => {
    fc.assert(
      fc.property(gen, (g) => {
        const text = topology(g);
        const a: Analysis = analyze('/virtual/p.irqtopo', text);
        const sim = a.simulation!;
        assert.ok(sim, text);
        const cells = new Set<string>();
        const irtes = new Set<string>();
        const slots = new Set<string>();
        for (const r of sim.routes) {
          if (r.failure) {
            if (RESOURCE.has(r.failure.code)) {
              const line = r.range.start.line;
              assert.ok(
                a.diagnostics.some((d) => d.code === r.failure!.code && d.range.start.line === line),
                `${r.irq}: ${r.failure.code} reported at line ${line + 1}\n${text}`,
              );
            }
            continue;
          }
          if (r.cpu !== null && r.vector !== null && !r.sharedWith) {
            const k = `${r.cpu}:${r.vector}`;
            assert.ok(!cells.has(k), `(CPU, vector) ${k} twice\n${text}`);
            cells.add(k);
          }
          if (r.irte !== null) {
            const k = g.amd ? `${r.device}:${r.irte}` : `${r.irte}`;
            assert.ok(!irtes.has(k), `IRTE ${k} twice\n${text}`);
            assert.ok(r.irte < (g.amd ? g.entries : g.entries), `IRTE ${r.irte} within ${g.entries}`);
            irtes.add(k);
          }
          if (r.hops[0]?.domain.startsWith('IMS-')) {
            const k = `${r.hops[0].domain}:${r.hops[0].hwirq}`;
            assert.ok(!slots.has(k), `IMS slot ${k} twice`);
            assert.ok(r.hops[0].hwirq! < g.slots);
            slots.add(k);
          }
        }
        const cap = new VectorMatrix(
          1,
          eraOf({ major: +g.kernel.split('.')[0], minor: +g.kernel.split('.')[1] }),
        ).capacity;
        for (const c of sim.cpus) {
          assert.ok(c.available >= 0 && c.available <= cap, `CPU ${c.cpu} available ${c.available}`);
          assert.ok(
            c.used <= cap && c.used - c.managed_allocated + c.managed <= cap,
            `CPU ${c.cpu} over capacity`,
          );
          assert.equal(c.vectors.length, c.used);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('the same input gives the same output', () => {
    fc.assert(
      fc.property(gen, (g) => {
        const text = topology(g);
        const strip = (a: Analysis) =>
          JSON.stringify({ routes: a.simulation?.routes, cpus: a.simulation?.cpus, d: a.diagnostics });
        assert.equal(strip(analyze('/v/p.irqtopo', text)), strip(analyze('/v/p.irqtopo', text)));
        const m = buildModel('/v/p.irqtopo', text);
        assert.equal(JSON.stringify(simulate(m).routes), JSON.stringify(simulate(m).routes));
      }),
      { numRuns: 60 },
    );
  });

  it('event IDs are unique per device and within the ITT on arm64', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 6 }), (ns) => {
        const lines = [
          'arch arm64',
          'cpus 0-3',
          'domain GIC : gic',
          'domain ITS-0 : its { parent GIC; base 0x08080000 }',
        ];
        lines.push('device d0 { pci 0000:01:00.0; msix 16 }');
        ns.forEach((n, i) => lines.push(`irq d0.g${i}[0..${n - 1}] : ${i === 0 ? 'msix' : 'virtual'}`));
        const a = analyze('/v/a.irqtopo', lines.join('\n') + '\n');
        const seen = new Set<number>();
        const lpis = new Set<number>();
        for (const r of a.simulation!.routes) {
          if (r.failure) {
            assert.equal(
              r.failure.code === 'msix-index-range' || r.failure.code === 'its-events-exhausted',
              true,
              r.failure.code,
            );
            continue;
          }
          // the ITT is sized by the first allocation call (all of d0's statements are one
          // pci_alloc_irq_vectors() batch, PCI_IRQ_VIRTUAL included) and the MSI-X table (16):
          // its_pci_msi_prepare, so no event is ever refused here
          const itt =
            1 <<
            Math.ceil(
              Math.log2(
                Math.max(
                  16,
                  ns.reduce((a, b) => a + b, 0),
                ),
              ),
            );
          assert.ok(!seen.has(r.event!) && r.event! < itt, `event ${r.event} of ${itt}`);
          assert.ok(!lpis.has(r.lpi!));
          seen.add(r.event!);
          lpis.add(r.lpi!);
          assert.equal(r.lpi, 8192 + r.event!);
        }
      }),
      { numRuns: 60 },
    );
  });
});

// ---- v2 properties: the machine model, history and hotplug (issue 11) --------------------------------

interface GenV2 {
  kernel: string;
  cpus: number;
  extraPossible: number;
  twoNodes: boolean;
  smt: 'none' | 'smt' | 'adjacent';
  remap: 'none' | 'intel' | 'amd';
  entries: number;
  inUse: [number, number][];
  /** CPUs whose every vector is in use (so that an offline can fail with -ENOSPC) */
  full: number[];
  devices: { node: number | null; msi: boolean }[];
  groups: {
    dev: number;
    n: number;
    managed: boolean;
    spread: boolean;
    aff: number[] | null;
    pin: [number, number] | null;
    inactive: boolean;
    releaseAfter: boolean;
  }[];
  offline: number[][];
}

const genV2: fc.Arbitrary<GenV2> = fc.record({
  kernel: fc.constantFrom('5.4', '5.15', '6.6', '6.9', '6.10', '6.12'),
  cpus: fc.integer({ min: 2, max: 8 }),
  extraPossible: fc.constantFrom(0, 0, 2),
  twoNodes: fc.boolean(),
  smt: fc.constantFrom<'none' | 'smt' | 'adjacent'>('none', 'smt', 'adjacent'),
  remap: fc.constantFrom<'none' | 'intel' | 'amd'>('none', 'intel', 'amd'),
  entries: fc.integer({ min: 4, max: 40 }),
  inUse: fc.array(fc.tuple(fc.integer({ min: 0, max: 7 }), fc.integer({ min: 0x20, max: 0xea })), {
    maxLength: 30,
  }),
  full: fc.uniqueArray(fc.integer({ min: 0, max: 7 }), { maxLength: 2 }),
  devices: fc.array(
    fc.record({ node: fc.option(fc.integer({ min: 0, max: 1 }), { nil: null }), msi: fc.boolean() }),
    { minLength: 1, maxLength: 4 },
  ),
  groups: fc.array(
    fc.record({
      dev: fc.integer({ min: 0, max: 3 }),
      n: fc.integer({ min: 1, max: 40 }),
      managed: fc.boolean(),
      spread: fc.boolean(),
      aff: fc.option(fc.uniqueArray(fc.integer({ min: 0, max: 7 }), { minLength: 1, maxLength: 3 }), {
        nil: null,
      }),
      pin: fc.option(fc.tuple(fc.integer({ min: 0, max: 7 }), fc.integer({ min: 0x20, max: 0xea })), {
        nil: null,
      }),
      inactive: fc.boolean(),
      releaseAfter: fc.boolean(),
    }),
    { minLength: 1, maxLength: 8 },
  ),
  offline: fc.array(fc.uniqueArray(fc.integer({ min: 0, max: 7 }), { minLength: 1, maxLength: 2 }), {
    maxLength: 3,
  }),
});

function topologyV2(g: GenV2): string {
  const C = g.cpus;
  const P = C + g.extraPossible;
  const old = g.kernel === '5.4' || g.kernel === '5.15';
  const out = ['arch x86', `kernel ${g.kernel}`, `cpus 0-${C - 1}`];
  if (P > C) out.push(`possible-cpus 0-${P - 1}`);
  if (g.twoNodes) {
    const h = Math.ceil(P / 2);
    out.push(`node 0 cpus 0-${h - 1}`, `node 1 cpus ${h}-${P - 1}`);
  }
  if (g.smt !== 'none' && P % 2 === 0) out.push(g.smt === 'smt' ? 'smt 2' : 'smt 2 adjacent');
  const inUse = g.inUse.filter(([c]) => c < C).map(([c, v]) => `in-use ${c} : ${v}`);
  for (const c of g.full) if (c < C) inUse.push(`in-use ${c} : 0x20-0xeb`);
  out.push(`domain VECTOR : vector { ${inUse.join('; ')} }`);
  let parent = 'VECTOR';
  if (g.remap !== 'none') {
    out.push(`domain IR-0 : remap { parent VECTOR; vendor ${g.remap}; entries ${g.entries} }`);
    parent = 'IR-0';
  }
  if (old) out.push(`domain PCI-MSI : pci-msi { parent ${parent} }`);
  const used = [...new Set(g.groups.map((x) => x.dev % g.devices.length))];
  for (const d of used) {
    const dv = g.devices[d];
    const node = dv.node !== null && g.twoNodes ? `; node ${dv.node}` : '';
    out.push(
      `device d${d} { pci 0000:0${d + 1}:00.0; ${dv.msi ? 'msi 32' : 'msix 2048'}${old ? '; msi-domain PCI-MSI' : ''}${node} }`,
    );
  }
  g.groups.forEach((x, i) => {
    const d = x.dev % g.devices.length;
    const msi = g.devices[d].msi;
    const props: string[] = [];
    if (x.spread && !msi && !x.pin) props.push('spread');
    else {
      if (x.managed) props.push('managed');
      if (x.aff) props.push(`affinity ${[...new Set(x.aff.map((c) => c % C))].join(',')}`);
    }
    if (x.pin && x.n === 1) props.push(`cpu ${x.pin[0] % C}`, `vector ${x.pin[1]}`);
    if (x.inactive) props.push('inactive');
    // multi-MSI: a power of two up to 32 for the whole device; keep its statements small
    const n = msi ? Math.min(x.n, 4) : x.n;
    out.push(
      `irq d${d}.g${i}[0..${n - 1}] : ${msi ? 'msi' : 'msix'}${props.length ? ` { ${props.join('; ')} }` : ''}`,
    );
    if (x.releaseAfter) out.push(`release d${d}`);
  });
  for (const cpus of g.offline) {
    const live = [...new Set(cpus.map((c) => c % C))];
    out.push(`offline ${live.join(',')}`);
  }
  return out.join('\n') + '\n';
}

/** The (CPU, vector) an old kernel's startup move keeps allocated, from the route's root hop. */
function held(r: Route): string | undefined {
  const m = /CPU (\d+) vector (0x[0-9a-f]+) held/.exec(r.hops.at(-1)?.resource ?? '');
  return m ? `${m[1]}:${Number(m[2])}` : undefined;
}

/** No resource of a level is held by two interrupts in one placement; returns the vector cells per CPU. */
function exclusive(routes: readonly Route[], text: string, what: string): Map<number, number> {
  const cells = new Set<string>();
  const perCpu = new Map<number, number>();
  const irtes = new Set<string>();
  const slots = new Set<string>();
  const take = (set: Set<string>, key: string, label: string) => {
    assert.ok(!set.has(key), `${what}: ${label} ${key} held twice\n${text}`);
    set.add(key);
  };
  for (const r of routes) {
    if (r.failure) {
      // failed or released: it holds nothing
      assert.deepEqual([r.cpu, r.vector, r.irte, r.lpi, r.event], [null, null, null, null, null], r.irq);
      continue;
    }
    if (r.sharedWith) continue;
    if (r.cpu !== null && r.vector !== null) {
      take(cells, `${r.cpu}:${r.vector}`, 'CPU:vector');
      perCpu.set(r.cpu, (perCpu.get(r.cpu) ?? 0) + 1);
    }
    const h = held(r);
    if (h) {
      take(cells, h, 'CPU:vector (held by a startup move)');
      const c = Number(h.split(':')[0]);
      perCpu.set(c, (perCpu.get(c) ?? 0) + 1);
    }
    if (r.irte !== null) {
      const unit = r.path.find((d) => d.startsWith('IR-') && !d.startsWith('IR-PCI') && d !== 'IR-MSI') ?? '';
      const amd = r.message && (r.message.address_lo & 0x10) === 0;
      take(irtes, amd ? `${unit}:${r.device}:${r.irte}` : `${unit}:${r.irte}`, 'IRTE');
    }
    if (r.hops[0]?.domain.startsWith('IMS-'))
      take(slots, `${r.hops[0].domain}:${r.hops[0].hwirq}`, 'IMS slot');
  }
  return perCpu;
}

describe('simulation: v2 properties (machine model, history, hotplug)', () => {
  it('before and after any offline sequence: nothing held twice, no capacity exceeded, every vector accounted for, released interrupts hold nothing', () => {
    fc.assert(
      fc.property(genV2, (g) => {
        const text = topologyV2(g);
        const a = analyze('/virtual/v2.irqtopo', text);
        const sim = a.simulation;
        assert.ok(sim, text);
        const boot = sim.routesBeforeOffline();
        if (boot) exclusive(boot, text, 'boot');
        const perCpu = exclusive(sim.routes, text, 'after');
        // the boot placement alone, from the same file without its `offline` lines
        const bootOnly = analyze('/virtual/v2b.irqtopo', text.replace(/^offline .*$/gm, ''));
        const bootCpu = exclusive(bootOnly.simulation!.routes, text, 'boot (no offline)');
        for (const [s, per] of [
          [bootOnly.simulation!, bootCpu],
          [sim, perCpu],
        ] as const)
          for (const c of s.cpus) {
            // capacity: act - mac + man <= capacity, avl >= 0, and the matrix identity
            // avl = capacity - man - (act - mac) (kernel/irq/matrix.c's per-CPU counters)
            assert.ok(c.available >= 0, `CPU ${c.cpu} avl ${c.available}\n${text}`);
            assert.ok(
              c.used - c.managed_allocated + c.managed <= c.capacity,
              `CPU ${c.cpu} over capacity\n${text}`,
            );
            assert.equal(
              c.available,
              c.capacity - c.managed - (c.used - c.managed_allocated),
              `CPU ${c.cpu}\n${text}`,
            );
            assert.equal(c.vectors.length, c.used);
            // every allocated vector belongs to a route, a held old vector or an in-use mark
            assert.equal(
              c.used,
              (per.get(c.cpu) ?? 0) + c.in_use,
              `CPU ${c.cpu} vectors accounted for\n${text}`,
            );
          }
        // an offline CPU keeps only what could not move (set affinity failed)
        for (const c of sim.cpus)
          if (!c.online) {
            const stuck = sim.routes.filter((r) => r.offline === 'stuck' && r.cpu === c.cpu).length;
            assert.ok(c.used - c.in_use <= stuck + (perCpu.get(c.cpu) ?? 0), text);
          }
      }),
      { numRuns: 200 },
    );
  });

  // From 5.18 on. Before, the fast path of a stage with no more groups than nodes ORs the node's whole
  // cpumask_of_node() into a group, present CPUs included, so stage 2 can put a CPU stage 1 already placed
  // into a second group (possible 0-4, present 0-1, nodes {0-2} {3-4}, 2 vectors: {0,1,2} {1,3,4});
  // 08d835dff916 (Rei Yamamoto, "genirq/affinity: Consider that CPUs on nodes can be unbalanced", 5.18)
  // ORs only the stage's CPUs. test/core/spread.test.ts pins that era difference.
  it('spread (5.18+) covers every possible CPU exactly once per range when the range has fewer elements than CPUs', () => {
    fc.assert(
      fc.property(
        fc.record({
          kernel: fc.constantFrom('5.18', '6.1', '6.12'),
          cpus: fc.integer({ min: 2, max: 24 }),
          extra: fc.integer({ min: 0, max: 8 }),
          nodes: fc.integer({ min: 1, max: 3 }),
          smt: fc.constantFrom('', 'smt 2', 'smt 2 adjacent'),
          n: fc.integer({ min: 1, max: 32 }),
        }),
        (g) => {
          const P = g.cpus + g.extra;
          fc.pre(g.n < P);
          const lines = [
            'arch x86',
            `kernel ${g.kernel}`,
            `cpus 0-${g.cpus - 1}`,
            `possible-cpus 0-${P - 1}`,
          ];
          const per = Math.ceil(P / g.nodes);
          for (let i = 0; i * per < P; i++)
            lines.push(`node ${i} cpus ${i * per}-${Math.min(P, (i + 1) * per) - 1}`);
          if (g.smt && P % 2 === 0) lines.push(g.smt);
          const old = g.kernel !== '6.12';
          lines.push('domain VECTOR : vector');
          if (old) lines.push('domain PCI-MSI : pci-msi { parent VECTOR }');
          lines.push(`device nvme0 { pci 0000:01:00.0; msix 64${old ? '; msi-domain PCI-MSI' : ''} }`);
          lines.push(`irq nvme0.io[0..${g.n - 1}] : msix { spread }`);
          const text = lines.join('\n') + '\n';
          const a = analyze('/virtual/spread.irqtopo', text);
          const masks = a.simulation!.routes.map((r) => r.mask ?? []);
          assert.equal(masks.length, g.n);
          const seen = masks.flat().sort((x, y) => x - y);
          assert.deepEqual(
            seen,
            Array.from({ length: P }, (_, i) => i),
            `every possible CPU exactly once\n${text}`,
          );
        },
      ),
      { numRuns: 150 },
    );
  });

  it('arm64: no ITS event or LPI is held twice, before and after offline, with history', () => {
    fc.assert(
      fc.property(
        fc.record({
          kernel: fc.constantFrom('5.4', '5.10', '5.19', '6.12'),
          cpus: fc.integer({ min: 2, max: 8 }),
          groups: fc.array(
            fc.record({
              dev: fc.integer({ min: 0, max: 2 }),
              n: fc.integer({ min: 1, max: 20 }),
              managed: fc.boolean(),
              release: fc.boolean(),
            }),
            { minLength: 1, maxLength: 6 },
          ),
          offline: fc.uniqueArray(fc.integer({ min: 0, max: 7 }), { maxLength: 3 }),
        }),
        (g) => {
          const old = g.kernel !== '6.12';
          const lines = ['arch arm64', `kernel ${g.kernel}`, `cpus 0-${g.cpus - 1}`, 'domain GIC : gic'];
          lines.push('domain ITS : its { parent GIC; base 0x0e050000 }');
          if (old) lines.push('domain ITS-MSI : pci-msi { parent ITS }');
          for (const d of new Set(g.groups.map((x) => x.dev)))
            lines.push(
              `device d${d} { pci 0000:0${d + 1}:00.0; msix 128${old ? '; msi-domain ITS-MSI' : ''} }`,
            );
          g.groups.forEach((x, i) => {
            lines.push(`irq d${x.dev}.g${i}[0..${x.n - 1}] : msix${x.managed ? ' { managed }' : ''}`);
            if (x.release) lines.push(`release d${x.dev}`);
          });
          const off = [...new Set(g.offline.map((c) => c % g.cpus))];
          if (off.length) lines.push(`offline ${off.join(',')}`);
          const text = lines.join('\n') + '\n';
          const sim = analyze('/virtual/its.irqtopo', text).simulation!;
          for (const routes of [sim.routesBeforeOffline() ?? sim.routes, sim.routes]) {
            const events = new Set<string>();
            const lpis = new Set<number>();
            for (const r of routes) {
              if (r.failure) {
                assert.deepEqual([r.lpi, r.event], [null, null]);
                continue;
              }
              const e = `${r.device}:${r.event}`;
              assert.ok(
                !events.has(e) && !lpis.has(r.lpi!),
                `${r.irq}: event ${e} / LPI ${r.lpi} twice\n${text}`,
              );
              events.add(e);
              lpis.add(r.lpi!);
            }
          }
        },
      ),
      { numRuns: 120 },
    );
  });
});
