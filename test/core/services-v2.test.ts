// The language services on the v2 language (LANGUAGE.md v2: the machine, spread, pins, offline, release)
// and what the views asked of the server (issue 14): completion, hover, inlay hints, code lenses,
// symbols, folding, semantic tokens, formatting and the new quick fixes. Expected figures are derived
// by hand where they are stated (the two-socket example (h): its derivation is beside it below).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { analyze, parse, type Diagnostic, type Position, type Route } from '../../server/src/core';
import * as S from '../../server/src/core/services';
import { ROOT, diskReader } from './helpers';

const URI = '/virtual/v2.irqtopo';
const FX = (...p: string[]) => path.join(ROOT, 'test', 'fixtures', ...p);

function analyzeText(text: string, uri = URI): S.AnalysisLike {
  return analyze(uri, text, { reader: diskReader });
}

/** The position of the n-th occurrence of `needle` (plus an offset into it). */
function at(text: string, needle: string, offset = 0, nth = 0): Position {
  let i = -1;
  for (let k = 0; k <= nth; k++) {
    i = text.indexOf(needle, i + 1);
    assert.ok(i >= 0, `'${needle}' not found`);
  }
  const before = text.slice(0, i + offset);
  return { line: before.split('\n').length - 1, character: before.length - (before.lastIndexOf('\n') + 1) };
}

const errors = (a: S.AnalysisLike, code?: string) =>
  a.diagnostics.filter((d) => d.severity === 'error' && (!code || d.code === code));

// Example (h): two sockets x 4 cores x 2 threads, 6.12 (derived by hand in the project's kernel-placement
// notes, section 9.2, from kernel/irq/matrix.c, arch/x86/kernel/apic/vector.c, lib/group_cpus.c and
// kernel/irq/cpuhotplug.c). Spread masks: io[0] {4,12} ... io[3] {7,15}, io[4] {0,8} ... io[7] {3,11}
// (node 1 first); each on the highest CPU of its pair (ties to the last): io[0..3] on 12-15, io[4..7] on
// 8-11, vector 0x20, IRTEs 1-8 of IR-0. nic0 (node 1) on CPUs 4-7, 0x21, IRTEs 0-3 of IR-1.
// offline 12: io[0] moves to CPU 4; offline 4: io[0] is shut down, nic0.q[0] moves to CPU 2, 0x21.
const H = `arch x86
kernel 6.12
cpus 0-15
possible-cpus 0-15
node 0 cpus 0-3,8-11
node 1 cpus 4-7,12-15
smt 2
apic x2apic-cluster
apic-ids 0,2,4,6,32,34,36,38,1,3,5,7,33,35,37,39
domain VECTOR : vector
domain DMAR-MSI : dmar-msi { parent VECTOR }
domain IR-0 : remap { parent VECTOR; vendor intel; scope 0000:00-7f }
domain IR-1 : remap { parent VECTOR; vendor intel; scope 0000:80-ff }
device dmar0 { platform; msi-domain DMAR-MSI; node 0 }
device nvme0 { pci 0000:01:00.0; msix 9; node 0 }
device nic0 { pci 0000:81:00.0; msix 8; node 1 }
irq dmar0.fault : msi
irq nvme0.admin : msix 0
irq nvme0.io[0..7] : msix { spread }
irq nic0.q[0..3] : msix
offline 12,4
expect nvme0.io[1] cpu 13 vector 0x20 irte 2 message 0xfee00058 0x0
expect nic0.q[0] cpu 2 vector 0x21 irte 0 message 0xfee00018 0x0
`;

// release: nic0's first probe takes CPUs 0-3 at 0x20 (most available, ties to the lowest CPU, on 6.8
// 0x20 is usable); the release frees them, so the second probe takes the same again.
const REL = `arch x86
kernel 6.8
cpus 0-3
domain VECTOR : vector
domain IR-0 : remap { parent VECTOR; vendor intel }
device nic0 { pci 0000:03:00.0; msix 4 }
device nic1 { pci 0000:04:00.0; msix 4 }
irq nic0.q[0..3] : msix 0
irq nic1.q[0..3] : msix { irte 40; inactive }
release nic0
irq nic0.q[0..3] : msix 0
`;

describe('services v2: the examples hold', () => {
  it('example (h) and the release example have no error: their expects hold', () => {
    assert.deepEqual(
      errors(analyzeText(H)).map((d) => d.message),
      [],
    );
    assert.deepEqual(
      errors(analyzeText(REL)).map((d) => d.message),
      [],
    );
  });

  it('every complete topology in docs/language.md analyses without an error', () => {
    const text = fs.readFileSync(path.join(ROOT, 'docs', 'language.md'), 'utf8');
    const blocks = [...text.matchAll(/^```\n([\s\S]*?)^```$/gm)]
      .map((m) => m[1])
      .filter((b) => /^arch /m.test(b));
    assert.ok(blocks.length >= 3, `${blocks.length} topologies`);
    for (const b of blocks) {
      const a = analyzeText(b);
      assert.ok(a.simulation, b.slice(0, 80));
      assert.deepEqual(
        errors(a).map((d) => `${d.code}: ${d.message}`),
        [],
        b.slice(0, 80),
      );
    }
  });
});

