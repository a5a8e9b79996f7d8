// Capture bundles and machine files: what each source pins, and the v2 text (LANGUAGE.md 2.0, 2.2,
// 2.3) at text level, since the current parser does not read v2 yet (the lead flips these to full
// analysis when it does).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyze } from '../../server/src/core';
import { importDumps, parseInput } from '../../server/src/core/importer';
import { fixture } from './helpers';

const BUNDLE = fs.readFileSync(path.join(fixture('dumps'), 'local-vm-2cpu_capture-bundle.txt'), 'utf8');

/** A bundle from sections. */
function bundle(sections: Record<string, string>): string {
  return [
    '# irqtopo capture bundle (format 1)',
    ...Object.entries(sections).flatMap(([p, t]) => [`==> ${p} <==`, t]),
  ].join('\n');
}

const lines = (text: string): string[] => text.split('\n').filter((l) => l !== '' && !l.startsWith('#'));

describe('importer: capture bundles', () => {
  it('the build VM bundle: machine statements, effective CPUs, inactive pins, each citing its line', () => {
    const r = importDumps([{ name: 'cap.txt', text: BUNDLE }]);
    const L = lines(r.text);
    for (const s of [
      'arch x86',
      /^kernel 6\.18 {2}# uname -r: 6\.18\.44-fc-v657 \(\/proc\/sys\/kernel\/osrelease, cap\.txt:3\)$/,
      /^cpus 0-1 {2}# the online CPUs: \/sys\/devices\/system\/cpu\/online, cap\.txt:\d+$/,
      /^apic-ids 0-1 /,
      /^possible-cpus 0-1 /,
      /^node 0 cpus 0-1 /,
      /^smt 1 /,
      /^apic x2apic-phys {2}# dmesg "Switched APIC routing to physical x2apic"/,
      /^domain IO-APIC-0 : ioapic \{ parent VECTOR; id 0; pins 24 \}$/,
      /^irq ttyS0\.ttyS0 : pin 4 \{ cpu 1; counts 0 15 \}$/,
      /^irq ioapic-pins\.pin1 : pin 1 \{ inactive \}$/,
    ])
      assert.ok(
        L.some((l) => (typeof s === 'string' ? l === s : s.test(l))),
        `${String(s)} in\n${L.join('\n')}`,
      );
    // every interrupt with an effective_affinity_list is pinned from it, with its bundle line
    const b = BUNDLE.split('\n');
    for (const i of r.topology!.irqs) {
      const o = i.observed.find((x) => x.field === 'cpu');
      if (i.inactive) {
        assert.equal(o, undefined);
        continue;
      }
      assert.ok(o, `irq ${i.linuxIrq} pinned`);
      assert.equal(o.from, `/proc/irq/${i.linuxIrq}/effective_affinity_list`);
      assert.equal(b[o.src!.line - 2], `==> /proc/irq/${i.linuxIrq}/effective_affinity_list <==`);
      assert.equal(b[o.src!.line - 1], String(o.value));
    }
    // the unreadable debugfs folder is said, with the reason the capture gave
    assert.ok(r.topology!.notes.some((n) => /debug\/irq\/ was not read: debugfs is not mounted/.test(n)));
    // v1: the v2 statements become comments and the rest checks clean
    const v1 = importDumps([{ name: 'cap.txt', text: BUNDLE }], { v2: false });
    assert.match(v1.text, /^# v2: possible-cpus 0-1 {2}\(/m);
    assert.match(v1.text, /^# v2: inactive$/m);
    const a = analyze('/virtual/vm.irqtopo', v1.text);
    assert.deepEqual(
      a.diagnostics.filter((d) => d.severity !== 'hint').map((d) => `${d.code} ${d.message}`),
      [],
    );
  });

  it('problems point at the bundle line and carry the source path', () => {
    const text = bundle({
      '/proc/interrupts': '           CPU0\n 24:          1  IO-APIC   4-edge      ttyS0',
      '/proc/irq/24/effective_affinity_list': '9',
      '/sys/devices/system/cpu/online': '0',
    });
    const r = importDumps([{ name: 'b.txt', text }]);
    const p = r.problems.find((x) => /effective CPU 9 is not in cpus/.test(x.message));
    assert.ok(p, JSON.stringify(r.problems));
    assert.equal(p.line, 6);
    assert.equal(p.path, '/proc/irq/24/effective_affinity_list');
    assert.equal(r.topology!.irqs[0].cpu, undefined);
  });

  it('SMT: `smt N` (spread siblings), `smt N adjacent`, and the closest with a warning when neither fits', () => {
    const sib = (lists: string[]) => {
      const s: Record<string, string> = { '/sys/devices/system/cpu/possible': `0-${lists.length - 1}` };
      lists.forEach((l, c) => (s[`/sys/devices/system/cpu/cpu${c}/topology/thread_siblings_list`] = l));
      return importDumps([{ name: 's.txt', text: bundle(s) }]);
    };
    assert.match(sib(['0,2', '1,3', '0,2', '1,3']).text, /^smt 2 {2}#/m);
    assert.match(sib(['0-1', '0-1', '2-3', '2-3']).text, /^smt 2 adjacent {2}#/m);
    const odd = sib(['0-1', '0-1', '2,3', '3']);
    assert.match(odd.text, /^smt 2 adjacent {2}# .*fit neither `smt 2` nor `smt 2 adjacent`/m);
    assert.ok(odd.problems.some((p) => p.severity === 'warning' && /fit neither/.test(p.message)));
  });

  it('NUMA: nodes, and a device node from numa_node (none for -1)', () => {
    const text = bundle({
      '/proc/interrupts':
        '           CPU0       CPU1\n 30:          1          0 PCI-MSIX-0000:3b:00.0   0-edge      nvme0q0\n 31:          1          0 PCI-MSIX-0000:00:02.0   0-edge      virtio1-config',
      '/sys/devices/system/node/node0/cpulist': '0',
      '/sys/devices/system/node/node1/cpulist': '1',
      '/sys/bus/pci/devices/0000:3b:00.0/numa_node': '1',
      '/sys/bus/pci/devices/0000:00:02.0/numa_node': '-1',
    });
    const r = importDumps([{ name: 'n.txt', text }]);
    assert.match(r.text, /^node 0 cpus 0 /m);
    assert.match(r.text, /^node 1 cpus 1 /m);
    assert.match(r.text, /^device nvme0q0 \{ pci 0000:3b:00\.0; msix 1; node 1 \}$/m);
    assert.match(r.text, /^device virtio1-config \{ pci 0000:00:02\.0; msix 1 \}$/m);
    assert.match(importDumps([{ name: 'n.txt', text }], { v2: false }).text, /^# nvme0q0: v2: node 1$/m);
  });

  it('msi_irqs/<n> says MSI or MSI-X where the global PCI/MSI domain does not', () => {
    const rows =
      '           CPU0\n 40:          1  PCI-MSI 524288-edge      eth0\n 41:          1  PCI-MSI 524289-edge      eth0';
    const without = importDumps([{ name: 'a', text: rows }]).topology!.devices[0];
    assert.equal(without.msix, 2, 'several vectors under bare VECTOR: MSI-X inferred');
    const text = bundle({
      '/proc/interrupts': rows,
      '/sys/bus/pci/devices/0000:01:00.0/msi_irqs/40': 'msi',
      '/sys/bus/pci/devices/0000:01:00.0/msi_irqs/41': 'msi',
    });
    const d = importDumps([{ name: 'm.txt', text }]).topology!.devices[0];
    assert.equal(d.msi, 2);
    assert.equal(d.msix, undefined);
  });

  it('remap scopes from /sys/class/iommu/*/devices, and IO-APIC scopes from the DMAR-IR log lines', () => {
    const text = bundle({
      '/proc/interrupts': [
        '           CPU0',
        ' 30:          1 IR-PCI-MSIX-0000:00:02.0   0-edge      i915',
        ' 31:          1 IR-PCI-MSIX-0000:3b:00.0   0-edge      nvme0q0',
        '  8:          1 IR-IO-APIC    8-edge      rtc0',
      ].join('\n'),
      '/sys/kernel/debug/irq/domains/INTEL-IR-0-13':
        'name:   INTEL-IR-0-13\n size:   0\n parent: VECTOR\n    name:   VECTOR',
      '/sys/kernel/debug/irq/domains/INTEL-IR-1-13':
        'name:   INTEL-IR-1-13\n size:   0\n parent: VECTOR\n    name:   VECTOR',
      '/sys/kernel/debug/irq/domains/IO-APIC-2': 'name:   IO-APIC-2\n size:   120\n parent: INTEL-IR-1-13',
      '/sys/class/iommu/dmar0/devices/': '0000:00:02.0',
      '/sys/class/iommu/dmar1/devices/': '0000:00:1f.0\n0000:3b:00.0',
      '/sys/bus/pci/devices/0000:00:02.0/numa_node': '-1',
      '/sys/bus/pci/devices/0000:00:1f.0/numa_node': '-1',
      '/sys/bus/pci/devices/0000:3b:00.0/numa_node': '-1',
      dmesg: '[    0.1] DMAR-IR: IOAPIC id 2 under DRHD base  0xfed91000 IOMMU 1',
    });
    const r = importDumps([{ name: 'i.txt', text }], { v2: false });
    assert.match(r.text, /^domain INTEL-IR-0 : remap \{ parent VECTOR; vendor intel; scope 0000:00-00 \}$/m);
    assert.match(r.text, /^domain INTEL-IR-1 : remap \{ parent VECTOR; vendor intel \}$/m);
    assert.match(r.text, /# INTEL-IR-1: no scope: it covers every PCI device the other units do not/);
    assert.ok(
      r.problems.some((p) =>
        /INTEL-IR-0 covers only some devices of its buses \(not 0000:00:1f\.0\)/.test(p.message),
      ),
    );
  });

  it('reads grep output of /proc/irq and /sys/kernel/irq (managed_irq.rst prints them so)', () => {
    const p = parseInput(
      'g.txt',
      [
        '/proc/irq/48/effective_affinity_list:7',
        '/proc/irq/48/smp_affinity_list:7',
        '/sys/kernel/irq/48/actions:virtio0-request',
      ].join('\n'),
    );
    assert.deepEqual(p.machine.procIrqs.get(48)?.effective?.value, [7]);
    assert.deepEqual(p.machine.procIrqs.get(48)?.affinity?.value, [7]);
    assert.deepEqual(p.machine.sysIrqs.get(48)?.actions?.value, ['virtio0-request']);
    assert.deepEqual(p.kept, []);
  });

  it('an unreadable source is read as its reason, not as a value', () => {
    const p = parseInput(
      'u.txt',
      bundle({
        '/proc/interrupts': '!! unreadable: permission denied',
        '/sys/devices/system/cpu/online': '!! unreadable: no such file',
      }),
    );
    assert.deepEqual(
      p.machine.unreadable.map((u) => `${u.path}: ${u.reason} @${u.src.line}`),
      ['/proc/interrupts: permission denied @3', '/sys/devices/system/cpu/online: no such file @5'],
    );
    assert.equal(p.machine.online, undefined);
  });
});
