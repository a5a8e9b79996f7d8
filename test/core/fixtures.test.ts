// One firing fixture and one near miss per RULES.md code (test/fixtures/checks/<code>/).
// A trailing `#! CODE` comment marks the line where a diagnostic of that code must start; every
// diagnostic of the file must be annotated, and every annotation matched.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RULES } from '../../server/src/core';
import { analyzeFile, annotations, describe1, fixture } from './helpers';

const DIR = fixture('checks');

function verify(file: string): void {
  const text = fs.readFileSync(file, 'utf8');
  const want = annotations(text);
  const { diagnostics } = analyzeFile(file);
  const own = diagnostics.filter((d) => d.uri === file);
  const problems: string[] = [];
  const matched = new Set<string>();
  for (const d of own) {
    const line = d.range.start.line;
    if (want.get(line)?.includes(d.code)) matched.add(`${line}:${d.code}`);
    else problems.push(`unexpected: ${describe1(d)}`);
  }
  for (const [line, cs] of want)
    for (const c of cs) if (!matched.has(`${line}:${c}`)) problems.push(`missing: ${c} at line ${line + 1}`);
  assert.deepEqual(problems, [], `${path.relative(DIR, file)}\n  ${problems.join('\n  ')}`);
}

describe('check fixtures', () => {
  it('cover every RULES.md code except route', () => {
    const missing = RULES.map((r) => r.code).filter(
      (c) =>
        !fs.existsSync(path.join(DIR, c, 'fire.irqtopo')) ||
        !fs.existsSync(path.join(DIR, c, 'near-miss.irqtopo')),
    );
    assert.deepEqual(missing, []);
  });
  for (const rule of RULES) {
    const dir = path.join(DIR, rule.code);
    if (!fs.existsSync(dir)) continue;
    describe(rule.code, () => {
      it('fires on fire.irqtopo', () => {
        const file = path.join(dir, 'fire.irqtopo');
        assert.ok(
          [...annotations(fs.readFileSync(file, 'utf8')).values()].some((cs) => cs.includes(rule.code)),
          'the fixture annotates its own code',
        );
        verify(file);
      });
      it('stays silent on near-miss.irqtopo', () => verify(path.join(dir, 'near-miss.irqtopo')));
    });
  }
});