describe('services v2: completion', () => {
  const a = analyzeText(H);
  const complete = (src: string, m = a.model) => {
    const lines = src.split('\n');
    return S.completions(m, lines, { line: lines.length - 1, character: lines[lines.length - 1].length });
  };
  const labels = (src: string) => complete(src).map((i) => i.label);

  it('every statement keyword at the start of a line, each with its doc', () => {
    const items = complete('');
    for (const k of [
      'possible-cpus',
      'node',
      'smt',
      'apic',
      'ext-dest-id',
      'offline',
      'release',
      'arch',
      'irq',
    ]) {
      const it = items.find((i) => i.label === k);
      assert.ok(it, k);
      assert.ok(it.documentation && it.documentation.length > 20, `${k} has a doc`);
    }
  });

  const table: [string, string[], string[]][] = [
    // [text before the cursor, labels that must be offered, labels that must not]
    ['apic ', ['flat', 'physflat', 'x2apic-cluster', 'x2apic-phys'], []],
    ['smt ', ['2'], []],
    ['smt 2 ', ['adjacent'], []],
    ['node ', ['2'], ['0', '1']],
    ['node 2 ', ['cpus'], []],
    ['node 2 cpus ', [], ['0', '0-15']],
    ['offline ', [], ['0', '0-15']],
    ['possible-cpus ', [], ['0']],
    ['ext-dest-id ', [], ['flat']],
    ['release ', ['nvme0', 'nic0', 'dmar0'], []],
    ['device x {\n  ', ['node', 'pci', 'msix'], ['spread']],
    ['device x { node ', ['0', '1'], []],
    ['irq nvme0.io[0..3] : msix {\n  ', ['spread', 'irte', 'inactive', 'managed', 'affinity'], []],
    ['irq nvme0.admin : msix {\n  ', ['irte', 'inactive'], ['spread']],
    ['irq nvme0.io[0..3] : msix { affinity 1; ', ['irte'], ['spread']],
    ['irq nvme0.io[0..3] : msix { spread; ', ['irte', 'inactive'], ['affinity', 'managed']],
    ['device x {\n  pci 0000:01:00.0\n  node 1\n  ', ['msix'], ['parent']],
  ];
  for (const [src, yes, no] of table)
    it(`after ${JSON.stringify(src)}`, () => {
      const l = labels(src);
      for (const y of yes) assert.ok(l.includes(y), `${y} in ${l.join(' ')}`);
      for (const n of no) assert.ok(!l.includes(n), `${n} not in ${l.join(' ')}`);
    });

  it('the APIC drivers this machine cannot have come last (flat on 6.12, cluster without IR)', () => {
    const rank = (m: typeof a.model, mode: string) =>
      complete('apic ', m)
        .find((i) => i.label === mode)!
        .sortText.split('_')[0];
    assert.equal(rank(a.model, 'flat'), '1'); // 6.12: flat is gone (838ba7733e4e)
    assert.equal(rank(a.model, 'x2apic-cluster'), '0'); // two remap units
    const small = analyzeText('arch x86\nkernel 6.10\ncpus 0-3\ndomain VECTOR : vector\n').model;
    assert.equal(rank(small, 'flat'), '0');
    assert.equal(rank(small, 'x2apic-cluster'), '1');
  });

  it('never throws on any prefix of any line of the v2 examples (property)', () => {
    const lines = (H + REL).split('\n');
    fc.assert(
      fc.property(fc.nat(lines.length - 1), fc.nat(80), (l, c) => {
        const upTo = lines.slice(0, l + 1);
        upTo[l] = upTo[l].slice(0, c);
        const items = S.completions(a.model, upTo, { line: l, character: upTo[l].length });
        assert.ok(Array.isArray(items));
        for (const i of items) assert.ok(typeof i.label === 'string' && i.label.length > 0);
      }),
      { numRuns: 300 },
    );
  });
});

