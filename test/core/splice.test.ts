// Incremental reparsing (issue 10): a spliced tree reads exactly as a fresh parse of the new text,
// for edits anywhere in real topology files; and edits are classified (whitespace and comments only
// are "trivia").
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { parseTree } from '../../server/src/core/syntax/parser';
import { splice, spliceAll } from '../../server/src/core/syntax/splice';
import { SyntaxFile } from '../../server/src/core/syntax/view';
import { ROOT } from './helpers';

function walk(d: string, out: string[] = []): string[] {
  for (const n of fs.readdirSync(d)) {
    const p = path.join(d, n);
    if (fs.statSync(p).isDirectory()) walk(p, out);
    else if (p.endsWith('.irqtopo')) out.push(p);
  }
  return out;
}

const texts = [
  ...walk(path.join(ROOT, 'examples')),
  ...walk(path.join(ROOT, 'test', 'fixtures', 'checks')),
].map((f) => fs.readFileSync(f, 'utf8'));

const PIECES = [
  '\n',
  ' ',
  '# c\n',
  '{',
  '}',
  ';',
  'irq x.q[0..3] : msix',
  'domain D : vector',
  'device e { msix 2 }',
  '"',
  '0-',
  ',',
  'managed',
  '\r\n',
  '\r',
  'release x',
];

function view(text: string, t = parseTree(text)) {
  const f = new SyntaxFile('u', t).ast;
  return JSON.stringify({ s: f.statements, c: f.comments, e: f.errors });
}

describe('incremental reparsing (splice)', () => {
  it('gives the tree a fresh parse gives, for random edits of real files', () => {
    fc.assert(
      fc.property(
        fc.nat(texts.length - 1),
        fc.array(fc.tuple(fc.nat(), fc.nat(8), fc.constantFrom(...PIECES)), { minLength: 1, maxLength: 3 }),
        (which, edits) => {
          let text = texts[which];
          let tree = parseTree(text);
          for (const [at, len, piece] of edits) {
            const start = at % (text.length + 1);
            const end = Math.min(text.length, start + len);
            const r = splice(tree, { start, end, text: piece });
            text = text.slice(0, start) + piece + text.slice(end);
            tree = r.tree;
            assert.equal(tree.text, text);
            assert.equal(
              view(text, tree),
              view(text),
              `after replacing [${start},${end}) with ${JSON.stringify(piece)}`,
            );
          }
        },
      ),
      { numRuns: 400 },
    );
  });

  it('keeps the error of a last statement cut short at the end of the text (found by the property above)', () => {
    let text = 'arch x86\ncpus 0-3\ndevice d { msix 4 }\nirq d.q[0..3] : msix\n';
    const at = text.indexOf(' : msix');
    const t = splice(parseTree(text), { start: at, end: text.length, text: ' ' }).tree;
    text = text.slice(0, at) + ' ';
    assert.equal(view(text, t), view(text));
    assert.match(t.errors.at(-1)!.message, /found the end of the file/);
  });

  it('drops the old end-of-file error when an edit cuts the text short again (found by npm run fuzz)', () => {
    // the text ends mid-statement ("found the end of the file"); an edit then cuts that statement shorter
    for (const [text, keep] of [
      ['arch x86\ncpus 0-3\ndevice nvme0 { pci 0000:01:00.0; msix 4 }\nirq nvme0.q[0] : ', 'ir'],
      ['arch x86\ncpus 0-3\ndomain VECTOR : ', 'dom'],
    ] as const) {
      const at = text.lastIndexOf(keep.slice(0, 2)) + keep.length;
      const old = parseTree(text);
      assert.match(old.errors.at(-1)!.message, /found the end of the file/);
      const t = splice(old, { start: at, end: text.length, text: '' }).tree;
      assert.equal(view(text.slice(0, at), t), view(text.slice(0, at)));
    }
  });

  it('classifies a comment or blank line as trivia, an irq edit as uses, a declaration edit as declarations', () => {
    const text =
      'arch x86\ncpus 0-3\ndomain V : vector\ndevice d { pci 01:00.0; msix 4 }\nirq d.q[0..1] : msix\nirq d.r : msix\n';
    const t = parseTree(text);
    const at = text.indexOf('irq d.r');
    assert.equal(splice(t, { start: at, end: at, text: '# a comment\n' }).kind, 'trivia');
    assert.equal(splice(t, { start: at, end: at, text: '\n\n' }).kind, 'trivia');
    const idx = text.indexOf('[0..1]') + 4;
    assert.equal(splice(t, { start: idx, end: idx + 1, text: '3' }).kind, 'uses');
    const msix = text.indexOf('msix 4') + 5;
    assert.equal(splice(t, { start: msix, end: msix + 1, text: '8' }).kind, 'declarations');
    assert.equal(
      spliceAll(t, [
        { start: at, end: at, text: '# x\n' },
        { start: idx, end: idx + 1, text: '2' },
      ]).kind,
      'uses',
    );
  });
});
