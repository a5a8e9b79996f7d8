// Issue 12's importer problems, each with a synthetic dump of the same shape as the public dump that
// showed it (test/fixtures/dumps/synthetic/; each file's header says which dump it imitates), and the
// 2-vCPU VM bug: every observation pinned, with the file and line it came from.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyze, type Analysis } from '../../server/src/core';
import { importDumps, type ImportResult } from '../../server/src/core/importer';
import { device, fixture } from './helpers';

const SYN = fixture('dumps', 'synthetic');
const DUMPS = fixture('dumps');
/** v1 output, which the current parser reads; the lead flips this when the v2 parser lands */
const V2 = { v2: true } as const;

function imp(file: string, options: { v2: boolean } = V2): ImportResult {
  const p = fs.existsSync(path.join(SYN, file)) ? path.join(SYN, file) : path.join(DUMPS, file);
  return importDumps([{ name: file, text: fs.readFileSync(p, 'utf8') }], options);
}

function analysed(r: ImportResult): Analysis {
  const a = analyze('/virtual/imported.irqtopo', r.text);
  assert.deepEqual(
    a.diagnostics.filter((d) => d.code === 'syntax').map((d) => d.message),
    [],
    'the imported text parses',
  );
  return a;
}

const codesOf = (a: Analysis): string[] => [...new Set(a.diagnostics.map((d) => d.code))];

