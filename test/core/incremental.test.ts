// Re-analysis after an edit (issue 10): whatever the edit, the analysis reanalyze() gives publishes
// the diagnostics and routes a fresh analysis of the new text publishes; an edit of comments or
// whitespace keeps the model and the simulation (no rebinding).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { analyze, type Analysis } from '../../server/src/core';
import { reanalyze, reparse } from '../../server/src/core/incremental';
import { ROOT } from './helpers';

const files = fs
  .readdirSync(path.join(ROOT, 'examples'))
  .filter((f) => f.endsWith('.irqtopo'))
  .map((f) => fs.readFileSync(path.join(ROOT, 'examples', f), 'utf8'));

const URI = '/virtual/t.irqtopo';

function published(a: Analysis): string {
  const d = a.diagnostics
    .map(
      (x) =>
        `${x.range.start.line}:${x.range.start.character}-${x.range.end.line}:${x.range.end.character} ${x.code} ${x.message} ${JSON.stringify(x.related)}`,
    )
    .sort();
  const r = (a.simulation?.routes ?? []).map((x) => JSON.stringify(x));
  return JSON.stringify({ d, r, i: a.simulation?.injects });
}

const TRIVIA = ['\n', '  ', '# a comment\n', '// another\n', '\r\n', '\t'];
const ANY = [
  ...TRIVIA,
  'irq x.q : msix\n',
  '1',
  '{',
  '}',
  ';',
  'managed',
  'cpu 2',
  ':',
  '"',
  'release nvme0\n',
];

/** An edit at a line start (where whitespace and comments cannot merge into a token). */
function edit(text: string, at: number, len: number, piece: string, lineStart: boolean) {
  let start = at % (text.length + 1);
  if (lineStart) start = text.lastIndexOf('\n', start - 1) + 1;
  const end = lineStart ? start : Math.min(text.length, start + len);
  return { start, end, text: piece, next: text.slice(0, start) + piece + text.slice(end) };
}

describe('incremental re-analysis', () => {
  it('an edit of comments or whitespace keeps the model and publishes what a fresh analysis does', () => {
    fc.assert(
      fc.property(fc.nat(files.length - 1), fc.nat(), fc.constantFrom(...TRIVIA), (which, at, piece) => {
        const text = files[which];
        const prev = analyze(URI, text);
        const model = prev.model;
        const e = edit(text, at, 0, piece, true);
        const r = reparse(prev.model.fileByUri.get(URI)!, [{ start: e.start, end: e.end, text: e.text }]);
        const next = reanalyze(prev, r, e.next);
        assert.equal(r.kind, 'trivia');
        assert.equal(next.model, model, 'the model is kept');
        assert.equal(published(next), published(analyze(URI, e.next)));
      }),
      { numRuns: 150 },
    );
  });

  it('any edit publishes what a fresh analysis does', () => {
    fc.assert(
      fc.property(
        fc.nat(files.length - 1),
        fc.nat(),
        fc.nat(6),
        fc.constantFrom(...ANY),
        (which, at, len, piece) => {
          const text = files[which];
          const prev = analyze(URI, text);
          const e = edit(text, at, len, piece, false);
          const r = reparse(prev.model.fileByUri.get(URI)!, [{ start: e.start, end: e.end, text: e.text }]);
          assert.equal(published(reanalyze(prev, r, e.next)), published(analyze(URI, e.next)));
        },
      ),
      { numRuns: 150 },
    );
  });
});