describe('services v2: hover', () => {
  const a = analyzeText(H);
  const hover = (text: string, needle: string, offset = 0, an = a, nth = 0) =>
    S.hover(an, URI, at(text, needle, offset, nth))?.contents ?? '';

  // every v2 word, with the kernel fact its hover must state
  const words: [string, number, RegExp][] = [
    ['possible-cpus 0-15', 2, /16 possible CPUs, 16 online[\s\S]*cpu_possible_mask/],
    [
      'node 1 cpus',
      1,
      /node 1\*\*: 8 CPUs \(4-7,12-15\)[\s\S]*Devices on it: nic0[\s\S]*assign_irq_vector_any_locked/,
    ],
    ['smt 2', 1, /2 threads per core; the first cores: \{0,8\}, \{1,9\}[\s\S]*grp_spread_init_one/],
    ['apic x2apic', 1, /In effect: `x2apic-cluster`[\s\S]*Switched APIC routing to/],
    ['x2apic-cluster', 3, /init_x2apic_ldr[\s\S]*interrupt remapping/],
    ['offline 12', 1, /lapic_can_unplug_cpu[\s\S]*migrate_one_irq/],
    ['spread', 2, /group_cpus_evenly[\s\S]*lib\/group_cpus\.c/],
    ['node 1 }', 1, /dev_to_node/],
  ];
  for (const [needle, off, re] of words) it(`on '${needle}'`, () => assert.match(hover(H, needle, off), re));

  it('the other v2 words: adjacent, ext-dest-id, flat, physflat, x2apic-phys, irte, inactive, release', () => {
    const t = `arch x86\nkernel 6.10\ncpus 0-3\nsmt 2 adjacent\next-dest-id\napic flat\napic physflat\napic x2apic-phys
domain VECTOR : vector\ndomain IR-0 : remap { parent VECTOR }\ndevice d { pci 0000:01:00.0; msix 2 }
irq d.q[0..1] : msix { irte 4; inactive }\nrelease d\n`;
    const an = analyzeText(t);
    assert.match(hover(t, 'adjacent', 2, an), /QEMU/);
    assert.match(hover(t, 'ext-dest-id', 2, an), /bits 14:8[\s\S]*32767/);
    assert.match(hover(t, 'flat', 1, an), /1 << cpu[\s\S]*before 6\.12/);
    assert.match(hover(t, 'physflat', 1, an), /8-bit APIC ID/);
    assert.match(hover(t, 'x2apic-phys', 1, an), /32767/);
    assert.match(hover(t, 'irte 4', 1, an), /handle/);
    assert.match(hover(t, 'inactive', 1, an), /has_reserved: 1/);
    assert.match(hover(t, 'release', 1, an), /release d\*\*[\s\S]*Frees 2 interrupts: `d\.q\[0\.\.1\]`/);
  });

  it('an offline, CPU by CPU, and one CPU of its list alone', () => {
    const h = hover(H, 'offline 12', 1);
    assert.match(
      h,
      /CPU 12: taken offline; everything on it moved inside its affinity or mask \(on it at boot: nvme0\.io\[0\]\)/,
    );
    assert.match(
      h,
      /CPU 4: taken offline; ℹ️ shut down: nvme0\.io\[0\]; the rest moved .* \(on it at boot: nic0\.q\[0\]\)/,
    );
    assert.match(
      h,
      /After the replay: 1 interrupt moved, 1 shut down, none stuck\. Online CPUs: 0-3,5-11,13-15\./,
    );
    const four = hover(H, 'offline 12,4', 11);
    assert.match(four, /CPU 4:/);
    assert.doesNotMatch(four, /CPU 12:/);
  });

  it('a refused offline quotes the kernel with the figures, and says why there is no automatic fix', () => {
    const file = FX('checks', 'cpu-unplug-refused', 'fire.irqtopo');
    const text = fs.readFileSync(file, 'utf8');
    const an = analyze(file, text, { reader: diskReader });
    const h = S.hover(an, file, at(text, '\noffline 3', 2))!.contents;
    // the fixture's derivation: 18 in-use + 1 managed = 19 on CPU 3 before 6.7, 6 x 3 = 18 on CPUs 0-2
    assert.match(h, /CPU 3: ⛔ refused: .*"CPU 3 has 19 vectors, 18 available\. Cannot disable CPU"/);
    assert.match(h, /There is no automatic fix/);
    assert.deepEqual(
      S.quickFixes(
        an,
        an.diagnostics.find((d) => d.code === 'cpu-unplug-refused')!,
      ),
      [],
    );
  });

  it('an offline that breaks an affinity, shuts down, or gets stuck', () => {
    const load = (code: string) => {
      const file = FX('checks', code, 'fire.irqtopo');
      const text = fs.readFileSync(file, 'utf8');
      return S.hover(analyze(file, text, { reader: diskReader }), file, at(text, '\noffline 3', 2))!.contents;
    };
    const g = load('irq-shutdown');
    assert.match(g, /CPU 3: taken offline; ℹ️ shut down: nvme0\.io\[3\]; ⚠️ left the affinity: nic0\.q\[0\]/);
    assert.match(
      g,
      /After the replay: 2 interrupts moved \(1 outside its affinity\), 1 shut down, none stuck/,
    );
    assert.match(load('set-affinity-failed'), /⛔ stuck \(set affinity failed\): nic0\.q\[0\]/);
  });

  it('an offline naming a CPU that is not online, or one already down', () => {
    const t = 'arch x86\ncpus 0-7\ndomain VECTOR : vector\noffline 2\noffline 9,2,3-6\n';
    const h = hover(t, 'offline 9', 1, analyzeText(t));
    assert.match(h, /CPU 9: not an online CPU/);
    assert.match(h, /CPU 2: already offline/);
    // CPUs 3-6 went down with nothing to report: one line
    assert.match(
      h,
      /- CPUs 3-6: taken offline; everything on them moved inside its affinity or mask \(no interrupt on them at boot\)/,
    );
    assert.match(h, /After the last `offline` of the file/);
  });

  it('a release: what it freed, what held nothing, and what is allocated anew', () => {
    const an = analyzeText(REL);
    const h = hover(REL, 'release nic0', 9, an);
    assert.match(h, /Frees 4 interrupts: `nic0\.q\[0\.\.3\]`\. Everything they held is freed here/);
    assert.match(h, /Allocated anew after it: `nic0\.q\[0\.\.3\]`/);
  });

  it('an irq with spread: the mask each element got', () => {
    const h = hover(H, 'nvme0.io[0..7]', 7);
    assert.match(h, /`nvme0\.io\[1\]`[\s\S]*?Mask \(spread\): 5,13/);
    assert.match(h, /`nvme0\.io\[4\]`[\s\S]*?Mask \(spread\): 0,8/);
    assert.match(h, /`nvme0\.io\[0\]`\nRoute: .* → shut down by offline/);
  });

  it('an irq an offline shut down or moved says so: which statement, from where, why (example (h))', () => {
    const line = at(H, 'offline 12,4').line + 1;
    const io0 = hover(H, 'nvme0.io[0..7]', 7);
    // io[0] (mask {4,12}) was on CPU 12 at boot; `offline 12` moved it to 4, `offline 4` shut it down
    assert.match(
      io0,
      new RegExp(
        `\`nvme0\\.io\\[0\\]\`[^\`]*?Offline: shut down by \`offline 12,4\` \\(line ${line}\\) \\(it was on CPU 12 · 0x20\\): a managed interrupt with no CPU of its mask \\(4,12\\) online is shut down`,
      ),
    );
    assert.doesNotMatch(io0, /`nvme0\.io\[0\]`\nRoute: [^\n]*\n\nValues:/, 'no values: it holds none');
    // nic0.q[0]: on CPU 4, 0x21 at boot; `offline 4` moves it to CPU 2, 0x21 (the expect of example (h))
    const q = hover(H, 'nic0.q[0..3]', 6);
    assert.match(
      q,
      new RegExp(
        `\`nic0\\.q\\[0\\]\`\nRoute: [^\n]*\n\nValues: CPU 2 \\(simulated\\) · vector 0x21 \\(simulated\\) · IRTE 0 \\(simulated\\) · message \\(simulated\\)\n\nOffline: moved by \`offline 12,4\` \\(line ${line}\\) from CPU 4 · 0x21 to CPU 2 \\(migrate_one_irq\\(\\)`,
      ),
    );
    // the others did not move
    assert.match(q, /`nic0\.q\[1\]`\nRoute: [^\n]*\n\nValues: CPU 5 \(simulated\)[^\n]*\n\n- /);
  });

  it('a blank line before Message:, so that it does not join the hop list', () => {
    const h = hover(H, 'irq nvme0.admin', 11);
    const lines = h.split('\n');
    const i = lines.findIndex((l) => l.startsWith('Message:'));
    assert.ok(i > 0, h);
    assert.equal(lines[i - 1], '');
    assert.match(lines[i - 2], /^- /);
  });

  it('each diagnostic listed with the icon of its own severity', () => {
    const file = path.join(ROOT, 'examples', 'ims-under-pci-msi.irqtopo');
    const text = fs.readFileSync(file, 'utf8');
    const an = analyze(file, text, { reader: diskReader });
    const h = S.hover(an, file, at(text, 'domain IMS-dsa0', 8))!.contents;
    assert.match(h, /- ⛔ `ims-parent-pci-msi`/);
    assert.doesNotMatch(h, /⚠/);
    assert.equal(S.severityIcon('warning'), '⚠️');
    assert.equal(S.severityIcon('information'), 'ℹ️');
  });
});

