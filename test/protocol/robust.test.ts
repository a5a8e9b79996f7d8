// The server never crashes or stops answering: a randomized sequence of thousands of edits and
// requests, and edits of a 100,000-line file.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import type { Position, Range } from 'vscode-languageserver-protocol/node';
import { applyEdits } from '../../server/src/core/services/util';
import { DiagramRequest, DomainTreeRequest, RoutesRequest } from '../../server/src/protocol';
import { Client, ROOT, generateTopology } from './client';

const SNIPPETS = [
  'domain ',
  'device ',
  'irq ',
  'parent ',
  ' : ',
  '{',
  '}',
  '\n',
  ';',
  '.',
  '[0..3]',
  '"',
  '# c',
  'IR-0',
  'VECTOR',
  'msix 4',
  'nvme0.io',
  'expect nvme0.admin cpu 0',
  'inject 0xfee00000 0x20 from nvme0',
  'include "x.irqtopo"',
  '\u00e9',
  '\uD83D\uDE00',
  '0x',
  '-',
  '..',
  'scope 0000:00-7f',
  ' ',
  '\t',
  'pci 0000:01:00.0',
];

type Op =
  | { t: 'insert'; at: number; text: string }
  | { t: 'delete'; at: number; len: number }
  | { t: 'request'; kind: number; at: number };

function position(text: string, offset: number): Position {
  const before = text.slice(0, Math.min(offset, text.length));
  const line = before.split('\n').length - 1;
  return { line, character: before.length - (before.lastIndexOf('\n') + 1) };
}

