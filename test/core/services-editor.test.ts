// The editor services on what a user meets after an import or a what-if (issues 11 and 12): the irq
// hover says of each value whether it was observed on the machine (a pin) or simulated, and what an
// `offline` did to the interrupt; completion at a position outside the text does not throw.
import * as assert from 'node:assert/strict';
import { analyze, type Position } from '../../server/src/core';
import * as S from '../../server/src/core/services';
import { clampPosition } from '../../server/src/core/services/completion';

const URI = '/virtual/editor.irqtopo';

describe('services: completion outside the text', () => {
  const text = 'arch x86\ncpus 0-3\ndomain VECTOR : vector\ndevice d { pci 0000:01:00.0; msix 2 }\n';
  const m = analyze(URI, text).model;
  const lines = text.split('\n');

  it('a position past the last line, or past the end of a line, is clamped and does not throw', () => {
    const at = (p: Position) => S.completions(m, lines, p);
    const end = at({ line: lines.length - 1, character: 0 });
    assert.deepEqual(at({ line: 500, character: 40 }), end);
    assert.deepEqual(at({ line: lines.length, character: 0 }), end);
    // past the end of `device d {...` is its end: after the block, a top-level statement may start
    assert.deepEqual(
      at({ line: 3, character: 999 }).map((i) => i.label),
      at({ line: 3, character: lines[3].length }).map((i) => i.label),
    );
    assert.ok(Array.isArray(at({ line: -1, character: -5 })));
    assert.ok(Array.isArray(S.completions(m, [], { line: 3, character: 3 })));
  });

  it('clampPosition', () => {
    assert.deepEqual(clampPosition(['ab', 'cde'], { line: 9, character: 1 }), { line: 1, character: 3 });
    assert.deepEqual(clampPosition(['ab', 'cde'], { line: 0, character: 9 }), { line: 0, character: 2 });
    assert.deepEqual(clampPosition(['ab'], { line: -2, character: NaN }), { line: 0, character: 0 });
    assert.deepEqual(clampPosition([], { line: 4, character: 4 }), { line: 0, character: 0 });
  });
});

describe('services: the irq hover marks observed and simulated values', () => {
  const hoverOn = (text: string, needle: string) => {
    const a = analyze(URI, text);
    const i = text.indexOf(needle);
    const before = text.slice(0, i + needle.length - 1);
    const p = {
      line: before.split('\n').length - 1,
      character: before.length - before.lastIndexOf('\n') - 1,
    };
    return S.hover(a, URI, p)!.contents;
  };
  const IR =
    'arch x86\ncpus 0-3\ndomain VECTOR : vector\ndomain IR-0 : remap { parent VECTOR }\ndevice d { pci 0000:01:00.0; msix 2 }\n' +
    'irq d.a : msix 0 { cpu 2; vector 0x30 }\nirq d.b : msix 1 { cpu 3; vector 0x31; irte 7 }\n';

  it('each value: a pin is observed, the rest simulated; a message is observed only when all it is made of is', () => {
    // d.a: CPU and vector pinned; its IRTE (0, the lowest free of IR-0) simulated, so its message (the IRTE's) too
    assert.match(
      hoverOn(IR, 'irq d.a'),
      /\nValues: CPU 2 \(observed\) · vector 0x30 \(observed\) · IRTE 0 \(simulated\) · message \(simulated\)\n/,
    );
    assert.match(
      hoverOn(IR, 'irq d.b'),
      /\nValues: CPU 3 \(observed\) · vector 0x31 \(observed\) · IRTE 7 \(observed\) · message \(made of observed values\)\n/,
    );
    // nothing pinned: all simulated (CPU 0 and 0x20 on 6.12: the most available CPU, ties to the lowest; the lowest free vector)
    const free =
      'arch x86\nkernel 6.12\ncpus 0-3\ndomain VECTOR : vector\ndevice d { pci 0000:01:00.0; msix 1 }\nirq d.a : msix 0\n';
    assert.match(
      hoverOn(free, 'irq d.a'),
      /\nValues: CPU 0 \(simulated\) · vector 0x20 \(simulated\) · message \(simulated\)\n/,
    );
  });

  it('an observed placement an offline moved: simulated from there on, and the observed one said', () => {
    // d.a pinned on CPU 2; `offline 2` moves it (6.12, non-managed, every CPU in its affinity) to the
    // online CPU with the most available vectors, ties to the lowest: CPU 0, its lowest free vector 0x20
    const t =
      'arch x86\nkernel 6.12\ncpus 0-3\ndomain VECTOR : vector\ndevice d { pci 0000:01:00.0; msix 1 }\n' +
      'irq d.a : msix 0 { cpu 2; vector 0x30 }\noffline 2\n';
    const h = hoverOn(t, 'irq d.a');
    assert.match(h, /\nValues: CPU 0 \(simulated\) · vector 0x20 \(simulated\) · message \(simulated\)\n/);
    assert.match(
      h,
      /\nOffline: moved by `offline 2` \(line 7\) from CPU 2 · 0x30 \(observed: CPU, vector\) to CPU 0 \(migrate_one_irq\(\), kernel\/irq\/cpuhotplug\.c\)\. Its CPU and vector are simulated from here on\.\n/,
    );
  });

  it('stuck on an offline CPU, and a route no offline touched', () => {
    const a = analyze(URI, IR);
    const r = a.simulation!.routesById.get('d.a')!;
    assert.equal(S.offlineLine(a, r), undefined);
    const stuck = S.offlineLine(a, { ...r, offline: 'stuck', cpu: 3 })!;
    assert.match(stuck, /^Offline: an `offline` could not move it \("IRQn: set affinity failed\(-28\)"/);
    assert.match(stuck, /it still targets CPU 3, which is offline\.$/);
    assert.equal(S.valuesLine({ ...r, failure: { code: 'root', message: '' } }), undefined);
  });
});