describe('services v2: inlay hints', () => {
  const labelAt = (a: S.AnalysisLike, text: string, needle: string) => {
    const line = at(text, needle).line;
    return S.inlayHints(a, URI).find((h) => h.position.line === line)?.label;
  };

  it('a range summarised; what an offline did, counted (example (h))', () => {
    const a = analyzeText(H);
    assert.equal(labelAt(a, H, 'irq nvme0.admin'), '→ CPU 1 · 0x21 · IRTE 0');
    assert.equal(
      labelAt(a, H, 'irq nvme0.io'),
      '→ CPUs 8-11,13-15 · 0x20 · IRTE 2-8 · 1 shut down by offline',
    );
    assert.equal(labelAt(a, H, 'irq nic0.q'), '→ CPUs 2,5-7 · 0x21 · IRTE 0-3 · 1 moved by offline');
    const tip = S.inlayHints(a, URI).find((h) => h.label.startsWith('→ CPUs 8-11'))!.tooltip;
    assert.match(tip, /`nvme0\.io\[1\]` → CPU 13 · 0x20 · IRTE 2 · mask 5,13/);
  });

  it('at the end of the statement, after its block', () => {
    const a = analyzeText(H);
    const line = at(H, 'irq nvme0.io').line;
    const h = S.inlayHints(a, URI).find((x) => x.position.line === line)!;
    assert.equal(h.position.character, H.split('\n')[line].length);
  });

  it('observed values marked, inactive, released, and failures in plain words', () => {
    const a = analyzeText(REL);
    assert.equal(labelAt(a, REL, 'irq nic0.q'), '→ all 4 freed by release (line 10)');
    assert.equal(labelAt(a, REL, 'irq nic1.q'), '→ inactive: reserved, no vector · IRTE 40-43 (observed)');
    const last = S.inlayHints(a, URI).at(-1)!;
    // the release freed CPUs 0-3's 0x20 and IRTEs 0-3: the second probe takes the lowest free again
    assert.equal(last.label, '→ CPUs 0-3 · 0x20 · IRTE 0-3');
    const file = FX('checks', 'msix-index-range', 'fire.irqtopo');
    const text = fs.readFileSync(file, 'utf8');
    const b = analyze(file, text, { reader: diskReader });
    const err = S.inlayHints(b, file).find((h) => h.position.line === at(text, 'irq nic0.err').line)!;
    assert.equal(err.label, '→ not allocated: MSI-X entry beyond the table');
    const pinned = analyzeText(
      'arch x86\ncpus 0-3\ndomain VECTOR : vector\ndomain IR-0 : remap { parent VECTOR }\ndevice d { pci 0000:01:00.0; msix 2 }\nirq d.a : msix 0 { cpu 2; vector 0x30 }\nirq d.b : msix 1 { cpu 3; vector 0x31; irte 7 }\n',
    );
    const hs = S.inlayHints(pinned, URI).map((h) => h.label);
    assert.deepEqual(hs, [
      '→ CPU 2 · 0x30 · IRTE 0 (observed: CPU, vector)',
      '→ CPU 3 · 0x31 · IRTE 7 (observed)',
    ]);
  });

  const route = (over: Partial<Route>): Route => ({
    irq: 'd.q[0]',
    device: 'd',
    uri: URI,
    range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
    cpu: 1,
    vector: 0x20,
    lpi: null,
    irte: null,
    event: null,
    path: [],
    hops: [],
    message: null,
    managed: false,
    failure: null,
    k: 0,
    mask: null,
    node: null,
    observed: [],
    affinityBroken: false,
    ...over,
  });
  const table: [string, Route[], string][] = [
    ['one', [route({})], '→ CPU 1 · 0x20'],
    ['arm64', [route({ vector: null, lpi: 8193, event: 3 })], '→ CPU 1 · LPI 8193 · event 3'],
    ['observed', [route({ observed: ['cpu', 'vector'] })], '→ CPU 1 · 0x20 (observed)'],
    [
      'some elements observed',
      [route({ observed: ['cpu', 'vector'] }), route({ cpu: 2 }), route({ cpu: 3 })],
      '→ CPUs 1-3 · 0x20 (1 of 3 observed)',
    ],
    [
      'moved',
      [route({ offline: 'moved', affinityBroken: true })],
      '→ CPU 1 · 0x20 · moved by offline, outside its affinity',
    ],
    [
      'stuck',
      [route({ offline: 'stuck', cpu: 3 })],
      '→ CPU 3 · 0x20 · stuck: CPU 3 is offline (set affinity failed)',
    ],
    ['broken', [route({ affinityBroken: true })], '→ CPU 1 · 0x20 · outside its affinity'],
    [
      'root',
      [route({ failure: { code: 'root', message: '' } })],
      '→ not allocated: its domains reach no root',
    ],
    [
      'layering',
      [
        route({
          failure: { code: 'ims-parent-pci-msi', message: 'not allocated: the kernel refuses the layering' },
        }),
      ],
      '→ not allocated: the kernel refuses its domain layering',
    ],
    [
      'a range, some failed',
      [
        route({}),
        route({ cpu: 2, vector: 0x21 }),
        route({ failure: { code: 'vector-exhausted', message: '' } }),
      ],
      '→ CPUs 1-2 · 0x20-0x21 · 1 not allocated: no free vector',
    ],
    [
      'a range, all failed',
      [0, 1, 2].map(() => route({ failure: { code: 'irte-exhausted', message: '' } })),
      '→ all 3 not allocated: remap table full',
    ],
    [
      'a long CPU list is cut',
      Array.from({ length: 40 }, (_, i) => route({ cpu: i * 2 })),
      '→ CPUs 0,2,4,6,8,10,12,14,16,18,… · 0x20',
    ],
  ];
  for (const [name, routes, want] of table)
    it(`label: ${name}`, () => assert.equal(S.rangeText(routes), want));

  it('labels stay short and plain on random topologies (property)', () => {
    const arb = fc.record({
      cpus: fc.integer({ min: 1, max: 64 }),
      queues: fc.array(fc.record({ n: fc.integer({ min: 1, max: 40 }), managed: fc.boolean() }), {
        minLength: 1,
        maxLength: 6,
      }),
      offline: fc.array(fc.nat(70), { maxLength: 4 }),
    });
    fc.assert(
      fc.property(arb, ({ cpus, queues, offline }) => {
        const lines = [`arch x86`, `cpus 0-${cpus - 1}`, 'domain VECTOR : vector'];
        queues.forEach((q, i) => {
          lines.push(`device d${i} { pci 0000:${(i + 1).toString(16).padStart(2, '0')}:00.0; msix ${q.n} }`);
          lines.push(`irq d${i}.q[0..${q.n - 1}] : msix${q.managed ? ' { managed }' : ''}`);
        });
        if (offline.length) lines.push(`offline ${offline.join(',')}`);
        const text = lines.join('\n') + '\n';
        const a = analyzeText(text);
        const f = parse(text, URI);
        for (const h of S.inlayHints(a, URI)) {
          assert.ok(h.label.length <= 110, h.label);
          assert.ok(!h.label.includes('✗'), h.label);
          assert.match(h.label, /^→ /);
          const st = f.statementAt(h.position)!;
          assert.equal(st.type, 'irq');
          assert.deepEqual(st.range.end, h.position);
        }
      }),
      { numRuns: 60 },
    );
  });
});

