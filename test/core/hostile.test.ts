// Issue 13's hostile inputs for the language core: each one an input and the answer it must get (a
// clear error at its place, the rest analysed). That they answer quickly is measured by `npm run
// bench` and the CLI figures in the issue note, never asserted here; mocha's timeout only catches a
// hang.
import * as assert from 'node:assert/strict';
import { analyze, publish, type Finding } from '../../server/src/core';
import { MAX_FINDINGS_PER_FILE, MAX_MESSAGE, MAX_RELATED } from '../../server/src/core/diagnostics';
import { completions, documentSymbols, formatEdits } from '../../server/src/core/services';
import { applyEdits } from '../../server/src/core/services/util';
import {
  MAX_FILES,
  MAX_INCLUDE_CHARS,
  MAX_INCLUDE_DEPTH,
  MAX_IRQS,
  MAX_PARENT_DEPTH,
  MAX_STATEMENTS,
} from '../../server/src/core/model/limits';

const HEAD = 'arch x86\ncpus 0-7\ndomain VECTOR : vector\n';
const URI = '/virtual/hostile.irqtopo';

function run(text: string) {
  const a = analyze(URI, text);
  const byCode = new Map<string, number>();
  for (const d of a.diagnostics) byCode.set(d.code, (byCode.get(d.code) ?? 0) + 1);
  return { a, byCode, d: a.diagnostics };
}

