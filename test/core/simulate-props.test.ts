// Cross-checks of the simulation against real dumps and the kernel's bit layouts, and fast-check
// properties over random topologies.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { analyze, type Analysis } from '../../server/src/core';
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
