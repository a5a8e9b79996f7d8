// The language services (server/src/core/services): pure functions over an analysis.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { analyze, parse, type Diagnostic, type Position } from '../../server/src/core';
import * as S from '../../server/src/core/services';
import { ROOT, diskReader } from './helpers';

const EX = (name: string) => path.join(ROOT, 'examples', name);
const FX = (...p: string[]) => path.join(ROOT, 'test', 'fixtures', ...p);

function load(file: string): { a: S.AnalysisLike; text: string; uri: string } {
  const text = fs.readFileSync(file, 'utf8');
  return { a: analyze(file, text, { reader: diskReader }), text, uri: file };
}

function fromText(text: string, uri = '/virtual/t.irqtopo'): S.AnalysisLike {
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
  const line = before.split('\n').length - 1;
  return { line, character: before.length - (before.lastIndexOf('\n') + 1) };
}

function codes(ds: readonly Diagnostic[]): string[] {
  return ds.map((d) => d.code);
}

describe('services: hover', () => {
  const { a, text, uri } = load(EX('two-ir-units.irqtopo'));

  it('on a domain: kind, parent chain to the root, usage and the parent rule', () => {
    const h = S.hover(a, uri, at(text, 'domain IR-1', 8))!;
    assert.ok(h, 'a hover');
    assert.match(h.contents, /\*\*IR-1\*\* : `remap`/);
    assert.match(h.contents, /Parent chain: IR-1 → VECTOR/);
    assert.match(h.contents, /Parent rule: the root \(VECTOR\)/);
    if (a.simulation) assert.match(h.contents, /Usage: IRTE \d+\/65536/);
  });

  it('on an implied domain named in an expect path', () => {
    const h = S.hover(a, uri, at(text, '"IR-PCI-MSIX-0000:31:00.0"', 3))!;
    assert.match(h.contents, /per-device domain implied by `nvme0`/);
    assert.match(h.contents, /IR-PCI-MSIX-0000:31:00.0 → IR-0 → VECTOR/);
  });

  it('on an interrupt: its route and message', () => {
    const h = S.hover(a, uri, at(text, 'irq nvme0.admin', 11))!;
    assert.match(h.contents, /nvme0\.admin/);
    assert.match(h.contents, /Route: IR-PCI-MSIX-0000:31:00.0 → IR-0 → VECTOR/);
    if (a.simulation) {
      assert.match(h.contents, /CPU 0 · 0x21 · IRTE 0/); // derivation: examples/two-ir-units.irqtopo
      assert.match(h.contents, /Message: address 0xfee00018, data 0x0/);
    }
  });

  it('on an index range: the interrupts of that statement', () => {
    const h = S.hover(a, uri, at(text, 'irq nvme0.io[1]', 11))!;
    assert.match(h.contents, /nvme0\.io\[1\]/);
    assert.doesNotMatch(h.contents, /nvme0\.io\[2\]/);
  });

  it('on a keyword, a property and a kind: what it means', () => {
    assert.match(S.hover(a, uri, at(text, 'scope 0000:00-7f'))!.contents, /INCLUDE_PCI_ALL/);
    assert.match(S.hover(a, uri, at(text, 'kernel 6.6'))!.contents, /version-gated/);
    assert.match(S.hover(a, uri, at(text, ': remap', 3))!.contents, /interrupt-remapping unit/);
    assert.match(S.hover(a, uri, at(text, 'managed;', 1))!.contents, /PCI_IRQ_AFFINITY/);
  });

  it('on a device: its PCI address and message domain', () => {
    const h = S.hover(a, uri, at(text, 'device nvme0', 8))!;
    assert.match(h.contents, /PCI 0000:31:00.0/);
    assert.match(h.contents, /Message domain: IR-PCI-MSIX-0000:31:00.0 → IR-0 → VECTOR/);
  });

  it('nothing on blank space or a comment', () => {
    assert.equal(S.hover(a, uri, { line: 0, character: 3 }), undefined);
  });
});

