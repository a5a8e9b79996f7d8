// Issue 6: for the 32-CPU Intel desktop dumps (D5), the imported topology simulates to the machine
// the dumps came from: every activated interrupt's route lands on the dump's `Target:` CPU and
// `Vector:` (read here straight from the irqs/ dump, independently of the importer's parser), and the
// hierarchy has the IR unit, DMAR-MSI, the IO-APIC and the per-device domains.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyze } from '../../server/src/core';
import { importDumps } from '../../server/src/core/importer';
import { fixture } from './helpers';

const D5 = [
  'x86-intel-desktop-32cpu-IR_martins3_int-procfs.txt',
  'x86-intel-desktop-32cpu-IR_martins3_int-irqdebug-domain.txt',
  'x86-intel-desktop-32cpu-IR_martins3_int-irqdebug-int.txt',
];

/** irq number → { vector, target } from grep-style `N:` records, for activated interrupts. */
function observed(text: string): Map<number, { vector: number; target: number }> {
  const body = new Map<number, string>();
  for (const line of text.split('\n')) {
    const m = /^(\d+):(.*)$/.exec(line);
    if (m) body.set(Number(m[1]), (body.get(Number(m[1])) ?? '') + m[2] + '\n');
  }
  const out = new Map<number, { vector: number; target: number }>();
  for (const [irq, b] of body) {
    const v = /^\s*Vector:\s+(\d+)/m.exec(b);
    const t = /^\s*Target:\s+(\d+)/m.exec(b);
    if (v && t && Number(v[1]) > 0) out.set(irq, { vector: Number(v[1]), target: Number(t[1]) });
  }
  return out;
}

describe('import → routes (issue 6, Intel desktop D5)', () => {
  const texts = D5.map((f) => ({ name: f, text: fs.readFileSync(path.join(fixture('dumps'), f), 'utf8') }));
  // v1 output, which the current parser reads (the lead flips this when the v2 parser lands)
  const imported = importDumps(texts, { v2: true });
  const a = analyze('/virtual/d5.irqtopo', imported.text);
  const want = observed(texts[2].text);

  it('has the IR unit, DMAR-MSI, the IO-APIC and the per-device domains', () => {
    const d = (n: string) => a.model.domainsByName.get(n);
    assert.equal(d('INTEL-IR-0')?.kind, 'remap');
    assert.equal(d('DMAR-MSI')?.kind, 'dmar-msi');
    assert.equal(d('IO-APIC-2')?.parent?.name, 'INTEL-IR-0');
    const perDevice = a.model.domains.filter((x) => x.implied && x.parent?.name === 'INTEL-IR-0');
    assert.ok(perDevice.length >= 10, `per-device domains: ${perDevice.map((x) => x.name).join(', ')}`);
    assert.ok(perDevice.some((x) => x.name === 'IR-PCI-MSIX-0000:02:00.0'));
  });

  it('reproduces every activated interrupt’s observed CPU and vector', () => {
    assert.ok(a.simulation, 'the simulation ran');
    const byLinuxIrq = new Map(imported.topology!.irqs.map((i) => [i.linuxIrq, i]));
    let compared = 0;
    const wrong: string[] = [];
    for (const [irq, o] of want) {
      const ti = byLinuxIrq.get(irq);
      assert.ok(ti, `irq ${irq} was imported`);
      const id = ti.index === undefined ? `${ti.device}.${ti.name}` : `${ti.device}.${ti.name}[${ti.index}]`;
      const route = a.simulation.routesById.get(id);
      if (route?.cpu !== o.target || route?.vector !== o.vector)
        wrong.push(
          `${irq} ${id}: dump CPU ${o.target} vector ${o.vector}, route CPU ${route?.cpu} vector ${route?.vector}`,
        );
      compared++;
    }
    assert.deepEqual(wrong, []);
    assert.ok(compared >= 90, `compared ${compared} interrupts`);
  });

  it('reports no errors on the imported machine', () => {
    assert.deepEqual(
      a.diagnostics
        .filter((d) => d.severity === 'error')
        .map((d) => `${d.range.start.line + 1} ${d.code}: ${d.message}`),
      [],
    );
  });
});