describe('services v2: code lenses', () => {
  const file = path.join(ROOT, 'examples', 'two-ir-units.irqtopo');
  const text = fs.readFileSync(file, 'utf8');
  const a = analyze(file, text, { reader: diskReader });

  it('by default only on device lines, one per device, one wording', () => {
    const lenses = S.codeLenses(a, file);
    const lines = text.split('\n');
    for (const l of lenses) {
      assert.match(lines[l.range.start.line], /^device /);
      assert.match(l.title, /^Show route$|^Show routes \(\d+\)$/);
    }
    const nvme = lenses.find((l) => l.args.device === 'nvme0')!;
    assert.equal(nvme.title, 'Show routes (5)');
  });

  it('with interrupts: one lens per element of a range, naming it', () => {
    const lenses = S.codeLenses(a, file, { interrupts: true });
    const line = at(text, 'irq nic1.q[0..7]').line;
    const mine = lenses.filter((l) => l.range.start.line === line);
    assert.equal(mine.length, 8);
    const q3 = mine.find((l) => l.title.includes('q[3]'))!;
    assert.deepEqual(q3.args.irqs, ['nic1.q[3]']);
    assert.equal(mine[0].title, 'Show route q[0]');
    const admin = lenses.find((l) => l.range.start.line === at(text, 'irq nvme0.admin').line)!;
    assert.equal(admin.title, 'Show route');
  });

  it('a long range: 32 element lenses and one for all; none on released statements', () => {
    const t =
      'arch x86\ncpus 0-3\ndomain VECTOR : vector\ndevice d { pci 0000:01:00.0; msix 40 }\nirq d.q[0..39] : msix\nrelease d\nirq d.q[0..1] : msix\n';
    const lenses = S.codeLenses(analyzeText(t), URI, { interrupts: true });
    const big = lenses.filter((l) => l.range.start.line === 4);
    assert.equal(big.length, 0, 'released: history');
    const t2 = t.replace('release d\nirq d.q[0..1] : msix\n', '');
    const l2 = S.codeLenses(analyzeText(t2), URI, { interrupts: true }).filter(
      (l) => l.range.start.line === 4,
    );
    assert.equal(l2.length, 33);
    assert.equal(l2[32].title, '… Show routes (40)');
    assert.equal(l2[32].args.irqs.length, 40);
  });
});

