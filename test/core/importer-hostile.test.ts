// Issue 13's importer defects, each a regression test: no allocation sized by a number from the
// input, no backtracking on long lines, numbers validated (reported, not written), the written
// topology always parses, an internal error is reported as one. Each hostile input must be answered
// within the test's timeout (2 s), the bound for the CLI.
import * as assert from 'node:assert/strict';
import { parse } from '../../server/src/core';
import { importDumps, type ImportResult } from '../../server/src/core/importer';

/** v1 output, which the current parser reads; the lead flips this when the v2 parser lands */
const V2 = { v2: true } as const;

function holds(text: string, name = 'hostile'): ImportResult {
  const r = importDumps([{ name, text }], V2);
  assert.equal(r.internalError, undefined, r.internalError);
  assert.deepEqual(parse(r.text, 'x').errors, [], `the output parses:\n${r.text.slice(0, 2000)}`);
  const v2 = importDumps([{ name, text }]);
  assert.equal(v2.internalError, undefined);
  return r;
}

describe('importer: hostile inputs (issue 13)', () => {
  it('a tiny dump naming CPU 400000000 is reported, not expanded into 400 million CPUs', function () {
    this.timeout(2000);
    const text = 'domain:  VECTOR\nTarget: 400000000';
    const r = holds(`${text}\n${' '.repeat(8)}`);
    assert.ok(r.topology!.cpus.length <= 1, `cpus ${r.topology!.cpus.length}`);
    const p = r.problems.find((x) => x.line === 2);
    assert.ok(p && /above 8191/.test(p.message), JSON.stringify(r.problems));
  });

  const long = 100_000;
  const shapes: [string, string][] = [
    ['spaces after a prompt', `# ${' '.repeat(long)}x`],
    ['spaces in a /proc/interrupts row', ` 12:${' '.repeat(long)}x`],
    ['spaces after a debugfs key', `name:${' '.repeat(long)}:`],
    ['spaces after a chip', ` 36:   0   1 IR-PCI-MSI ${' '.repeat(long)} <==`],
    ['spaces after a cat', `cat ${' '.repeat(long)}`],
    ['annotation marks', ` 36:   0   1 x${' <- '.repeat(long / 4)}`],
    ['colons', ':'.repeat(long)],
    ['digits and spaces', ` 12:${' 1'.repeat(long / 2)}x`],
    ['an ls -l line', `-rw-r--r-- 1 r r 0 Jan 1 00:00 ${' '.repeat(long)}x`],
    ['a CPU header with elisions', `${'CPU0 ... '.repeat(long / 9)}`],
    ['a grep-style machine line', `/proc/irq/1/node:${'x '.repeat(long / 2)}`],
    ['a bundle header', `==> ${' '.repeat(long)} <==`],
    ['tabs', `\t${'\t'.repeat(long)}a`],
    [
      'dashes and underscores in an action',
      ` 36:   0   1 PCI-MSIX-0000:00:02.0   1-edge   ${'_-'.repeat(long / 2)}x`,
    ],
  ];
  for (const [what, line] of shapes)
    it(`a 100 KB line of ${what} is answered without backtracking`, function () {
      this.timeout(2000);
      holds(`${line}\n${line}`);
    });

  it('a list of 2,100 ranges 0-8191 costs a bitmap, not 17 million entries', function () {
    this.timeout(2000);
    const r = holds(`handler:  handle_edge_irq\naffinity: ${'0-8191,'.repeat(2100)}0\n`);
    assert.ok(r.topology);
  });

  it('a count beyond 2^53 is reported and not written (never `counts 1e+22`)', () => {
    const r = holds(
      [
        '           CPU0       CPU1',
        ' 36:  10000000000000000000000  1 PCI-MSIX-0000:00:02.0   1-edge      virtio1-req.0',
      ].join('\n'),
    );
    assert.doesNotMatch(r.text, /e\+/);
    assert.doesNotMatch(r.text, /^irq .*counts/m);
    assert.ok(r.problems.some((p) => p.line === 2 && /beyond 2\^53/.test(p.message)));
  });

  it('a negative CPU is reported, never written as `cpu -1`', () => {
    const rec = (target: string, eff: string) =>
      [
        'handler:  handle_edge_irq',
        `effectiv: ${eff}`,
        'domain:  PCI-MSIX-0000:00:02.0-12',
        ' hwirq:   0x1',
        ' chip:    PCI-MSIX-0000:00:02.0',
        ' parent:',
        '    domain:  VECTOR',
        '     Vector:    34',
        `     Target:    ${target}`,
      ].join('\n');
    for (const [t, e] of [
      ['-1', '0'],
      ['0', '-1'],
    ]) {
      const r = holds(rec(t, e));
      assert.doesNotMatch(r.text, /cpu -/);
      assert.ok(
        r.problems.some((p) => /could not read the value of '(Target|effectiv):'/.test(p.message)),
        JSON.stringify(r.problems),
      );
    }
  });

  it('an IO-APIC interrupt without its pin is not written as a `pin` without a number', () => {
    const r = holds(['handler:  handle_edge_irq', 'domain:  IO-APIC-0', ' chip:    IO-APIC'].join('\n'));
    assert.doesNotMatch(r.text, /: pin\s*($|\{)/m);
    assert.ok(r.topology!.notModelled.some((s) => /IO-APIC pin \(the hwirq\) is not in the dumps/.test(s)));
  });

  it('an absurd hwirq, irq number or vector is reported, not imported', () => {
    const r = holds(
      [
        '           CPU0',
        ' 99999999999:          1 IO-APIC   2-edge      timer',
        ' 30:          1 PCI-MSIX-0000:00:02.0   99999999999999999999-edge      x',
        'handler:  handle_edge_irq',
        'domain:  VECTOR',
        ' hwirq:   0xfffffffffffffffffff',
        ' Vector:  300',
      ].join('\n'),
    );
    assert.equal(r.topology!.irqs.length, 0, r.text);
    for (const line of [2, 3, 6, 7])
      assert.ok(
        r.problems.some((p) => p.line === line),
        `line ${line} reported`,
      );
  });

  it('names with quotes, backslashes and control characters are written so the text parses', () => {
    const r = holds(
      [
        '           CPU0',
        ' 30:          1 PCI-MSIX-0000:00:02.0   0-edge      a"b\\c\u0001d\u2028e # f',
      ].join('\n'),
    );
    assert.equal(r.topology!.irqs.length, 1);
  });

  it('an internal error comes back as one (and the text says the import failed)', () => {
    const input = {
      get name(): string {
        throw new Error('boom');
      },
      text: 'x',
    };
    const r = importDumps([input]);
    assert.match(r.internalError ?? '', /internal importer error: boom/);
    assert.match(r.text, /^# irqtopo import failed/);
    assert.equal(r.problems[0].severity, 'error');
    const stopped = importDumps([{ name: 'a', text: ' 30: 1 IO-APIC 2-edge x' }], { shouldStop: () => true });
    assert.equal(stopped.internalError, 'import cancelled');
  });
});
