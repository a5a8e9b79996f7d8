// Neither the parser nor the checker throws or hangs on any input: random bytes, random token soup,
// and mutated examples (thousands per run), each must come back with a result.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { analyze, parse } from '../../server/src/core';
import { TOKENS, grownTopology, inputSeed, Rng } from '../fuzz/generators';
import { ROOT } from './helpers';

function examples(): string[] {
  const dirs = [path.join(ROOT, 'examples'), path.join(ROOT, 'test', 'fixtures', 'checks')];
  const out: string[] = [];
  const walk = (d: string) => {
    if (!fs.existsSync(d)) return;
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (p.endsWith('.irqtopo')) out.push(fs.readFileSync(p, 'utf8'));
    }
  };
  dirs.forEach(walk);
  return out;
}

function checkResult(text: string): void {
  const f = parse(text).ast;
  assert.ok(Array.isArray(f.statements) && Array.isArray(f.errors));
  for (const e of f.errors) {
    assert.ok(e.range.start.line >= 0 && e.range.start.character >= 0, 'error ranges are positions');
    assert.ok(e.message.length > 0);
  }
  const a = analyze('/fuzz/x.irqtopo', text, { reader: () => text.slice(0, 200) });
  assert.ok(Array.isArray(a.diagnostics));
  for (const d of a.diagnostics) assert.doesNotMatch(d.message, /internal (parser )?error/, d.message);
}

describe('robustness (property)', () => {
  it('survives random strings', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 300 }), checkResult), { numRuns: 1500 });
  });

  it('survives random token soup', () => {
    const soup = fc.array(fc.constantFrom(...TOKENS), { maxLength: 80 }).map((ts) => ts.join(' '));
    fc.assert(fc.property(soup, checkResult), { numRuns: 2000 });
  });

  it('survives mutated examples (deletions, insertions, truncation)', () => {
    const base = examples();
    assert.ok(base.length > 0, 'there are examples to mutate');
    const mutated = fc
      .tuple(
        fc.nat({ max: base.length - 1 }),
        fc.array(
          fc.tuple(
            fc.nat(),
            fc.nat({ max: 20 }),
            fc.constantFrom('', '{', '}', '"', ':', '\n', '[', ' x ', '0-', ';'),
          ),
          {
            maxLength: 6,
          },
        ),
      )
      .map(([i, edits]) => {
        let t = base[i];
        for (const [pos, len, ins] of edits) {
          const p = t.length ? pos % t.length : 0;
          t = t.slice(0, p) + ins + t.slice(p + len);
        }
        return t;
      });
    fc.assert(fc.property(mutated, checkResult), { numRuns: 1500 });
  });

  it('survives grammar-aware growth: ranges, lists, nesting, names and parent chains (60 seeded inputs)', () => {
    // the inputs of `npm run fuzz`'s grown topologies, up to 50 KB each (the campaign goes to 2 MB)
    for (let i = 0; i < 60; i++) checkResult(grownTopology(new Rng(inputSeed(13, i)), 50_000));
  });

  it('handles huge ranges without expanding them', () => {
    checkResult(
      'arch x86\ncpus 0-4294967295\ndevice d { pci 01:00.0; msix 4 }\nirq d.q[0..999999999] : msix\n',
    );
  });
});
