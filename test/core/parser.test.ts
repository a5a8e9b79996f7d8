import * as assert from 'node:assert/strict';
import type { DomainStatement, IrqStatement, Range } from '../../server/src/core';
import { KEYWORDS } from '../../server/src/core/syntax/names';
import { parseTree } from '../../server/src/core/syntax/parser';
import { analyzeText, codes, parseAst as parse } from './helpers';

const r = (l1: number, c1: number, l2: number, c2: number): Range => ({
  start: { line: l1, character: c1 },
  end: { line: l2, character: c2 },
});

describe('parser', () => {
  it('keeps every statement keyword in a file of many statements (the columns grow together)', () => {
    const lines = ['arch x86', 'cpus 0-3', 'domain V : vector'];
    for (let i = 0; i < 300; i++) lines.push(i % 2 ? `device d${i} { platform }` : `offline ${i % 4}`);
    const t = parseTree(lines.join('\n'));
    assert.equal(t.sCount, 303);
    const kws = [...Array(t.sCount).keys()].map((s) => KEYWORDS[t.sKw[s]]);
    assert.deepEqual(kws.slice(0, 3), ['arch', 'cpus', 'domain']);
    assert.deepEqual(kws.slice(299), ['offline', 'device', 'offline', 'device']);
    assert.ok(kws.every((k) => typeof k === 'string'));
  });

  it('parses a domain with exact LSP ranges', () => {
    const f = parse('arch x86\ndomain IR-0 : remap { parent VECTOR; vendor intel }\n');
    assert.deepEqual(f.errors, []);
    const d = f.statements[1] as DomainStatement;
    assert.equal(d.type, 'domain');
    assert.deepEqual(d.name.range, r(1, 7, 1, 11));
    assert.equal(d.kind?.value, 'remap');
    assert.deepEqual(d.kind?.range, r(1, 14, 1, 19));
    assert.deepEqual(
      d.block?.properties.map((p) => [
        p.name.value,
        p.groups.flat().map((a) => (a.kind === 'name' ? a.value : a.kind)),
      ]),
      [
        ['parent', ['VECTOR']],
        ['vendor', ['intel']],
      ],
    );
    assert.deepEqual(d.range, r(1, 0, 1, 51));
  });

  it('counts characters in UTF-16 code units, as LSP does', () => {
    // "é" is one UTF-16 unit, "𝔸" two: the comment ends at column 5, and the quoted name spans 7..12
    const f = parse('# é𝔸\ndevice "𝔸x" { platform }\n');
    assert.deepEqual(f.errors, []);
    const d = f.statements[0];
    assert.equal(d.type, 'device');
    if (d.type === 'device') assert.deepEqual(d.name.range, r(1, 7, 1, 12));
    assert.deepEqual(f.comments[0].range, r(0, 0, 0, 5));
  });

  it('reads names with / . + - whole, PCI addresses, bus ranges, versions, lists', () => {
    const f = parse(
      'kernel 6.8\ncpus 0-3,8,10..11\ndomain PCI/MSI-0 : pci-msi { parent IR-0 }\ndomain IR-0 : remap { scope 0000:00-7f, ioapic 2 }\ndevice n { pci 01:00.0 }\n',
    );
    assert.deepEqual(f.errors, []);
    const [kernel, cpus, dom, ir, dev] = f.statements;
    assert.equal(kernel.type === 'setting' && kernel.groups[0][0].kind, 'version');
    assert.deepEqual(cpus.type === 'setting' && cpus.groups.map((g) => g.map((a) => a.kind)), [
      ['range'],
      ['number'],
      ['range'],
    ]);
    assert.equal(dom.type === 'domain' && dom.name.value, 'PCI/MSI-0');
    const scope = ir.type === 'domain' ? ir.block!.properties[0].groups : [];
    assert.equal(scope[0][0].kind, 'busrange');
    if (scope[0][0].kind === 'busrange') assert.deepEqual([scope[0][0].first, scope[0][0].last], [0, 0x7f]);
    const pci = dev.type === 'device' ? dev.block!.properties[0].groups[0][0] : undefined;
    assert.equal(pci?.kind, 'pci');
    if (pci?.kind === 'pci') assert.deepEqual([pci.segment, pci.bus, pci.dev, pci.fn], [0, 1, 0, 0]);
  });

  it('splits DEVICE.NAME[RANGE] and keeps each part’s range', () => {
    const f = parse('irq nvme0.q[0..7] : msix { managed }\n');
    assert.deepEqual(f.errors, []);
    const irq = f.statements[0] as IrqStatement;
    assert.equal(irq.target.device.value, 'nvme0');
    assert.deepEqual(irq.target.device.range, r(0, 4, 0, 9));
    assert.equal(irq.target.name?.value, 'q');
    assert.deepEqual(irq.target.name?.range, r(0, 10, 0, 11));
    assert.deepEqual([irq.target.index?.first, irq.target.index?.last], [0, 7]);
    assert.equal(irq.source?.kind.value, 'msix');
  });

  it('parses expect clauses, a path, and inject', () => {
    const f = parse('expect d.q[1] path A > B > C cpu 3 vector 0x24\ninject 0xfee03000 0x24 from d\n');
    assert.deepEqual(f.errors, []);
    const e = f.statements[0];
    assert.deepEqual(e.type === 'expect' && e.clauses.map((c) => c.name.value), ['path', 'cpu', 'vector']);
    const i = f.statements[1];
    assert.equal(i.type === 'inject' && i.from?.value, 'd');
  });

  it('recovers: several syntax errors are each reported, and later statements still parse', () => {
    const text = [
      'arch x86', //
      'cpus 0-3',
      'domain VECTOR : vector',
      'domain IR-0 remap { parent VECTOR }', // missing ':'
      'bogus statement here', // unknown statement
      'device nvme0 { pci 0000:01:00.0; msix 4 }',
      'irq nvme0.q[0..1 : msix', // missing ']'
      'domain IMS-x : ims { parent "IR-PCI-MSIX-0000:01:00.0"; device nvme0; slots 4 }',
    ].join('\n');
    const a = analyzeText(text);
    const syntax = a.diagnostics.filter((d) => d.code === 'syntax').map((d) => d.range.start.line);
    assert.deepEqual(syntax, [3, 4, 6]);
    // the semantic error of the well-formed statement after them is still found
    assert.ok(
      a.diagnostics.some((d) => d.code === 'ims-parent-pci-msi' && d.range.start.line === 7),
      codes(a.diagnostics).join(),
    );
  });

  it('closes an unterminated block at the next top-level statement', () => {
    const f = parse('domain A : vector {\n  system-vectors 0x32\ndevice d { platform }\n');
    assert.equal(f.errors.length, 1);
    assert.match(f.errors[0].message, /missing '}'/);
    assert.deepEqual(
      f.statements.map((s) => s.type),
      ['domain', 'device'],
    );
  });

  it('reports an unterminated string and an invalid character at their place', () => {
    const f = parse('device "abc { platform }\ndevice x\u0001 { platform }\n');
    assert.ok(f.errors.some((e) => /unterminated string/.test(e.message) && e.range.start.line === 0));
    assert.ok(
      f.errors.some(
        (e) => /U\+0001/.test(e.message) && e.range.start.line === 1 && e.range.start.character === 8,
      ),
    );
  });

  it('keeps comments of both styles', () => {
    const f = parse('# one\narch x86 // two\n');
    assert.deepEqual(
      f.comments.map((c) => c.text),
      ['# one', '// two'],
    );
  });

  it('leaves an empty list item out (reported), so no value group is empty', () => {
    const f = parse('domain IR-0 : remap { scope , ioapic 8 }\n');
    assert.equal(f.errors.length, 1);
    assert.match(f.errors[0].message, /empty item/);
    const d = f.statements[0];
    const groups = d.type === 'domain' ? d.block!.properties[0].groups : [];
    assert.deepEqual(
      groups.map((g) => g.length),
      [2],
    );
  });

  it('a syntax error quotes at most 64 characters of a token, and says how long it is', () => {
    const long = 'dev' + 'n'.repeat(5000);
    for (const text of [
      `arch x86\nirq ${long} : msix\n`,
      `domain ${long} ${long}\n`,
      `node ${long}\n`,
      `domain X "${'q'.repeat(63)}\u{1F600}${'q'.repeat(100)}"\n`,
    ]) {
      const errors = parseTree(text).errors;
      assert.ok(errors.length > 0, text.slice(0, 40));
      for (const e of errors) {
        assert.ok(e.message.length < 400, e.message.slice(0, 200));
        assert.doesNotMatch(e.message, /[\ud800-\udbff](?![\udc00-\udfff])/, 'no half surrogate pair');
      }
      assert.ok(
        errors.some((e) => /…['"] \([\d,]+ characters\)/.test(e.message)),
        errors[0].message,
      );
    }
  });
});