describe('importer: issue 12 fixes, each on a synthetic dump of the shape that showed it', () => {
  it('arm64: an ITS (`-5`) and its PCI/MSI domain (`-3`) stay two domains, and the ITS base from its@0e050000 gives the message', () => {
    const r = imp('arm64-its-two-bus-tokens_debugfs-irqs.txt');
    const a = analysed(r);
    const its = ':soc@0:interrupt-controller@0e001000:its@0e050000';
    const dom = (n: string) => a.model.domainsByName.get(n);
    assert.equal(dom(its)?.kind, 'its');
    assert.equal(dom(`${its}-3`)?.kind, 'pci-msi');
    assert.equal(dom(`${its}-3`)?.parent?.name, its, 'the PCI/MSI domain is under its ITS, not itself');
    assert.equal(dom(its)?.parent?.name, ':soc@0:interrupt-controller@0e001000');
    assert.ok(!codesOf(a).includes('parent-cycle'), codesOf(a).join());
    assert.match(r.text, /base 0x0e050000/);
    // the simulated message is the dump's: ITS base + GITS_TRANSLATER (0x10040)
    const irq = r.topology!.irqs[0];
    assert.equal(irq.lpi, 8193);
    assert.equal(irq.cpu, 1);
    const route = a.simulation!.routes[0];
    assert.equal(route.message?.address_lo, 0x0e060040);
    // the message lines after the blank line are read (msi_domain_debug_show starts them with "\n")
    assert.ok(
      irq.observed.some((o) => o.field === 'message' && /address_lo 0xe060040/.test(String(o.value))),
    );
  });

  it('arm64 with two ITSes: each global ITS-MSI domain is under its own ITS; no layering error', () => {
    const r = imp('arm64-two-its-per-socket_debugfs-and-proc.txt');
    const a = analysed(r);
    const d = (n: string) => a.model.domainsByName.get(n);
    for (const base of ['irqchip@0x0000000202100000', 'irqchip@0x0000200202100000']) {
      assert.equal(d(base)?.kind, 'its', base);
      assert.equal(d(`${base}-3`)?.parent?.name, base);
    }
    assert.equal(device(a.model, 'nvme0')?.msiDomain?.name, 'irqchip@0x0000000202100000-3');
    assert.equal(
      device(a.model, 'mlx5')?.msiDomain?.name,
      'irqchip@0x0000200202100000-3',
      'irq 90 has no debugfs record: it goes where irq 91 of the same device is',
    );
    for (const c of ['parent-not-msi-parent', 'remap-scope-mismatch', 'parent-cycle'])
      assert.ok(!codesOf(a).includes(c), `${c} in ${codesOf(a).join()}`);
    assert.match(r.text, /base 0x202100000/);
    assert.match(r.text, /base 0x200202100000/);
  });

  it('a debugfs record goes on after a blank line: address_hi/address_lo/msg_data are read (AMD-IR, 6.15+)', () => {
    const r = imp('amd-ir-blank-line-before-message_debugfs-irqs.txt');
    analysed(r);
    const q = r.topology!.irqs.find((i) => i.linuxIrq === 112)!;
    assert.equal(q.irte, 5, 'the AMD remap-table index is the message data');
    assert.equal(q.cpu, 13);
    assert.equal(q.vector, 37);
    assert.equal(q.managed, true);
    assert.ok(
      q.comments.some((c) => /hwirq 0xc1000000 = devid 0xc100 \(c1:00\.0\) << 16 \| position 0/.test(c)),
    );
    assert.deepEqual(r.topology!.kernel, { major: 6, minor: 15 });
    // the older record (no message lines): decoded, but no irte to pin
    const o = r.topology!.irqs.find((i) => i.linuxIrq === 113)!;
    assert.equal(o.irte, undefined);
    assert.ok(o.comments.some((c) => /devid 0xc201 \(c2:01\.0\)|devid 0xc201 \(c2:00\.1\)/.test(c)));
    assert.deepEqual(
      r.problems.filter((p) => p.severity !== 'information'),
      [],
    );
  });

  it('/proc/interrupts rows whose CPU columns are elided with `...` are imported (without counts)', () => {
    const r = imp('proc-interrupts-elided-columns.txt');
    analysed(r);
    const t = r.topology!;
    assert.deepEqual(
      t.irqs.map((i) => i.linuxIrq),
      [24, 25, 26, 90],
    );
    assert.ok(t.irqs.every((i) => i.counts === undefined));
    assert.equal(t.cpus.length, 64, 'CPU0 CPU1 ... CPU63');
    assert.ok(r.inferred.some((s) => /left columns out with '\.\.\.'/.test(s)));
  });

  it('rows from two boots pasted into one file are not merged: the second snapshot is reported', () => {
    const r = imp('proc-interrupts-two-boots.txt');
    analysed(r);
    assert.deepEqual(
      r.topology!.irqs.map((i) => `${i.linuxIrq} ${i.device}.${i.name}`),
      ['24 virtio3.config', '25 virtio3.input_0', '26 virtio3.output_0'],
    );
    const w = r.problems.find((p) => /another \/proc\/interrupts snapshot/.test(p.message));
    assert.ok(w, 'reported');
    assert.equal(w.line, 13);
    assert.equal(w.severity, 'warning');
  });

  it('the CPUs come from affinity masks (0-63,128-191 means at least 192), not the largest Target', () => {
    const r = imp('debugfs-irqs-affinity-beyond-target.txt');
    analysed(r);
    assert.equal(r.topology!.cpus.length, 192);
    assert.equal(r.topology!.cpus[191], 191);
    assert.equal(r.topology!.irqs[0].cpu, 3);
  });

  it('an interrupt never activated (Vector 0, has_reserved 1) gets no vector: it is inactive', () => {
    const r = imp('debugfs-irqs-never-activated.txt', { v2: true });
    const i = r.topology!.irqs[0];
    assert.equal(i.inactive, true);
    assert.equal(i.vector, undefined);
    assert.equal(i.cpu, undefined);
    assert.equal(i.irte, 4, 'its IRTE was allocated: INTEL-IR hwirq 0x40000 >> 16');
    assert.match(r.text, /^irq ioapic-pins\.pin5 : pin 5 \{ irte 4; inactive; masked \}$/m);
    analysed(r);
    const v1 = imp('debugfs-irqs-never-activated.txt', { v2: false });
    assert.match(v1.text, /^# v2: irte 4; inactive$/m, 'the v1 option writes the v2 facts as a comment');
    // the real dump of that shape (D5): every Vector 0 record with has_reserved 1 is inactive
    const d5 = imp('x86-intel-desktop-32cpu-IR_martins3_int-irqdebug-int.txt');
    const inactive = d5.topology!.irqs.filter((x) => x.inactive);
    assert.equal(inactive.length, 14);
    assert.ok(inactive.every((x) => x.vector === undefined && x.cpu === undefined));
  });

  it('the VECTOR matrix capacity (202 with 0x80 free) gives 6.10+, not 6.6, and says IA32 emulation is off', () => {
    const r = imp('debugfs-vector-matrix-6.10-ia32-off.txt');
    analysed(r);
    assert.deepEqual(r.topology!.kernel, { major: 6, minor: 10 });
    assert.ok(
      r.inferred.some((s) => /0xeb, POSTED_MSI_NOTIFICATION_VECTOR/.test(s)),
      r.inferred.join('\n'),
    );
    assert.ok(r.topology!.notes.some((s) => /0x80 is not a system vector.*IA32 emulation is off/.test(s)));
    // and the real 5.19 matrix (D2) stays before 6.10 (capacity 201 with 0x20, 0x32, 0x80 inside: 0xec)
    const d2 = imp('x86-amd-threadripper-32cpu_debugfs-domains-VECTOR_cpu-offline.txt');
    assert.ok(
      d2.inferred.some((s) => /0xec, LOCAL_TIMER_VECTOR \(before 6\.10\)/.test(s)),
      d2.inferred.join('\n'),
    );
  });

  it('the 2-vCPU VM: the effective CPU of each interrupt is pinned from /proc/irq/N/effective_affinity_list', () => {
    const proc = fs.readFileSync(path.join(DUMPS, 'local-vm-2cpu_proc-interrupts.txt'), 'utf8');
    // ttyS0 is irq 26 there (`counts 0 14`), its effective_affinity_list says CPU 1; grep-style lines
    // as Documentation/core-api/irq/managed_irq.rst prints them
    const grep = ['/proc/irq/26/effective_affinity_list:1', '/proc/irq/26/smp_affinity_list:0-1'].join('\n');
    const r = importDumps(
      [
        { name: 'interrupts.txt', text: proc },
        { name: 'irq.txt', text: grep },
      ],
      V2,
    );
    const a = analysed(r);
    const tty = r.topology!.irqs.find((i) => i.linuxIrq === 26)!;
    assert.equal(tty.cpu, 1);
    assert.deepEqual(
      tty.observed.find((o) => o.field === 'cpu'),
      {
        field: 'cpu',
        value: 1,
        from: '/proc/irq/26/effective_affinity_list',
        src: { file: 'irq.txt', line: 1, path: '/proc/irq/26/effective_affinity_list' },
      },
    );
    const route = a.simulation!.routesById.get(`${tty.device}.${tty.name}`);
    assert.equal(route?.cpu, 1, 'the simulation puts ttyS0 where the machine has it');
  });

  it('the Intel desktop (D5): the observed IRTE indexes are pinned, not only commented (vfio-msix IRTE 24)', () => {
    const files = [
      'x86-intel-desktop-32cpu-IR_martins3_int-procfs.txt',
      'x86-intel-desktop-32cpu-IR_martins3_int-irqdebug-domain.txt',
      'x86-intel-desktop-32cpu-IR_martins3_int-irqdebug-int.txt',
    ];
    const r = importDumps(
      files.map((f) => ({ name: f, text: fs.readFileSync(path.join(DUMPS, f), 'utf8') })),
      { v2: true },
    );
    const v = r.topology!.irqs.filter((i) => i.device === 'vfio-msix');
    assert.equal(v[0].irte, 24);
    assert.match(r.text, /^irq vfio-msix\.vfio-msix_0 : msix 0 \{[^}]*\birte 24\b[^}]*\}$/m);
    const pinned = r.topology!.irqs.filter((i) => i.irte !== undefined);
    assert.ok(pinned.length >= 100, `${pinned.length} IRTE pins`);
    for (const i of pinned) {
      const o = i.observed.find((x) => x.field === 'irte')!;
      assert.ok(o.src && o.src.line > 0, 'every pin keeps its line');
    }
  });
});