describe('services: completion', () => {
  const { a } = load(EX('two-ir-units.irqtopo'));
  const m = a.model;
  const complete = (src: string) => {
    const lines = src.split('\n');
    const p = { line: lines.length - 1, character: lines[lines.length - 1].length };
    return S.completions(m, lines, p);
  };
  const labels = (items: S.CompletionItem[]) => items.map((i) => i.label);
  const sorted = (items: S.CompletionItem[]) =>
    [...items].sort((x, y) => (x.sortText < y.sortText ? -1 : 1)).map((i) => i.label);

  it('statements at the start of a line', () => {
    const l = labels(complete(''));
    for (const k of ['arch', 'domain', 'device', 'irq', 'expect', 'inject', 'include'])
      assert.ok(l.includes(k), k);
  });

  it("kinds after `domain NAME :`, the arch's kinds first", () => {
    const items = complete('domain X : ');
    assert.ok(labels(items).includes('ims'));
    const s = sorted(items);
    assert.ok(s.indexOf('vector') < s.indexOf('gic'), 'x86 kinds before arm64 ones');
  });

  it('properties valid for the kind inside a block, not the ones already given', () => {
    const l = labels(complete('domain IR-9 : remap {\n  '));
    assert.deepEqual(l.sort(), ['entries', 'multi-msi', 'no-multi-msi', 'parent', 'scope', 'vendor'].sort());
    const ims = labels(complete('domain IMS-x : ims {\n  parent IR-0; slots 8\n  '));
    assert.deepEqual(ims, ['device']);
    assert.ok(!labels(complete('device x {\n  ')).includes('parent'));
    assert.ok(labels(complete('irq nvme0.q : msix { ')).includes('affinity'));
  });

  it('after `parent`: only legal parents, the covering unit first', () => {
    const items = complete('domain IMS-new : ims {\n  parent ');
    const l = labels(items);
    assert.ok(l.includes('IR-0') && l.includes('IR-1') && l.includes('VECTOR'));
    assert.ok(
      !l.includes('DMAR-MSI') && !l.includes('IO-APIC-8') && !l.some((x) => x.includes('PCI-MSIX')),
      l.join(','),
    );
    // dmar-msi: the root only
    assert.deepEqual(labels(complete('domain D : dmar-msi { parent ')), ['VECTOR']);
    // an existing IMS domain whose device sits under IR-1: IR-1 first
    const s = sorted(complete('domain IMS-dsa1 : ims {\n  parent '));
    assert.equal(s[0], 'IR-1');
  });

  it('names valid at the cursor, then CPU lists', () => {
    assert.ok(labels(complete('device x { ims ')).every((n) => n.startsWith('IMS-')));
    assert.ok(labels(complete('irq ')).includes('nvme0'));
    assert.ok(labels(complete('expect ')).includes('nvme0.io'));
    assert.ok(labels(complete('irq nvme0.q : msix { affinity ')).includes('0-31'));
    assert.ok(labels(complete('irq nvme0.q : ')).includes('msix'));
    assert.ok(labels(complete('expect nvme0.io[1] path ')).includes('IR-PCI-MSIX-0000:31:00.0'));
    const q = complete('expect nvme0.io[1] path ').find((i) => i.label === 'IR-PCI-MSIX-0000:31:00.0')!;
    assert.equal(q.insertText, '"IR-PCI-MSIX-0000:31:00.0"', 'names that need quotes are inserted quoted');
  });

  it('never throws on arbitrary text and positions', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), fc.nat(), (s, n) => {
        const lines = s.split('\n');
        const line = n % lines.length;
        S.completions(m, lines, { line, character: n % (lines[line].length + 1) });
      }),
      { numRuns: 300 },
    );
  });
});