describe('hostile inputs (issue 13): the core answers each with a clear error', function () {
  this.timeout(60_000);

  it('apic-ids `0-65535,` x 2,100 (16.8 KB): one error at the list, no crash', () => {
    const { d } = run(`${HEAD}apic-ids ${'0-65535,'.repeat(2100)}0\n`);
    const e = d.filter((x) => x.severity === 'error' && x.range.start.line === 3);
    assert.ok(e.length >= 1 && e.length <= 2, e.map((x) => x.message).join('\n'));
    assert.ok(e.every((x) => x.message.length < 400));
  });

  it('a parent cycle of 2,000 domains: one parent-cycle finding, its related places capped', () => {
    const text =
      HEAD +
      Array.from({ length: 2000 }, (_, i) => `domain D${i} : remap { parent D${(i + 1) % 2000} }\n`).join('');
    const { d } = run(text);
    const cyc = d.filter((x) => x.code === 'parent-cycle');
    assert.equal(cyc.length, 1);
    assert.match(cyc[0].message, /D0 -> D1 -> .* -> … -> D1999 -> D0, 2000 domains/);
    assert.ok((cyc[0].related?.length ?? 0) <= 21, `${cyc[0].related?.length} related`);
    assert.ok(JSON.stringify(d).length < 2_000_000, 'the published diagnostics stay small');
  });

  it(`30 x irq d.q[0..65535] : virtual: the statements beyond ${MAX_IRQS} interrupts are errors, the rest simulated`, () => {
    const text = `${HEAD}device d { pci 0000:01:00.0; msix 8 }\n${'irq d.q[0..65535] : virtual\n'.repeat(30)}`;
    const { a, d } = run(text);
    const budget = d.filter((x) => x.code === 'bad-value' && /budget/.test(x.message));
    // 2^20 / 65,536 = 16 statements fit; the 14 others do not (the first 15 later duplicate names: the
    // same d.q[0..65535] declared again)
    assert.equal(budget.length, 30 - MAX_IRQS / 65536);
    assert.ok(a.simulation, 'the rest is simulated');
  });

  it('65,536 virtual interrupts on 8,192 CPUs: every one placed', () => {
    const text =
      'arch x86\ncpus 0-8191\ndomain VECTOR : vector\ndevice d { pci 0000:01:00.0; msix 8 }\nirq d.q[0..65535] : virtual\n';
    const { a } = run(text);
    const sim = a.simulation!;
    assert.equal(sim.routes.length, 65536);
    assert.equal(
      sim.routes.filter((r) => r.failure).length,
      0,
      '8,192 CPUs x 201 vectors hold 65,536 interrupts',
    );
    // entries beyond the 8-entry table: 8, 9, ... (PCI_IRQ_VIRTUAL), each once
    assert.equal(sim.routes[65535].hops[0].hwirq, 8 + 65535);
  });

  it('two 30,000-character names: the name budget, not a slow "did you mean"', () => {
    const { d } = run(
      `${HEAD}domain ${'a'.repeat(30000)} : remap { parent VECTOR }\ndomain y : ioapic { parent ${'a'.repeat(29999)}b }\n`,
    );
    assert.match(
      d.find((x) => x.code === 'bad-value')!.message,
      /a name of 30000 characters: names are at most 1024/,
    );
  });

  it(`a parent chain 10,000 deep: one bad-value at the domain ${MAX_PARENT_DEPTH + 1} below the root`, () => {
    const text =
      HEAD +
      'domain D0 : remap { parent VECTOR }\n' +
      Array.from({ length: 10000 }, (_, i) => `domain D${i + 1} : ioapic { parent D${i} }\n`).join('');
    const { a, d } = run(text);
    const deep = d.filter((x) => x.code === 'bad-value' && /domains below the root/.test(x.message));
    assert.equal(deep.length, 1);
    // VECTOR is depth 1, D0 depth 2, so D(n) is at depth n + 2: the first beyond the budget is D63
    assert.match(
      deep[0].message,
      new RegExp(`^'D${MAX_PARENT_DEPTH - 1}' is more than ${MAX_PARENT_DEPTH} domains`),
    );
    // the Outline: every domain once, nested at most as deep as the budget (JSON.stringify and the
    // client recurse over it)
    let count = 0;
    let deepest = 0;
    const todo = documentSymbols(a.model, URI).map((x) => ({ x, depth: 1 }));
    while (todo.length) {
      const { x, depth } = todo.pop()!;
      if (x.kind === 'domain') count++;
      deepest = Math.max(deepest, depth);
      for (const c of x.children) todo.push({ x: c, depth: depth + 1 });
    }
    assert.equal(count, 10002);
    assert.ok(deepest <= MAX_PARENT_DEPTH + 1, `nested ${deepest} deep`);
  });

  it('a comment ended by a lone CR does not swallow the next statement', () => {
    const { a, d } = run(`${HEAD}# comment\rdevice d { pci 0000:01:00.0; msix 8 }\rirq d.q[0] : msix\n`);
    assert.deepEqual(d, []);
    assert.equal(a.simulation?.routes.length, 1);
    assert.equal(a.diagnostics.length, 0);
  });

  it('apic-ids 4,4: two CPUs cannot share an APIC ID (bad-value)', () => {
    const { d } = run('arch x86\ncpus 0-1\napic-ids 4,4\ndomain VECTOR : vector\n');
    assert.deepEqual(
      d.map((x) => x.code),
      ['bad-value'],
    );
    assert.match(d[0].message, /APIC ID 4 to CPU 0 and to CPU 1/);
  });

  it('a leading BOM: skipped by the parser, but a character of line 0 as LSP clients count it', () => {
    const { a, d } = run(`\ufeff${HEAD}domain IR : remap { parent NOPE }\n`);
    assert.equal(a.model.arch, 'x86');
    const e = d.find((x) => x.code === 'unknown-name')!;
    assert.deepEqual(e.range.start, { line: 3, character: 27 });
    // the first statement starts after the BOM: character 1 of line 0
    const f = analyze(URI, '\ufeffarch x99\n').diagnostics[0];
    assert.deepEqual(f.range.start, { line: 0, character: 6 });
  });

  it('more than 8,192 CPUs (NR_CPUS) and node 1024 (MAX_NUMNODES): bad-value at the value', () => {
    const cpus = run('arch x86\ncpus 0-8192\ndomain VECTOR : vector\n').d.filter(
      (x) => x.code === 'bad-value',
    );
    assert.deepEqual(
      cpus.map((x) => [x.message, x.range.start]),
      [['the online CPUs: 0-8192 goes above the limit 8191', { line: 1, character: 5 }]],
    );
    const node = run('arch x86\ncpus 0-3\nnode 1024 cpus 0\ndomain VECTOR : vector\n').d;
    assert.deepEqual(
      node.map((x) => x.message),
      ['node 1024: node numbers run from 0 to 1023 (MAX_NUMNODES)'],
    );
  });

  it(`a file with 5,000 findings publishes its first ${MAX_FINDINGS_PER_FILE}, then one summary per code`, () => {
    const text =
      HEAD +
      Array.from({ length: 2500 }, (_, i) => `domain U${i} : ioapic { parent NOPE${i} }\n`).join('') +
      'cpus 0\n'.repeat(10);
    const { d, a } = run(text);
    const findings = a.findings.length;
    assert.ok(findings > MAX_FINDINGS_PER_FILE + 2000, `${findings} findings`);
    assert.equal(
      d.length,
      MAX_FINDINGS_PER_FILE + new Set(d.slice(MAX_FINDINGS_PER_FILE).map((x) => x.code)).size,
    );
    const summaries = d.slice(MAX_FINDINGS_PER_FILE);
    assert.deepEqual(
      summaries.map((x) => x.code).sort(),
      [...new Set(summaries.map((x) => x.code))].sort(),
      'one summary per code',
    );
    const unknown = summaries.find((x) => x.code === 'unknown-name')!;
    assert.match(
      unknown.message,
      new RegExp(
        `^\\d+ more \`unknown-name\` findings from here on are not shown: a file shows its first ${MAX_FINDINGS_PER_FILE} findings, then one summary per code\\. The first hidden one: no domain is named 'NOPE\\d+'`,
      ),
    );
    // the published ones are the first in the text
    assert.ok(
      d.slice(0, MAX_FINDINGS_PER_FILE).every((x) => x.range.start.line < summaries[0].range.start.line + 1),
    );
  });

  it(`a finding with 5,000 related places publishes ${MAX_RELATED} of them and one that counts the rest`, () => {
    const { a } = run(HEAD);
    const file = a.model.files[0];
    const f: Finding = {
      file,
      uri: file.uri,
      start: 0,
      end: 4,
      severity: 'error',
      code: 'duplicate-name',
      message: 'x',
      related: Array.from({ length: 5000 }, (_, i) => ({
        file,
        start: i % 10,
        end: (i % 10) + 1,
        message: `r${i}`,
      })),
    };
    const [d] = publish([f]);
    assert.equal(d.related.length, MAX_RELATED + 1);
    assert.equal(d.related[MAX_RELATED].message, `… and ${5000 - MAX_RELATED} more related places`);
  });

  it(`includes: at most ${MAX_FILES} files, ${MAX_INCLUDE_CHARS} characters and ${MAX_INCLUDE_DEPTH} deep, each an include-error at its include`, () => {
    // fan-out: 300 distinct files; total characters: four 5 MiB files; depth: a chain of 80
    const files: Record<string, string> = {};
    for (let i = 0; i < 300; i++)
      files[`/virtual/f${i}.irqtopo`] = `domain F${i} : ioapic { parent VECTOR }\n`;
    const big = 'domain B : ioapic { parent VECTOR } # ' + 'x'.repeat(5 * 1024 * 1024) + '\n';
    for (let i = 0; i < 4; i++) files[`/virtual/big${i}.irqtopo`] = big.replace('domain B ', `domain B${i} `);
    for (let i = 0; i < 80; i++) files[`/virtual/c${i}.irqtopo`] = `include "c${i + 1}.irqtopo"\n`;
    const reader = (u: string) => files[u] ?? new Error('no such file');
    const out = analyze(
      URI,
      `${HEAD}${Array.from({ length: 300 }, (_, i) => `include "f${i}.irqtopo"\n`).join('')}`,
      { reader },
    ).diagnostics.filter((x) => x.code === 'include-error');
    assert.equal(out.length, 300 - (MAX_FILES - 1));
    assert.match(
      out[0].message,
      new RegExp(`^"f${MAX_FILES - 1}.irqtopo" is not read: a topology may have at most ${MAX_FILES} files`),
    );
    // big3 included 300 times (and a missing file 300 times): each include says why, the file is read once
    const reads = new Map<string, number>();
    const counting = (u: string) => {
      reads.set(u, (reads.get(u) ?? 0) + 1);
      return reader(u);
    };
    const chars = analyze(
      URI,
      `${HEAD}${[0, 1, 2, 3].map((i) => `include "big${i}.irqtopo"\n`).join('')}` +
        'include "big3.irqtopo"\ninclude "gone.irqtopo"\n'.repeat(300),
      { reader: counting },
    ).diagnostics.filter((x) => x.code === 'include-error');
    assert.equal(chars.length, 1 + 600);
    assert.deepEqual(
      [...new Set(chars.map((x) => x.message))],
      [
        `"big3.irqtopo" is not read: the included files would exceed ${MAX_INCLUDE_CHARS} characters in all`,
        'cannot read "gone.irqtopo" (/virtual/gone.irqtopo): no such file',
      ],
    );
    assert.equal(reads.get('/virtual/big3.irqtopo'), 1);
    assert.equal(reads.get('/virtual/gone.irqtopo'), 1);
    // a file refused for the statement budget, included again after more statements: the count of then
    const lines = (n: number, p: string) =>
      Array.from({ length: n }, (_, i) => `domain ${p}${i} : ioapic\n`).join('');
    const stmts: Record<string, string> = {
      '/virtual/s/big.irqtopo': lines(200_000, 'B'),
      '/virtual/s/huge.irqtopo': lines(100_000, 'H'),
      '/virtual/s/mid.irqtopo': lines(30_000, 'M'),
      '/virtual/s/sub/x.irqtopo': 'include "../huge.irqtopo"\n',
    };
    const again = analyze(
      '/virtual/s/root.irqtopo',
      `${HEAD}include "big.irqtopo"\ninclude "huge.irqtopo"\ninclude "mid.irqtopo"\ninclude "sub/x.irqtopo"\n`,
      { reader: (u) => stmts[u] ?? new Error('no such file') },
    ).diagnostics.filter((x) => x.code === 'include-error');
    assert.deepEqual(
      again.map((x) => x.message.replace(/^"[^"]*"/, 'F')),
      [
        `F is not read: with its 100000 statements the topology would have more than ${MAX_STATEMENTS} (200007 so far)`,
        `F is not read: with its 100000 statements the topology would have more than ${MAX_STATEMENTS} (230008 so far)`,
      ],
    );
    const deep = analyze(URI, `${HEAD}include "c0.irqtopo"\n`, { reader }).diagnostics.filter(
      (x) => x.code === 'include-error',
    );
    assert.equal(deep.length, 1);
    assert.match(
      deep[0].message,
      new RegExp(`would nest includes more than ${MAX_INCLUDE_DEPTH} files deep`),
    );
  });

  it(`a message quoting 5,000-character values is cut at ${MAX_MESSAGE} characters and says so`, () => {
    const text = `${HEAD}include "${'a'.repeat(5000)}.irqtopo"\ndevice d { pci ${'0'.repeat(5000)} }\n`;
    const long = analyze(URI, text, { reader: () => new Error('no such file') }).diagnostics.filter(
      (d) => d.code === 'include-error' || d.code === 'bad-value',
    );
    assert.equal(long.length, 2);
    for (const d of long) {
      assert.ok(d.message.length <= MAX_MESSAGE + 80, `${d.message.length}`);
      assert.match(d.message, /… \(the message is cut here: [\d,]+ characters\)$/);
    }
  });

  it('formatting a file with lone CR line breaks: every line once, and a second format changes nothing', () => {
    const text =
      'arch x86\r# a comment\rcpus 0-3\rdomain VECTOR : vector\rdomain  IR : remap {parent VECTOR}\r';
    const once = applyEdits(text, formatEdits(text));
    assert.equal(
      once,
      'arch x86\n# a comment\ncpus 0-3\ndomain VECTOR : vector\ndomain IR : remap { parent VECTOR }\n',
    );
    assert.deepEqual(formatEdits(once), []);
    const crlf = text.replace(/\r/g, '\r\n');
    assert.equal(applyEdits(crlf, formatEdits(crlf)), once.replace(/\n/g, '\r\n'));
  });

  it('completion at a line past the end (the core, as the fuzz campaign called it): the top-level statements', () => {
    const text = `${HEAD}device d {\n  pci 0000:01:00.0\n}\n`;
    const lines = text.split('\n');
    const items = completions(run(text).a.model, lines, { line: lines.length + 5, character: 3 });
    assert.ok(
      items.some((i) => i.label === 'domain'),
      JSON.stringify(items.map((i) => i.label)),
    );
  });
});
