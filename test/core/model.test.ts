import * as assert from 'node:assert/strict';
import { analyzeText, codes, irqsOf, refsOf } from './helpers';
import { resolveInclude } from '../../server/src/core';
import { analyze } from '../../server/src/core';

const BASE = 'arch x86\nkernel 6.6\ncpus 0-3\ndomain VECTOR : vector\n';

describe('semantic model', () => {
  it('implies per-device domains named as the kernel names them', () => {
    const a = analyzeText(
      BASE +
        'domain IR-0 : remap { parent VECTOR; scope 0000:00-7f }\ndevice nvme0 { pci 0000:01:00.0; msix 4 }\ndevice ahci { pci 0000:00:17.0; msi 1 }\ndevice vm { pci 0000:80:00.0; msix 2 }\nirq nvme0.q[0..3] : msix\nirq ahci.x : msi\nirq vm.q : msix\n',
    );
    const names = a.model.domains.filter((d) => d.implied).map((d) => `${d.name} < ${d.parent?.name}`);
    assert.deepEqual(names, [
      'IR-PCI-MSIX-0000:01:00.0 < IR-0',
      'IR-PCI-MSI-0000:00:17.0 < IR-0',
      'PCI-MSIX-0000:80:00.0 < VECTOR',
    ]);
    // the device outside every scope bypasses remapping: no error since no unit covers it
    assert.deepEqual(
      codes(a.diagnostics).filter((c) => c !== 'unused-domain'),
      [],
    );
  });

  it('implies nothing before 6.2 on x86, and asks for msi-domain', () => {
    const a = analyzeText(
      'arch x86\nkernel 5.15\ncpus 0-3\ndomain VECTOR : vector\ndevice n { pci 01:00.0; msix 2 }\nirq n.q : msix\n',
    );
    assert.equal(a.model.domains.filter((d) => d.implied).length, 0);
    assert.deepEqual(codes(a.diagnostics), ['missing-property']);
  });

  it('expands ranges and links every reference to its declaration', () => {
    const a = analyzeText(
      BASE +
        'device d { pci 01:00.0; msix 8 }\nirq d.q[0..7] : msix\nexpect d.q[3] path "PCI-MSIX-0000:01:00.0" > VECTOR\n',
    );
    assert.equal(irqsOf(a.model).length, 8);
    assert.deepEqual(
      irqsOf(a.model)
        .map((i) => i.id)
        .slice(0, 2),
      ['d.q[0]', 'd.q[1]'],
    );
    const targets = refsOf(a.model).map((r) => `${r.kind}:${r.name}->${r.resolved ? 'ok' : 'none'}`);
    assert.ok(targets.includes('domain:PCI-MSIX-0000:01:00.0->ok'), targets.join());
    assert.ok(targets.includes('domain:VECTOR->ok'));
    assert.ok(
      targets.every((t) => t.endsWith('ok')),
      targets.join(),
    );
  });

  it('suggests the closest name for an unknown reference', () => {
    const a = analyzeText(BASE + 'domain IR-0 : remap { parent VECTR }\n');
    const d = a.diagnostics.find((x) => x.code === 'unknown-name');
    assert.match(d?.message ?? '', /did you mean 'VECTOR'/);
  });

  it('resolves includes through the reader, includes first, and reports cycles', () => {
    const files: Record<string, string> = {
      '/t/main.irqtopo':
        'include "platform/base.irqtopo"\ndevice d { pci 01:00.0; msix 2 }\nirq d.q : msix\n',
      '/t/platform/base.irqtopo': 'arch x86\ncpus 0-1\ndomain VECTOR : vector\ninclude "../main.irqtopo"\n',
    };
    const reader = (u: string) => files[u] ?? new Error('no such file');
    const a = analyze('/t/main.irqtopo', files['/t/main.irqtopo'], { reader });
    assert.deepEqual(
      a.model.files.map((f) => f.uri),
      ['/t/platform/base.irqtopo', '/t/main.irqtopo'],
    );
    const inc = a.diagnostics.filter((d) => d.code === 'include-error');
    assert.equal(inc.length, 1);
    assert.equal(inc[0].uri, '/t/platform/base.irqtopo');
    assert.match(inc[0].message, /cycle/);
  });

  it('resolves include paths for plain paths and file URIs', () => {
    assert.equal(resolveInclude('/a/b/c.irqtopo', '../d.irqtopo'), '/a/d.irqtopo');
    assert.equal(resolveInclude('file:///a/b/c.irqtopo', 'x/./y.irqtopo'), 'file:///a/b/x/y.irqtopo');
  });

  it('applies severity overrides, and off drops the code', () => {
    const text = BASE + 'domain X : remap { parent VECTOR }\n';
    assert.equal(analyzeText(text).diagnostics[0]?.severity, 'hint');
    assert.equal(
      analyzeText(text, { rules: { 'unused-domain': 'error' } }).diagnostics[0]?.severity,
      'error',
    );
    assert.deepEqual(analyzeText(text, { rules: { 'unused-domain': 'off' } }).diagnostics, []);
  });

  it('stops an include chain that never repeats a path, at a depth limit', () => {
    // every file includes "x/next.irqtopo" relative to itself: /t/x/next, /t/x/x/next, ... all different
    const reader = () => 'include "x/next.irqtopo"\n';
    const a = analyze('/t/main.irqtopo', 'arch x86\ncpus 0\ninclude "x/next.irqtopo"\n', { reader });
    const inc = a.diagnostics.filter((d) => d.code === 'include-error');
    assert.equal(inc.length, 1);
    assert.match(inc[0].message, /more than 64 files deep/);
  });
});