describe('services: navigation and rename', () => {
  const machine = FX('lsp', 'machine.irqtopo');
  const platform = FX('lsp', 'platform.irqtopo');
  const { a, text } = load(machine);
  const m = a.model;

  it('definition of a domain declared in an included file', () => {
    const s = S.symbolAt(m, machine, at(text, 'parent IR-0', 8))!;
    assert.equal(s.kind, 'domain');
    const d = S.definition(m, s);
    assert.equal(d.length, 1);
    assert.equal(d[0].uri, platform);
    assert.equal(d[0].range.start.line, 6);
  });

  it('an interrupt name and a device name in `irq dev.name`', () => {
    const dev = S.symbolAt(m, machine, at(text, 'irq nvme0.io', 5))!;
    assert.equal(dev.kind, 'device');
    assert.equal(dev.name, 'nvme0');
    const irq = S.symbolAt(m, machine, at(text, 'irq nvme0.io', 11))!;
    assert.equal(irq.kind, 'irq');
    assert.equal(irq.name, 'nvme0.io');
    assert.ok(irq.declaration);
  });

  it('references and rename of a domain reach the file that declares it', () => {
    const s = S.symbolAt(m, machine, at(text, 'parent IR-0', 8))!;
    const occ = S.occurrences(m, s.kind, s.name);
    assert.deepEqual(new Set(occ.map((o) => o.uri)), new Set([machine, platform]));
    const edits = S.renameEdits(s, 'IR-A', occ);
    const after = S.applyEdits(fs.readFileSync(platform, 'utf8'), edits[platform]);
    assert.match(after, /domain IR-A : remap/);
    const main = S.applyEdits(text, edits[machine]);
    const re = analyze(machine, main, { reader: (u) => (u === platform ? after : diskReader(u)) });
    assert.deepEqual(
      codes(re.diagnostics).filter((c) => c === 'unknown-name'),
      [],
    );
  });

  it('renaming an interrupt edits the irq and the expect, not the device', () => {
    const s = S.symbolAt(m, machine, at(text, 'irq nvme0.admin', 11))!;
    const edits = S.renameEdits(s, 'adminq', S.occurrences(m, s.kind, s.name));
    const out = S.applyEdits(text, edits[machine]);
    assert.match(out, /irq nvme0\.adminq : msix 0/);
    assert.match(out, /expect nvme0\.adminq cpu 0/);
    assert.equal(S.checkNewName([m], s, 'a.b') !== undefined, true, 'a dot cannot be in an interrupt name');
    assert.equal(S.checkNewName([m], s, 'io') !== undefined, true, 'taken');
  });

  it('renaming a device to a name that needs quotes quotes it everywhere', () => {
    const s = S.symbolAt(m, machine, at(text, 'device nvme0', 8))!;
    const edits = S.renameEdits(s, 'nvme 0', S.occurrences(m, s.kind, s.name));
    const out = S.applyEdits(text, edits[machine]);
    assert.match(out, /device "nvme 0" \{/);
    assert.match(out, /irq "nvme 0"\.io\[0\.\.3\]/);
    const re = analyze(machine, out, { reader: diskReader });
    assert.deepEqual(
      codes(re.diagnostics).filter((c) => c !== 'unused-domain'),
      [],
    );
  });

  it('prepareRename refuses implied domains and blank space', () => {
    const ex = load(EX('two-ir-units.irqtopo'));
    const r = S.prepareRename(ex.a.model, ex.uri, at(ex.text, '"IR-PCI-MSIX-0000:31:00.0"', 3));
    assert.ok('error' in r && /PCI address/.test(r.error));
    assert.ok('error' in S.prepareRename(m, machine, { line: 0, character: 0 }));
    const ok = S.prepareRename(m, machine, at(text, 'parent IR-0', 8));
    assert.ok('placeholder' in ok && ok.placeholder === 'IR-0');
  });

  it('document highlights mark the declaration as a write', () => {
    const hs = S.documentHighlights(m, machine, at(text, 'device dsa0', 8));
    assert.ok(hs.length >= 3);
    assert.equal(hs.filter((h) => h.write).length, 1);
  });
});

describe('services: structure', () => {
  const { a, text, uri } = load(EX('two-ir-units.irqtopo'));

  it('the outline is the domain tree, then the devices with their interrupts', () => {
    const syms = S.documentSymbols(a.model, uri);
    const vector = syms.find((s) => s.name === 'VECTOR')!;
    assert.ok(vector, 'the root at the top');
    const ir0 = vector.children.find((s) => s.name === 'IR-0')!;
    assert.ok(ir0.children.some((c) => c.name === 'IMS-dsa0'));
    assert.ok(
      ir0.children.some((c) => c.name === 'IR-PCI-MSIX-0000:31:00.0'),
      'implied domains under their unit',
    );
    const nvme = syms.find((s) => s.name === 'nvme0' && s.kind === 'device')!;
    assert.deepEqual(
      nvme.children.map((c) => c.name),
      ['admin', 'io[0]', 'io[1]', 'io[2]', 'io[3]'],
    );
  });

  it('workspace symbols from a parsed file, with a fuzzy query', () => {
    const syms = S.fileSymbols(parse(text, uri));
    assert.ok(syms.some((s) => s.name === 'IR-0' && s.kind === 'domain'));
    assert.ok(S.matchesQuery('IMS-dsa0', 'imsd0'));
    assert.ok(!S.matchesQuery('IR-0', 'ims'));
  });

  it('folds multi-line blocks and comment runs', () => {
    const f = parse(text, uri);
    const folds = S.foldingRanges(f);
    const ir0 = at(text, 'domain IR-0').line;
    assert.ok(folds.some((r) => r.startLine === ir0 && r.endLine === ir0 + 3));
    assert.ok(folds.some((r) => r.kind === 'comment' && r.startLine === 0));
  });

  it('selection ranges grow from a name to the whole file', () => {
    const f = parse(text, uri);
    let s: S.SelectionRange | undefined = S.selectionRange(f, at(text, 'vendor intel', 8));
    const sizes: string[] = [];
    while (s) {
      sizes.push(
        `${s.range.start.line}:${s.range.start.character}-${s.range.end.line}:${s.range.end.character}`,
      );
      s = s.parent;
    }
    assert.ok(sizes.length >= 4, sizes.join(' '));
  });

  it('semantic tokens: domains coloured by class, in order, non-overlapping', () => {
    const data = S.semanticTokens(a.model, uri);
    assert.equal(data.length % 5, 0);
    let line = 0;
    let ch = 0;
    const types = new Map<string, string>();
    const lines = text.split('\n');
    for (let i = 0; i < data.length; i += 5) {
      line += data[i];
      ch = data[i] === 0 ? ch + data[i + 1] : data[i + 1];
      assert.ok(data[i] >= 0 && data[i + 2] > 0);
      types.set(lines[line].slice(ch, ch + data[i + 2]), S.TOKEN_TYPES[data[i + 3]]);
    }
    assert.equal(types.get('VECTOR'), 'namespace');
    assert.equal(types.get('IR-0'), 'class');
    assert.equal(types.get('IMS-dsa0'), 'struct');
    assert.equal(types.get('IO-APIC-8'), 'enum');
    assert.equal(types.get('nvme0'), 'variable');
  });
});

describe('services: formatter', () => {
  const files = [
    ...fs.readdirSync(path.join(ROOT, 'examples')).map((f) => EX(f)),
    FX('lsp', 'machine.irqtopo'),
    ...fs
      .readdirSync(FX('checks'))
      .flatMap((d) => ['fire.irqtopo', 'near-miss.irqtopo'].map((f) => FX('checks', d, f))),
  ].filter((f) => fs.existsSync(f) && f.endsWith('.irqtopo'));

  it('is idempotent and keeps the meaning and every comment, on every example and fixture', () => {
    let formatted = 0;
    for (const f of files) {
      const text = fs.readFileSync(f, 'utf8');
      const once = S.formatText(text);
      if (once === undefined) {
        assert.ok(parse(text).tree.errors.length > 0, `${f}: refused without a syntax error`);
        continue;
      }
      formatted++;
      assert.equal(S.formatText(once), once, `${f}: not idempotent`);
      const p1 = parse(text);
      const p2 = parse(once);
      assert.deepEqual(p2.errors, [], `${f}: formatting broke the syntax`);
      assert.deepEqual(
        p2.ast.comments.map((c) => c.text.trimEnd()),
        p1.ast.comments.map((c) => c.text.trimEnd()),
        `${f}: comments`,
      );
      const d1 = analyze(f, text, { reader: diskReader })
        .diagnostics.map((d) => `${d.code}:${d.message}`)
        .sort();
      const d2 = analyze(f, once, { reader: diskReader })
        .diagnostics.map((d) => `${d.code}:${d.message}`)
        .sort();
      assert.deepEqual(d2, d1, `${f}: the diagnostics changed`);
    }
    assert.ok(formatted > 10);
  });

  it('has one canonical layout', () => {
    const src =
      'arch   x86;cpus 0 - 3 , 5\n\n\n\ndomain V:vector\ndomain IR-0 : remap {parent V;   vendor intel}   # unit 0\ndomain IMS : ims {\n\n   parent IR-0 # here\n slots   8\n\n}\n';
    const want =
      'arch x86\ncpus 0-3,5\n\ndomain V : vector\ndomain IR-0 : remap { parent V; vendor intel }  # unit 0\ndomain IMS : ims {\n  parent IR-0  # here\n  slots 8\n}\n';
    assert.equal(S.formatText(src), want);
    assert.deepEqual(S.formatEdits(want), []);
    assert.equal(S.formatText('domain X : {'), undefined, 'a file with syntax errors is left alone');
  });

  it('is idempotent on random edits of an example (property)', () => {
    const base = fs.readFileSync(EX('two-ir-units.irqtopo'), 'utf8');
    const pieces = [' ', '\n', ';', '{', '}', '# c\n', '  ', 'parent IR-0', ',', '\n\n'];
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(base.length), fc.constantFrom(...pieces)), { maxLength: 6 }),
        (ins) => {
          let t = base;
          for (const [i, s] of ins) t = t.slice(0, i % (t.length + 1)) + s + t.slice(i % (t.length + 1));
          const once = S.formatText(t);
          if (once === undefined) return;
          assert.equal(S.formatText(once), once);
          assert.deepEqual(parse(once).ast.comments.length, parse(t).ast.comments.length);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('services: code actions', () => {
  /** Applies the fix for the first diagnostic with the code; the code must then be gone. */
  function fixes(file: string, code: string): string {
    const { a, text, uri } = load(file);
    const diag = a.diagnostics.find((d) => d.code === code);
    assert.ok(diag, `${file} reports ${code}`);
    const actions = S.quickFixes(a, diag);
    assert.equal(actions.length, 1, `one fix for ${code}`);
    const out = S.applyEdits(text, actions[0].edit[uri] ?? []);
    const re = analyze(uri, out, { reader: diskReader });
    assert.deepEqual(
      codes(re.diagnostics).filter((c) => c === code),
      [],
      `${code} is gone after "${actions[0].title}":\n${out}`,
    );
    assert.deepEqual(
      re.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.code}: ${d.message}`),
      [],
      'and no new error',
    );
    return out;
  }

  it('ims-parent-pci-msi: reparents to the IR unit above the PCI/MSI domain', () => {
    assert.match(
      fixes(FX('checks', 'ims-parent-pci-msi', 'fire.irqtopo'), 'ims-parent-pci-msi'),
      /parent IR-0; slots 8/,
    );
    assert.match(fixes(EX('ims-under-pci-msi.irqtopo'), 'ims-parent-pci-msi'), /parent IR-0 {3}#/);
  });

  it('ims-shared: splits into per-device domains', () => {
    const out = fixes(FX('checks', 'ims-shared', 'fire.irqtopo'), 'ims-shared');
    assert.match(out, /domain IMS-dsa1 : ims \{ parent IR-0; slots 16; device dsa1 \}/);
    assert.match(out, /device dsa1 \{ pci 0000:e7:01.0; ims IMS-dsa1 \}/);
  });

  it('remap-scope-mismatch: reparents to the covering unit', () => {
    fixes(FX('checks', 'remap-scope-mismatch', 'fire.irqtopo'), 'remap-scope-mismatch');
  });

  it('dmar-msi-under-remap: reparents to the vector domain', () => {
    assert.match(
      fixes(FX('checks', 'dmar-msi-under-remap', 'fire.irqtopo'), 'dmar-msi-under-remap'),
      /parent VECTOR/,
    );
  });

  it('virtual-msix: moves the interrupts into a per-device ntb domain', () => {
    const out = fixes(FX('checks', 'virtual-msix', 'fire.irqtopo'), 'virtual-msix');
    assert.match(out, /domain NTB-ntb0 : ntb \{ parent VECTOR; device ntb0 \}/);
    assert.match(out, /irq ntb0.peer : window 0/);
    fixes(EX('ntb-virtual.irqtopo'), 'virtual-msix');
  });

  it('unknown-name: did you mean', () => {
    const text =
      'arch x86\ncpus 0-3\ndomain VECTOR : vector\ndomain IR-0 : remap { parent VECTR }\ndevice d { pci 00:01.0; msix 2 }\nirq d.q : msix 0\nexpect d.qq cpu 0\n';
    const a = fromText(text);
    const diags = a.diagnostics.filter((d) => d.code === 'unknown-name');
    assert.equal(diags.length, 2);
    let out = text;
    for (const d of diags) out = S.applyEdits(out, S.quickFixes(a, d)[0].edit['/virtual/t.irqtopo']);
    assert.match(out, /parent VECTOR \}/);
    assert.match(out, /expect d\.q cpu 0/);
    assert.deepEqual(
      codes(fromText(out).diagnostics).filter((c) => c === 'unknown-name'),
      [],
    );
  });

  it('fix-all applies every unambiguous fix at once', () => {
    const text = fs
      .readFileSync(FX('checks', 'ims-parent-pci-msi', 'fire.irqtopo'), 'utf8')
      .replace('parent VECTOR;', 'parent VECTR;');
    const uri = FX('checks', 'ims-parent-pci-msi', 'fire.irqtopo');
    const a = analyze(uri, text, { reader: diskReader });
    assert.ok(codes(a.diagnostics).includes('unknown-name'));
    const all = S.fixAll(a, uri)!;
    assert.ok(all && all.kind === 'source.fixAll');
    const out = S.applyEdits(text, all.edit[uri]);
    const re = analyze(uri, out, { reader: diskReader });
    assert.deepEqual(
      codes(re.diagnostics).filter((c) => c === 'unknown-name' || c === 'ims-parent-pci-msi'),
      [],
    );
  });
});

describe('services: the simulation in the text and the custom payloads', () => {
  const { a, uri } = load(EX('two-ir-units.irqtopo'));

  it('inlay hints per irq with the placement', function () {
    assert.ok(a.simulation, 'the example simulates');
    const hints = S.inlayHints(a, uri);
    const admin = hints.find((h) => h.tooltip.includes('nvme0.admin'))!;
    assert.equal(admin.label, '→ CPU 0 · 0x21 · IRTE 0'); // derived in examples/two-ir-units.irqtopo
    assert.ok(hints.length >= 20);
  });

  it('code lenses on devices and interrupts run irqtopo.showRoute', () => {
    const lenses = S.codeLenses(a, uri, { interrupts: true });
    const nvme = lenses.find((l) => l.args.device === 'nvme0' && l.args.irqs.length === 5)!;
    assert.equal(nvme.command, 'irqtopo.showRoute');
    assert.ok(lenses.some((l) => l.args.irqs.length === 1 && l.args.irqs[0] === 'nvme0.admin'));
  });

  it('domain tree: root first, usage and problem counts', () => {
    const t = S.domainTree(a);
    assert.equal(t.roots[0].name, 'VECTOR');
    const ir0 = t.roots[0].children.find((c) => c.name === 'IR-0')!;
    assert.ok(ir0.children.some((c) => c.name === 'IMS-dsa0'));
    if (a.simulation) assert.equal(ir0.usage?.resource, 'IRTE');
    assert.deepEqual(ir0.problems, { error: 0, warning: 0, information: 0, hint: 0 });
    JSON.stringify(t); // plain data
  });

  it('routes: device -> interrupt -> hops', () => {
    const r = S.routes(a);
    const nvme = r.devices.find((d) => d.device === 'nvme0')!;
    assert.equal(nvme.irqs.length, 5);
    assert.deepEqual(nvme.irqs[0].path, ['IR-PCI-MSIX-0000:31:00.0', 'IR-0', 'VECTOR']);
    if (a.simulation) {
      assert.equal(nvme.irqs[0].cpu, 0);
      assert.equal(nvme.irqs[0].vector, 0x21); // derived in examples/two-ir-units.irqtopo
      assert.ok(nvme.irqs[0].hops.length === 3);
    }
  });

  it('diagram: nodes and edges with source ranges, problems per node', () => {
    const bad = load(EX('ims-under-pci-msi.irqtopo'));
    const d = S.diagram(bad.a);
    const ims = d.nodes.find((n) => n.id === 'domain:IMS-dsa0')!;
    assert.deepEqual(
      ims.problems.map((p) => p.code),
      ['ims-parent-pci-msi'],
    );
    const e = d.edges.find((x) => x.from === 'domain:IMS-dsa0' && x.type === 'parent')!;
    assert.equal(e.to, 'domain:IR-PCI-MSIX-0000:6a:01.0');
    assert.equal(e.range.start.line, at(bad.text, '"IR-PCI-MSIX-0000:6a:01.0"').line);
    assert.ok(d.edges.some((x) => x.from === 'device:nvme0' && x.type === 'msi-domain'));
    if (bad.a.simulation) assert.ok(d.cpus.length === 32);
    JSON.parse(JSON.stringify(d));
  });
});
