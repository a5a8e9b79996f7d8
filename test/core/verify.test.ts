// `irqtopo verify` (issue 12): observed values (pins) compared with the simulation of the same topology
// without them, per column, with a cause for each difference.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyze } from '../../server/src/core';
import { importDumps } from '../../server/src/core/importer';
import { verify, verifyText, withoutPins } from '../../server/src/core/verify';
import { fixture } from './helpers';

function report(text: string) {
  const a = analyze('/virtual/v.irqtopo', text);
  assert.ok(a.simulation, 'simulates');
  return verify(a.model, a.simulation);
}

describe('verify: observed values against the allocation order', () => {
  // Newest rules, 201 vectors per CPU. nic0's batch: q[0] and q[1] non-managed -> CPU 0 and CPU 1 (most
  // available, ties to the first), vector 0x20 each (matrix_find_best_cpu, matrix_alloc_area).
  const base = 'arch x86\ncpus 0-3\ndomain VECTOR : vector\ndevice nic0 { pci 0000:03:00.0; msix 4 }\n';

  it('agrees where the pins are what the kernel would do', () => {
    const r = report(
      `${base}irq nic0.q[0] : msix 0 { cpu 0; vector 0x20 }\nirq nic0.q[1] : msix 1 { cpu 1; vector 0x20 }\n`,
    );
    assert.equal(r.compared, 2);
    assert.deepEqual(r.columns.cpu, { compared: 2, agreed: 2 });
    assert.deepEqual(r.columns.nonmanaged_cpu, { compared: 2, agreed: 2 });
    assert.deepEqual(r.columns.vector, { compared: 2, agreed: 2 });
    // the compatibility message is made of the CPU and the vector, both observed
    assert.deepEqual(r.columns.message, { compared: 2, agreed: 2 });
    assert.equal(r.agreement.cpu, 1);
    assert.deepEqual(r.differences, []);
  });

  it('names each difference and its cause', () => {
    // q[1] observed on CPU 3 with an explicit affinity 3: the simulation gives CPU 3 too (its only CPU);
    // q[0] observed on CPU 2 without an affinity: the kernel order gives CPU 0
    const r = report(
      `${base}irq nic0.q[0] : msix 0 { cpu 2; vector 0x20 }\nirq nic0.q[1] : msix 1 { affinity 3; cpu 3; vector 0x20 }\n`,
    );
    assert.deepEqual(r.columns.cpu, { compared: 2, agreed: 1 });
    const d = r.differences.find((x) => x.column === 'cpu')!;
    assert.deepEqual([d.irq, d.k, d.causeKind, d.observed, d.simulated], ['nic0.q[0]', 0, 'history', 2, 0]);
    assert.match(d.cause, /allocation history/);
    assert.match(d.cause, /matrix_find_best_cpu/);
    const m = r.differences.find((x) => x.column === 'message')!;
    assert.deepEqual([m.observed, m.simulated], ['0xfee02000 / 0x0020', '0xfee00000 / 0x0020']);
    assert.match(verifyText(r), /^cpu\s+1\s+2\s+50\.0 %$/m);
  });

  it('says when a managed interrupt is observed outside its mask', () => {
    const r = report(`${base}irq nic0.q[0] : msix 0 { managed; affinity 0-1; cpu 3; vector 0x20 }\n`);
    const d = r.differences.find((x) => x.column === 'cpu')!;
    assert.match(d.cause, /outside the interrupt's mask/);
    assert.equal(d.causeKind, 'outside-mask');
    assert.deepEqual(r.columns.managed_cpu, { compared: 1, agreed: 0 });
  });

  it('removes only the pins: affinity, managed and in-use stay', () => {
    const a = analyze(
      '/virtual/v.irqtopo',
      `${base.replace('domain VECTOR : vector', 'domain VECTOR : vector { in-use 0 : 0x20 }')}irq nic0.q[0] : msix 0 { managed; affinity 0; cpu 0; vector 0x21 }\n`,
    );
    const m = withoutPins(a.model);
    assert.equal(m.groups.cpu[0], -1);
    assert.equal(m.groups.vector[0], -1);
    assert.equal(a.model.groups.cpu[0], 0, 'the analysis keeps its pins');
    assert.equal(m.groups.affinity[0], a.model.groups.affinity[0]);
    assert.equal(m.groups.flags[0], a.model.groups.flags[0]);
    // with the in-use 0x20 on CPU 0 the kernel's order gives 0x21 there too: full agreement
    assert.deepEqual(verify(a.model, a.simulation).columns.vector, { compared: 1, agreed: 1 });
  });

  it('D5 (Intel desktop, 6.2): 40 of the 48 managed CPUs agree from the boot order alone', () => {
    // docs/kernel-placement.md section 11.1 derives the 40 by hand; the 8 others are the history of
    // 03:00.0 (NVMe's admin queue re-allocation and a rebind to vfio-pci)
    const texts = [
      'x86-intel-desktop-32cpu-IR_martins3_int-procfs.txt',
      'x86-intel-desktop-32cpu-IR_martins3_int-irqdebug-domain.txt',
      'x86-intel-desktop-32cpu-IR_martins3_int-irqdebug-int.txt',
    ].map((f) => ({ name: f, text: fs.readFileSync(path.join(fixture('dumps'), f), 'utf8') }));
    const imported = importDumps(texts);
    const r = report(imported.text);
    assert.deepEqual(r.columns.managed_cpu, { compared: 48, agreed: 40 });
    for (const d of r.differences.filter((x) => x.column === 'cpu'))
      assert.ok(d.cause.length > 40 && !/undefined/.test(d.cause), d.cause);
  });
});