describe('language server robustness', function () {
  this.timeout(180000);

  it('answers after a randomized sequence of thousands of edits and requests', async () => {
    const c = new Client({ initializationOptions: { debounceMs: 0 } });
    await c.start();
    try {
      const uri = 'untitled:random.irqtopo';
      const base = fs.readFileSync(path.join(ROOT, 'examples', 'two-ir-units.irqtopo'), 'utf8');
      let text = base;
      await c.open(uri, text);
      const op: fc.Arbitrary<Op> = fc.oneof(
        fc.record({
          t: fc.constant('insert' as const),
          at: fc.nat(),
          text: fc.oneof(fc.constantFrom(...SNIPPETS), fc.string({ maxLength: 8 })),
        }),
        fc.record({ t: fc.constant('delete' as const), at: fc.nat(), len: fc.nat(40) }),
        fc.record({ t: fc.constant('request' as const), kind: fc.nat(13), at: fc.nat() }),
      );
      let requests = 0;
      await fc.assert(
        fc.asyncProperty(fc.array(op, { minLength: 2500, maxLength: 2500 }), async (ops) => {
          for (const o of ops) {
            if (o.t !== 'request') {
              const at = o.at % (text.length + 1);
              const end = o.t === 'delete' ? Math.min(text.length, at + o.len) : at;
              const range: Range = { start: position(text, at), end: position(text, end) };
              const insert = o.t === 'insert' ? o.text : '';
              text = text.slice(0, at) + insert + text.slice(end);
              await c.changeNoWait(uri, [{ range, text: insert }]);
              continue;
            }
            requests++;
            const p = position(text, o.at % (text.length + 1));
            const td = { textDocument: { uri } };
            const conn = c.connection;
            switch (o.kind) {
              case 0:
                await conn.sendRequest('textDocument/hover', { ...td, position: p });
                break;
              case 1:
                await conn.sendRequest('textDocument/completion', { ...td, position: p });
                break;
              case 2:
                await conn.sendRequest('textDocument/definition', { ...td, position: p });
                break;
              case 3:
                await conn.sendRequest('textDocument/references', {
                  ...td,
                  position: p,
                  context: { includeDeclaration: true },
                });
                break;
              case 4:
                await conn.sendRequest('textDocument/documentSymbol', td);
                break;
              case 5:
                await conn.sendRequest('textDocument/semanticTokens/full', td);
                break;
              case 6: {
                const edits = await conn.sendRequest<{ range: Range; newText: string }[]>(
                  'textDocument/formatting',
                  { ...td, options: { tabSize: 2, insertSpaces: true } },
                );
                if (edits.length) {
                  // apply it, as an editor would: the formatted text must stay formatted
                  text = applyEdits(text, edits);
                  await c.changeNoWait(uri, [{ text }]);
                  const again = await conn.sendRequest<unknown[]>('textDocument/formatting', {
                    ...td,
                    options: { tabSize: 2, insertSpaces: true },
                  });
                  assert.deepEqual(again, [], 'formatting is idempotent');
                }
                break;
              }
              case 7:
                await conn.sendRequest('textDocument/codeAction', {
                  ...td,
                  range: { start: p, end: p },
                  context: { diagnostics: c.latest.get(uri)?.diagnostics ?? [] },
                });
                break;
              case 8:
                await conn.sendRequest('textDocument/inlayHint', {
                  ...td,
                  range: { start: { line: 0, character: 0 }, end: p },
                });
                break;
              case 9:
                await conn.sendRequest(DomainTreeRequest, { uri });
                await conn.sendRequest(RoutesRequest, { uri });
                await conn.sendRequest(DiagramRequest, { uri });
                break;
              case 10:
                await conn.sendRequest('textDocument/foldingRange', td);
                await conn.sendRequest('textDocument/selectionRange', { ...td, positions: [p] });
                break;
              case 11:
                await conn.sendRequest('textDocument/documentHighlight', { ...td, position: p });
                await conn.sendRequest('textDocument/codeLens', td);
                break;
              case 12:
                await conn
                  .sendRequest('textDocument/prepareRename', { ...td, position: p })
                  .catch(() => null);
                break;
              default:
                await conn
                  .sendRequest('textDocument/rename', { ...td, position: p, newName: 'X9' })
                  .catch(() => null);
                break;
            }
          }
        }),
        { numRuns: 1 },
      );
      assert.ok(requests > 500);
      // still answering, with diagnostics for the final text
      const final = await c.change(uri, [{ text: base }]);
      assert.deepEqual(
        final.diagnostics.filter((d) => d.severity === 1),
        [],
      );
      const h = await c.connection.sendRequest('textDocument/hover', {
        textDocument: { uri },
        position: position(base, base.indexOf('domain IR-1') + 8),
      });
      assert.ok(h, 'hover answers');
      assert.equal(c.exited, null, 'the server is running');
      assert.deepEqual(c.errors, [], 'no internal error logged');
    } finally {
      await c.stop();
    }
  });

  it('edits a 100,000-line file without crashing', async () => {
    const c = new Client();
    await c.start();
    try {
      const uri = 'untitled:big.irqtopo';
      let text = generateTopology(100000);
      assert.ok(text.split('\n').length >= 100000);
      await c.open(uri, text);
      const edits: { range: Range; text: string }[] = [
        {
          range: { start: { line: 50000, character: 0 }, end: { line: 50000, character: 0 } },
          text: 'device extra { pci 0000:fe:00.0; msix 2 }\n',
        },
        { range: { start: { line: 99990, character: 0 }, end: { line: 99991, character: 0 } }, text: '' },
        { range: { start: { line: 7, character: 9 }, end: { line: 7, character: 15 } }, text: 'VECTR' },
        { range: { start: { line: 7, character: 9 }, end: { line: 7, character: 14 } }, text: 'VECTOR' },
        {
          range: { start: { line: 60000, character: 0 }, end: { line: 60000, character: 0 } },
          text: 'domain { broken\n',
        },
        { range: { start: { line: 60000, character: 0 }, end: { line: 60001, character: 0 } }, text: '' },
      ];
      for (const e of edits) {
        const d = await c.change(uri, [e]);
        text = applyEdits(text, [{ range: e.range, newText: e.text }]);
        assert.ok(Array.isArray(d.diagnostics));
      }
      // a burst of edits without waiting: only the last version must be published last
      let v = 0;
      for (let i = 0; i < 20; i++)
        v = await c.changeNoWait(uri, [
          { range: { start: { line: 3, character: 0 }, end: { line: 3, character: 0 } }, text: '#' },
        ]);
      const last = await c.diagnostics(uri, v);
      assert.equal(last.version, v);
      const h = await c.connection.sendRequest('textDocument/hover', {
        textDocument: { uri },
        position: { line: 4, character: 9 },
      });
      assert.ok(h);
      assert.equal(c.exited, null);
      assert.deepEqual(c.errors, []);
    } finally {
      await c.stop();
    }
  });
});