describe('services v2: the routes payload', () => {
  it('a released interrupt comes after the live one of the same name', () => {
    const r = S.routes(analyzeText(REL));
    const nic0 = r.devices.find((d) => d.device === 'nic0')!;
    assert.equal(nic0.irqs.length, 8);
    const first = nic0.irqs.find((i) => i.irq === 'nic0.q[0]')!;
    assert.equal(first.failure, null);
    assert.equal(first.cpu, 0);
    assert.deepEqual(
      nic0.irqs.slice(4).map((i) => i.failure?.code),
      ['released', 'released', 'released', 'released'],
    );
  });
});

describe('services v2: structure and formatting', () => {
  const a = analyzeText(H);

  it('symbols for nodes, offline and release', () => {
    const syms = S.documentSymbols(a.model, URI);
    const node1 = syms.find((s) => s.name === 'node 1')!;
    assert.equal(node1.statement, 'node');
    assert.equal(node1.detail, 'CPUs 4-7,12-15');
    const off = syms.find((s) => s.statement === 'offline')!;
    assert.equal(off.name, 'offline 12,4');
    const rel = S.documentSymbols(analyzeText(REL).model, URI).find((s) => s.statement === 'release')!;
    assert.equal(rel.name, 'release nic0');
    for (const s of syms) assert.ok(['domain', 'device', 'irq'].includes(s.kind));
  });

  it('folds a run of node statements', () => {
    const folds = S.foldingRanges(parse(H, URI));
    assert.ok(
      folds.some((f) => f.startLine === 4 && f.endLine === 5),
      JSON.stringify(folds),
    );
  });

  it('semantic tokens: v2 keywords and values like their v1 peers', () => {
    const t = `${H}device x { node 1 }\nrelease nic0\nsmt 2 adjacent\n`;
    const an = analyzeText(t);
    const data = S.semanticTokens(an.model, URI);
    const lines = t.split('\n');
    const tokens: { line: number; text: string; type: string }[] = [];
    let line = 0;
    let ch = 0;
    for (let i = 0; i < data.length; i += 5) {
      line += data[i];
      ch = data[i] === 0 ? ch + data[i + 1] : data[i + 1];
      tokens.push({ line, text: lines[line].slice(ch, ch + data[i + 2]), type: S.TOKEN_TYPES[data[i + 3]] });
    }
    const type = (needle: string, word: string) => {
      const l = at(t, needle).line;
      return tokens.find((x) => x.line === l && x.text === word)?.type;
    };
    assert.equal(type('node 1 cpus', 'node'), 'keyword');
    assert.equal(type('node 1 cpus', 'cpus'), 'keyword');
    assert.equal(type('possible-cpus', 'possible-cpus'), 'keyword');
    assert.equal(type('apic x2apic', 'x2apic-cluster'), 'enumMember');
    assert.equal(type('offline 12', 'offline'), 'keyword');
    assert.equal(type('release nic0', 'nic0'), 'variable');
    assert.equal(type('smt 2 adjacent', 'adjacent'), 'keyword');
    assert.equal(type('device x { node', 'node'), 'property');
    assert.equal(type('{ spread }', 'spread'), 'property');
  });

  it('the formatter keeps v2 statements as they are, and is idempotent (property)', () => {
    const pieces = [
      'possible-cpus 0-127',
      'node 0 cpus 0-3,8-11',
      'smt 2 adjacent',
      'apic x2apic-phys',
      'ext-dest-id',
      'offline 12,4',
      'release nic0',
      'device nic0 { pci 0000:01:00.0; msix 4; node 0 }',
      'irq nic0.q[0..3] : msix { spread }',
      'irq nic0.q[0] : msix 0 { irte 40; inactive }',
    ];
    const formatted = (s: string) => S.formatText(s)!;
    const base = `arch x86\ncpus 0-7\n${pieces.join('\n')}\n`;
    // CPU lists stay tight, as LANGUAGE.md writes them (`0-3,8-11`)
    assert.equal(formatted(base), base);
    assert.equal(formatted('arch x86\ncpus 0-3, 8\noffline 2 ,3\n'), 'arch x86\ncpus 0-3,8\noffline 2,3\n');
    assert.equal(
      formatted(
        'domain V : vector { in-use 1, 7 : 0x21-0x24, 0x30 }\ndomain R : remap { scope 0000:00-7f,ioapic 2 }\n',
      ),
      'domain V : vector { in-use 1,7 : 0x21-0x24,0x30 }\ndomain R : remap { scope 0000:00-7f, ioapic 2 }\n',
    );
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...pieces), { minLength: 1, maxLength: 12 }),
        fc.array(fc.constantFrom(' ', '  ', '\t'), { minLength: 1, maxLength: 12 }),
        (ps, spaces) => {
          const text = ps.map((p, i) => p.replace(/ /g, spaces[i % spaces.length])).join('\n') + '\n';
          const once = S.formatText(text);
          if (once === undefined) return;
          assert.equal(S.formatText(once), once);
          assert.deepEqual(
            parse(once).ast.statements.map((s) => s.type),
            parse(text).ast.statements.map((s) => s.type),
          );
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('services v2: quick fixes remove their error', () => {
  /** Applies the fix titled like `title` for the first diagnostic of `code`, and re-analyses. */
  function apply(
    text: string,
    code: string,
    title: RegExp,
    uri = URI,
    message = /./,
  ): { out: string; after: Diagnostic[] } {
    const a = analyze(uri, text, { reader: diskReader });
    const d = a.diagnostics.find((x) => x.code === code && message.test(x.message));
    assert.ok(d, `a ${code} in the text`);
    const fixes = S.quickFixes(a, d);
    const fix = fixes.find((f) => title.test(f.title));
    assert.ok(fix, `a fix ${title} among ${fixes.map((f) => f.title).join(' | ')}`);
    const out = S.applyEdits(text, fix.edit[uri] ?? []);
    return { out, after: analyze(uri, out, { reader: diskReader }).diagnostics };
  }
  const stillHas = (ds: Diagnostic[], code: string) =>
    ds.filter((d) => d.code === code).map((d) => d.message);
  const fixture = (code: string) => {
    const file = FX('checks', code, 'fire.irqtopo');
    return { file, text: fs.readFileSync(file, 'utf8') };
  };

  it('ims-no-slots: adds slots N (its IMS interrupts)', () => {
    const { file, text } = fixture('ims-no-slots');
    const { out, after } = apply(text, 'ims-no-slots', /Add `slots 1`/, file);
    assert.match(out, /domain IMS-dsa0 : ims \{ parent IR-0; device dsa0; slots 1 \}/);
    assert.deepEqual(stillHas(after, 'ims-no-slots'), []);
    const t2 = `arch x86\nkernel 6.6\ncpus 0-3\ndomain VECTOR : vector\ndomain IR-0 : remap { parent VECTOR }
domain IMS-d : ims {\n  parent IR-0\n  device d\n}\ndevice d { pci 0000:01:00.0; ims IMS-d }\nirq d.wq[0..2] : ims\n`;
    const r = apply(t2, 'ims-no-slots', /Add `slots 3`/);
    assert.match(r.out, / {2}device d\n {2}slots 3\n\}/);
    assert.deepEqual(errors({ diagnostics: r.after } as S.AnalysisLike), []);
  });

  it('msix-index-range: raise the table, or use a free entry', () => {
    const { file, text } = fixture('msix-index-range');
    const raise = apply(text, 'msix-index-range', /msix 9/, file);
    assert.match(raise.out, /msix 9 \}/);
    assert.deepEqual(stillHas(raise.after, 'msix-index-range'), []);
    // q[0..3] took 0-3: entry 4 is the lowest free
    const lower = apply(text, 'msix-index-range', /Use MSI-X entry 4/, file);
    assert.match(lower.out, /irq nic0\.err : msix 4/);
    assert.deepEqual(errors({ diagnostics: lower.after } as S.AnalysisLike), []);
  });

  const cpuCases: [string, string, RegExp, RegExp | ((out: string) => boolean)][] = [
    // [name, text, fix title, what the text becomes]
    ['affinity, drop', 'irq d.q : msix { affinity 2-5 }', /Drop CPUs 4-5 from `affinity`/, /affinity 2-3 \}/],
    ['affinity, add', 'irq d.q : msix { affinity 2-5 }', /Add CPUs 4-5 to `cpus`/, /^cpus 0-5$/m],
    ['affinity, remove', 'irq d.q : msix { managed; affinity 6 }', /Remove `affinity`/, /msix \{ managed \}/],
    ['cpu pin', 'irq d.q : msix { cpu 7; vector 0x40 }', /Remove the pinned `cpu`/, /msix \{ vector 0x40 \}/],
    ['offline, drop', 'offline 2,9', /Drop CPU 9 from `offline`/, /^offline 2$/m],
    ['offline, remove', 'offline 9', /Remove the `offline` statement/, (out) => !out.includes('offline')],
    [
      'node, possible',
      'possible-cpus 0-3\nnode 0 cpus 0-5',
      /Add CPUs 4-5 to `possible-cpus`/,
      /possible-cpus 0-5/,
    ],
  ];
  for (const [name, extra, title, want] of cpuCases)
    it(`cpu-unknown: ${name}`, () => {
      const text = `arch x86\ncpus 0-3\ndomain VECTOR : vector\ndevice d { pci 0000:01:00.0; msix 2 }\n${extra}\n`;
      const { out, after } = apply(text, 'cpu-unknown', title);
      if (want instanceof RegExp) assert.match(out, want);
      else assert.ok(want(out), out);
      assert.deepEqual(stillHas(after, 'cpu-unknown'), []);
    });

  it('cpu-unknown: possible-cpus leaving out an online CPU, and in-use', () => {
    const t = 'arch x86\ncpus 0-3\npossible-cpus 0-2\ndomain VECTOR : vector { in-use 5 : 0x40 }\n';
    const a = analyzeText(t);
    assert.equal(a.diagnostics.filter((d) => d.code === 'cpu-unknown').length, 2);
    const p = apply(t, 'cpu-unknown', /Add CPU 3 to `possible-cpus`/, URI, /possible-cpus leaves out/);
    assert.match(p.out, /possible-cpus 0-3/);
    const t2 = 'arch x86\ncpus 0-3\ndomain VECTOR : vector { in-use 1,5 : 0x40 }\n';
    const q = apply(t2, 'cpu-unknown', /Drop CPU 5 from `in-use`/);
    const r = apply(t, 'cpu-unknown', /Remove this `in-use`/, URI, /in-use/);
    assert.match(r.out, /^domain VECTOR : vector$/m);
    assert.match(q.out, /in-use 1 : 0x40/);
    assert.deepEqual(stillHas(q.after, 'cpu-unknown'), []);
  });

  it('cpu-unknown: no "add" when nodes are given and the CPU would be in none', () => {
    const t =
      'arch x86\ncpus 0-3\nnode 0 cpus 0-3\ndomain VECTOR : vector\ndevice d { pci 0000:01:00.0; msix 2 }\nirq d.q : msix { affinity 2-5 }\n';
    const a = analyzeText(t);
    const fixes = S.quickFixes(
      a,
      a.diagnostics.find((d) => d.code === 'cpu-unknown')!,
    );
    assert.deepEqual(
      fixes.map((f) => f.title),
      ['Drop CPUs 4-5 from `affinity`'],
    );
  });

  it('an undeclared device in irq X.q: declare it, sized for its statements', () => {
    const t =
      'arch x86\nkernel 6.8\ncpus 0-3\ndomain VECTOR : vector\ndevice nic0 { pci 0000:01:00.0; msix 1 }\nirq nic0.q : msix\nirq nic9.q[0..3] : msix\nirq nic9.misc : msix 5\n';
    const { out, after } = apply(t, 'unknown-name', /Declare device 'nic9'/);
    // bus 01 is taken by nic0: the placeholder is 0000:02:00.0; MSI-X entries 0-3 and 5: 6 entries
    assert.match(out, /^device nic9 \{ pci 0000:02:00\.0; msix 6 \}\nirq nic9\.q/m);
    assert.deepEqual(
      after.filter((d) => d.severity === 'error').map((d) => d.message),
      [],
    );
    const msi = 'arch x86\ncpus 0-3\ndomain VECTOR : vector\nirq ahci.p[0..2] : msi\n';
    const m = apply(msi, 'unknown-name', /Declare device 'ahci'/);
    // three MSI vectors: the capability is a power of two, 4
    assert.match(m.out, /^device ahci \{ pci 0000:01:00\.0; msi 4 \}$/m);
    assert.deepEqual(stillHas(m.after, 'unknown-name'), []);
  });

  it('the new codes are listed as fixable', () => {
    for (const c of ['ims-no-slots', 'msix-index-range', 'cpu-unknown'])
      assert.ok((S.FIXABLE as readonly string[]).includes(c), c);
  });
});
