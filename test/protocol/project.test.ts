// The adapter's project in process, on a memory host: edits recorded as offsets reach the core's
// incremental re-analysis (and what it publishes is what a fresh analysis publishes), a file shared
// by two open topologies stays right in both, and a dropped include moves the context at once.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { TextDocumentContentChangeEvent } from 'vscode-languageserver';
import { analyze } from '../../server/src/core';
import { documentSymbols } from '../../server/src/core/services';
import { publishFile } from '../../server/src/core/services/diagnostics';
import { Config } from '../../server/src/lsp/config';
import { Documents } from '../../server/src/lsp/documents';
import { FileError, type Host } from '../../server/src/lsp/host';
import { Project } from '../../server/src/lsp/project';
import { realClock } from '../../server/src/lsp/scheduler';
import { ROOT } from './client';

const BASE = 'file:///ws';

function setup(disk: Record<string, string> = {}) {
  const host: Host & { sync: true } = {
    platform: 'memory',
    sync: true,
    clock: realClock(),
    read: (key) =>
      key in disk ? { text: disk[key], stamp: 'disk' } : new FileError('no such file', 'missing'),
    stamp: (key) => (key in disk ? 'disk' : 'missing'),
    topologyFiles: () => [],
  };
  const docs = new Documents();
  const config = new Config(() => undefined);
  const moved: string[] = [];
  const project = new Project(docs, config, host, (keys) => moved.push(...keys));
  let version = 1;
  const open = (name: string, text: string) =>
    docs.open({ textDocument: { uri: `${BASE}/${name}`, languageId: 'irqtopo', version: 1, text } });
  const change = (name: string, ...changes: TextDocumentContentChangeEvent[]) =>
    docs.change({ textDocument: { uri: `${BASE}/${name}`, version: ++version }, contentChanges: changes });
  /** What the server publishes for a file, and what a fresh analysis of the same texts publishes. */
  const published = async (name: string) => {
    const key = `${BASE}/${name}`;
    const e = (await project.analysisFor(key))!;
    const got = publishFile(e.analysis, e.modelUris.get(key) ?? key);
    const reader = (uri: string) => docs.get(uri)?.text ?? disk[uri] ?? new Error('no such file');
    const fresh = analyze(e.root, docs.get(e.root)!.text, { reader });
    return { got, want: publishFile(fresh, key), root: e.root };
  };
  return { docs, project, open, change, published, moved };
}

const at = (line: number, character: number) => ({ line, character });

describe('language server project (in process)', () => {
  const example = fs.readFileSync(path.join(ROOT, 'examples', 'two-ir-units.irqtopo'), 'utf8');

  it('hands each edit to the incremental re-analysis, which publishes what a fresh analysis does', async () => {
    const { project, open, change, published } = setup();
    open('a.irqtopo', example);
    await project.ensure(`${BASE}/a.irqtopo`);
    const line = example.split('\n').findIndex((l) => l.startsWith('domain IR-1 '));
    const steps: [string, TextDocumentContentChangeEvent[]][] = [
      ['trivia', [{ range: { start: at(line, 0), end: at(line, 0) }, text: '# a comment\n' }]],
      ['trivia', [{ range: { start: at(line, 0), end: at(line + 1, 0) }, text: '' }]],
      ['declarations', [{ range: { start: at(line, 7), end: at(line, 11) }, text: 'IR-9' }]],
      ['declarations', [{ range: { start: at(line, 7), end: at(line, 11) }, text: 'IR-1' }]],
      // two changes in one notification: offsets of the second are in the text after the first
      [
        'any',
        [
          { range: { start: at(0, 0), end: at(0, 0) }, text: '# one\n' },
          { range: { start: at(1, 0), end: at(1, 0) }, text: '# two\n' },
        ],
      ],
    ];
    for (const [kind, changes] of steps) {
      change('a.irqtopo', ...changes);
      const { got, want } = await published('a.irqtopo');
      assert.deepEqual(got, want, `after a ${kind} edit`);
      if (kind !== 'any') assert.equal(project.lastRun, kind, 'incremental');
    }
  });

  it('keeps a file two open topologies include right in both after a trivia edit of it', async () => {
    const { docs, project, open, change, published } = setup();
    const platform = fs.readFileSync(path.join(ROOT, 'test/fixtures/lsp/platform.irqtopo'), 'utf8');
    const machine = fs.readFileSync(path.join(ROOT, 'test/fixtures/lsp/machine.irqtopo'), 'utf8');
    open('platform.irqtopo', platform);
    open('a.irqtopo', machine);
    open(
      'c.irqtopo',
      machine.replace('irq dsa0.misc : msix 0\n', 'irq dsa0.misc : msix 0\nirq dsa0.x : msix 99\n'),
    );
    await project.ensure(`${BASE}/a.irqtopo`);
    await project.ensure(`${BASE}/c.irqtopo`);
    for (let i = 0; i < 3; i++) {
      change('platform.irqtopo', { range: { start: at(1, 0), end: at(1, 0) }, text: `# edit ${i}\n` });
      for (const f of ['a.irqtopo', 'c.irqtopo', 'platform.irqtopo']) {
        const { got, want } = await published(f);
        assert.deepEqual(got, want, `${f} after edit ${i}`);
      }
      // c's view of the shared file: its symbols where a fresh analysis of c puts them
      const c = (await project.ensure(`${BASE}/c.irqtopo`))!;
      const fresh = analyze(c.root, docs.get(c.root)!.text, {
        reader: (u) => docs.get(u)?.text ?? new Error('none'),
      });
      assert.deepEqual(
        documentSymbols(c.analysis.model, `${BASE}/platform.irqtopo`),
        documentSymbols(fresh.model, `${BASE}/platform.irqtopo`),
        `c's platform after edit ${i}`,
      );
    }
  });

  it('moves an included file out of its context as soon as the include is dropped', async () => {
    const { project, open, change, published, moved } = setup();
    open('platform.irqtopo', fs.readFileSync(path.join(ROOT, 'test/fixtures/lsp/platform.irqtopo'), 'utf8'));
    open('a.irqtopo', fs.readFileSync(path.join(ROOT, 'test/fixtures/lsp/machine.irqtopo'), 'utf8'));
    await project.ensure(`${BASE}/a.irqtopo`);
    assert.equal((await published('platform.irqtopo')).root, `${BASE}/a.irqtopo`);
    change('platform.irqtopo', { range: { start: at(0, 0), end: at(0, 0) }, text: '# edited\n' });
    change('a.irqtopo', { range: { start: at(1, 0), end: at(2, 0) }, text: '' });
    const p = await published('platform.irqtopo');
    assert.equal(p.root, `${BASE}/platform.irqtopo`);
    assert.deepEqual(p.got, p.want);
    assert.equal(p.got.length, 2);
    assert.ok(moved.includes(`${BASE}/platform.irqtopo`), 'its context moved: published again');
  });
});
