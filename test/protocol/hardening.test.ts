// Issue 13's server defects, each as a regression test against the bundled server over stdio: the
// analysis context when an include is dropped within a debounce window, a reused version number,
// positions past the end, CR and CRLF line breaks, and includes that must not be read (a FIFO, a
// device, a file not named *.irqtopo, a link to one, a huge file, outside an untrusted workspace).
// Issue 15's LSP items too: code lenses only for clients that run their command, watched files.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  DidChangeTextDocumentNotification,
  DidOpenTextDocumentNotification,
  type Hover,
  type PublishDiagnosticsParams,
} from 'vscode-languageserver-protocol/node';
import { Client, ROOT, uriOf } from './client';

const FX = (...p: string[]) => path.join(ROOT, 'test', 'fixtures', ...p);
const read = (f: string) => fs.readFileSync(f, 'utf8');
const message = (d: { message: string | { value: string } }) =>
  typeof d.message === 'string' ? d.message : d.message.value;

function hoverText(h: Hover | null): string {
  return h ? (h.contents as { value: string }).value : '';
}

describe('language server: issue 13 regressions', function () {
  this.timeout(30000);

  it('publishes an included file on its own when its includer drops the include in the same debounce window', async () => {
    // a fixed debounce wide enough that both edits are checked together
    const c = new Client({ initializationOptions: { debounceMs: 150 } });
    try {
      await c.start();
      const mu = uriOf(FX('lsp', 'machine.irqtopo'));
      const pu = uriOf(FX('lsp', 'platform.irqtopo'));
      await c.open(mu, read(FX('lsp', 'machine.irqtopo')));
      const inContext = await c.open(pu, read(FX('lsp', 'platform.irqtopo')));
      assert.deepEqual(inContext.diagnostics, [], 'in the machine: every domain is used');
      // b (platform) is edited, then a (machine) drops `include "platform.irqtopo"` (line 1)
      const v = await c.changeNoWait(pu, [
        { range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: '# edited\n' },
      ]);
      await c.changeNoWait(mu, [
        { range: { start: { line: 1, character: 0 }, end: { line: 2, character: 0 } }, text: '' },
      ]);
      const alone = await c.diagnostics(pu, v);
      assert.deepEqual(
        alone.diagnostics.map((d) => d.code),
        ['unused-domain', 'unused-domain'],
        'the platform alone: IR-0 and DMAR-MSI serve nothing',
      );
      assert.deepEqual(c.errors, []);
    } finally {
      await c.stop();
    }
  });

  it('publishes an included file in its includer context when the include is added', async () => {
    const d = new Client({ initializationOptions: { debounceMs: 0 } });
    try {
      await d.start();
      const mu = uriOf(FX('lsp', 'machine.irqtopo'));
      const pu = uriOf(FX('lsp', 'platform.irqtopo'));
      const machine = read(FX('lsp', 'machine.irqtopo'));
      const alone = await d.open(pu, read(FX('lsp', 'platform.irqtopo')));
      assert.equal(alone.diagnostics.length, 2);
      await d.open(mu, machine.replace('include "platform.irqtopo"\n', '# no include yet\n'));
      // the machine adds the include: the platform is published again, now in the machine's context
      const next = d.diagnosticsWhere(pu, (p) => p.diagnostics.length === 0);
      await d.change(mu, [
        {
          range: { start: { line: 1, character: 0 }, end: { line: 1, character: 16 } },
          text: 'include "platform.irqtopo"',
        },
      ]);
      assert.deepEqual((await next).diagnostics, []);
    } finally {
      await d.stop();
    }
  });

  it('treats a change that reuses a version number as new content', async () => {
    const c = new Client({ initializationOptions: { debounceMs: 0 } });
    try {
      await c.start();
      const uri = 'untitled:reuse.irqtopo';
      const bad = 'arch x86\ncpus 0-3\ndomain VECTOR : vector\ndomain OLD : nosuchkind\n';
      const good = 'arch x86\ncpus 0-3\ndomain VECTOR : vector\ndomain NEW : remap { parent VECTOR }\n';
      const first = await c.open(uri, bad, 7);
      assert.ok(first.diagnostics.some((d) => d.code === 'unknown-kind'));
      const next = new Promise<PublishDiagnosticsParams>((resolve) => {
        const sub = c.connection.onNotification(
          'textDocument/publishDiagnostics',
          (p: PublishDiagnosticsParams) => {
            if (p.uri !== uri) return;
            sub.dispose();
            resolve(p);
          },
        );
      });
      // the same version number, new content
      await c.connection.sendNotification(DidChangeTextDocumentNotification.type, {
        textDocument: { uri, version: 7 },
        contentChanges: [{ text: good }],
      });
      const after = await next;
      assert.deepEqual(
        after.diagnostics.filter((d) => d.code === 'unknown-kind'),
        [],
        JSON.stringify(after.diagnostics),
      );
      const h = await c.connection.sendRequest<Hover | null>('textDocument/hover', {
        textDocument: { uri },
        position: { line: 3, character: 8 },
      });
      assert.match(hoverText(h), /NEW/);
    } finally {
      await c.stop();
    }
  });

  it('answers every request with positions past the end (a line past the end, a character past the line)', async () => {
    const c = new Client({ initializationOptions: { debounceMs: 0, clientCommands: ['irqtopo.showRoute'] } });
    try {
      await c.start();
      const file = path.join(ROOT, 'examples', 'two-ir-units.irqtopo');
      const uri = uriOf(file);
      const text = read(file);
      await c.open(uri, text);
      const lines = text.split('\n').length;
      const td = { textDocument: { uri } };
      for (const position of [
        { line: lines + 5, character: 0 },
        { line: lines + 5, character: 400 },
        { line: 30, character: 10_000 },
        { line: 2 ** 31 - 1, character: 2 ** 31 - 1 },
      ]) {
        const range = { start: { line: 0, character: 0 }, end: position };
        const far = { start: position, end: position };
        const requests: [string, object][] = [
          ['textDocument/hover', { ...td, position }],
          ['textDocument/completion', { ...td, position }],
          ['textDocument/definition', { ...td, position }],
          ['textDocument/references', { ...td, position, context: { includeDeclaration: true } }],
          ['textDocument/documentHighlight', { ...td, position }],
          ['textDocument/selectionRange', { ...td, positions: [position] }],
          ['textDocument/inlayHint', { ...td, range }],
          ['textDocument/inlayHint', { ...td, range: far }],
          ['textDocument/semanticTokens/range', { ...td, range }],
          ['textDocument/semanticTokens/range', { ...td, range: far }],
          ['textDocument/codeAction', { ...td, range: far, context: { diagnostics: [] } }],
          ['textDocument/codeLens', td],
          ['textDocument/foldingRange', td],
        ];
        for (const [method, params] of requests)
          await c.connection.sendRequest(method, params).then(
            () => undefined,
            (e: Error) => assert.fail(`${method} at ${JSON.stringify(position)}: ${e.message}`),
          );
        // rename: nothing to rename there is a RequestFailed with a message, never an internal error
        for (const method of ['textDocument/prepareRename', 'textDocument/rename'])
          await c.connection.sendRequest(method, { ...td, position, newName: 'X' }).then(
            () => undefined, // a name clamped into the text, or nothing (null)
            (e: { code: number; message: string }) => {
              assert.equal(e.code, -32803, `${method}: ${e.message}`);
              assert.doesNotMatch(e.message, /failed:/);
            },
          );
      }
      // completion on the line just past the end is at the end: the top-level statements
      const items = await c.connection.sendRequest<{ label: string }[]>('textDocument/completion', {
        ...td,
        position: { line: lines + 1, character: 0 },
      });
      assert.ok(Array.isArray(items));
      assert.deepEqual(c.errors, [], 'no request failed inside the server');
    } finally {
      await c.stop();
    }
  });

  for (const [name, eol] of [
    ['CR', '\r'],
    ['CRLF', '\r\n'],
  ] as const)
    it(`counts ${name} line breaks as the client does: edits, diagnostics, hover and completion`, async () => {
      const c = new Client({ initializationOptions: { debounceMs: 0 } });
      try {
        await c.start();
        const uri = `untitled:eol-${name}.irqtopo`;
        const text = [
          '# a comment',
          'arch x86',
          'cpus 0-3',
          'domain VECTOR : vector',
          'domain IR-0 : remap { parent VECTOR; vendor intel }',
          'domain IMS-X : ims { parent IR-0; slots 4 }',
          '',
        ].join(eol);
        await c.open(uri, text);
        const hover = async (line: number, character: number) =>
          hoverText(
            await c.connection.sendRequest<Hover | null>('textDocument/hover', {
              textDocument: { uri },
              position: { line, character },
            }),
          );
        assert.match(await hover(4, 8), /Parent chain: IR-0 → VECTOR/);
        // an incremental edit addressed in lines: a new line 1, and a bad parent on (new) line 6
        await c.change(uri, [
          {
            range: { start: { line: 1, character: 0 }, end: { line: 1, character: 0 } },
            text: `# more${eol}`,
          },
        ]);
        const d = await c.change(uri, [
          { range: { start: { line: 6, character: 28 }, end: { line: 6, character: 32 } }, text: 'IR-9' },
        ]);
        const unknown = d.diagnostics.find((x) => x.code === 'unknown-name');
        assert.ok(unknown, JSON.stringify(d.diagnostics));
        assert.deepEqual(unknown.range, {
          start: { line: 6, character: 28 },
          end: { line: 6, character: 32 },
        });
        assert.match(await hover(5, 8), /Parent chain: IR-0 → VECTOR/);
        const kinds = await c.connection.sendRequest<{ label: string }[]>('textDocument/completion', {
          textDocument: { uri },
          position: { line: 7, character: 0 },
        });
        assert.ok(kinds.some((i) => i.label === 'domain'));
        assert.deepEqual(c.errors, []);
      } finally {
        await c.stop();
      }
    });
});

describe('language server: includes it must not read', function () {
  this.timeout(30000);
  let dir: string;
  const SECRET = 'PRIVATE-KEY-7f3a9c';

  before(function () {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'irqtopo-includes-'));
    const ws = path.join(dir, 'ws');
    fs.mkdirSync(ws);
    fs.mkdirSync(path.join(dir, 'outside'));
    const mk = spawnSync('mkfifo', [path.join(ws, 'fifo.irqtopo')]);
    if (mk.status !== 0) this.skip();
    fs.symlinkSync('/dev/zero', path.join(ws, 'dev.irqtopo'));
    fs.writeFileSync(path.join(ws, 'notes.txt'), `${SECRET}\n`);
    fs.symlinkSync(path.join(ws, 'notes.txt'), path.join(ws, 'link.irqtopo'));
    fs.writeFileSync(path.join(ws, 'big.irqtopo'), '#'.repeat(5 * 1024 * 1024));
    fs.writeFileSync(path.join(ws, 'binary.irqtopo'), `domain A : vector\n\0${SECRET}`);
    fs.writeFileSync(path.join(ws, 'ok.irqtopo'), 'domain VECTOR : vector\n');
    fs.writeFileSync(path.join(dir, 'outside', 'far.irqtopo'), 'domain FAR : remap { parent VECTOR }\n');
    fs.writeFileSync(
      path.join(ws, 'main.irqtopo'),
      [
        'arch x86',
        'cpus 0-3',
        'include "ok.irqtopo"',
        'include "fifo.irqtopo"',
        'include "dev.irqtopo"',
        'include "notes.txt"',
        'include "link.irqtopo"',
        'include "big.irqtopo"',
        'include "binary.irqtopo"',
        'include "../outside/far.irqtopo"',
        'domain IR-0 : remap { parent FAR }',
        '',
      ].join('\n'),
    );
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  const EXPECTED: [string, RegExp][] = [
    ['fifo.irqtopo', /is a FIFO \(named pipe\), not a regular file: not read/],
    ['dev.irqtopo', /is a device, not a regular file: not read/],
    ['notes.txt', /is not a topology file: only files named \*\.irqtopo are included/],
    ['link.irqtopo', /is a link to a file not named \*\.irqtopo: not read/],
    ['big.irqtopo', /is 5 MiB; topology files are read up to 4 MiB/],
    ['binary.irqtopo', /holds NUL bytes: a binary file, not a topology/],
  ];

  function checkMessages(messages: string[]): void {
    for (const [file, re] of EXPECTED)
      assert.ok(
        messages.some((m) => m.includes(`"${file}"`) && re.test(m)),
        `${file}: ${re} in\n${messages.join('\n')}`,
      );
    for (const m of messages) assert.ok(!m.includes(SECRET), `the file's contents leak: ${m}`);
  }

  it('the server refuses FIFOs, devices, other files, links to them, huge and binary files, saying why', async () => {
    const ws = path.join(dir, 'ws');
    const c = new Client({ initializationOptions: { debounceMs: 0 }, workspaceFolder: ws });
    try {
      await c.start();
      const main = path.join(ws, 'main.irqtopo');
      const d = await c.open(uriOf(main), read(main));
      const includeErrors = d.diagnostics.filter((x) => x.code === 'include-error').map(message);
      checkMessages(includeErrors);
      assert.equal(includeErrors.length, EXPECTED.length, includeErrors.join('\n'));
      // ok.irqtopo and (trusted by default) ../outside/far.irqtopo were read
      assert.deepEqual(
        d.diagnostics.filter((x) => x.code === 'unknown-name'),
        [],
      );
      // still answering
      const h = await c.connection.sendRequest<Hover | null>('textDocument/hover', {
        textDocument: { uri: uriOf(main) },
        position: { line: 10, character: 8 },
      });
      assert.match(hoverText(h), /IR-0/);
    } finally {
      await c.stop();
    }
  });

  it('in an untrusted workspace, reads no include outside the workspace folders', async () => {
    const ws = path.join(dir, 'ws');
    const c = new Client({
      initializationOptions: { debounceMs: 0, trustedWorkspace: false },
      workspaceFolder: ws,
    });
    try {
      await c.start();
      const main = path.join(ws, 'main.irqtopo');
      const d = await c.open(uriOf(main), read(main));
      const far = d.diagnostics.filter(
        (x) => x.code === 'include-error' && message(x).includes('far.irqtopo'),
      );
      assert.equal(far.length, 1, JSON.stringify(d.diagnostics));
      assert.match(message(far[0]), /outside the workspace folders: in an untrusted workspace/);
      assert.ok(d.diagnostics.some((x) => x.code === 'unknown-name' && message(x).includes('FAR')));
      // inside the folder, includes are still read
      assert.ok(!d.diagnostics.some((x) => message(x).includes('"ok.irqtopo"')));
    } finally {
      await c.stop();
    }
  });

  it('the CLI reads includes through the same reader: the same refusals, no contents, no hang', () => {
    const r = spawnSync(process.execPath, [path.join(ROOT, 'dist', 'cli.js'), 'check', 'main.irqtopo'], {
      cwd: path.join(dir, 'ws'),
      encoding: 'utf8',
      timeout: 20000,
    });
    assert.equal(r.signal, null, 'the CLI did not hang');
    const out = `${r.stdout}${r.stderr}`;
    checkMessages(out.split('\n').filter((l) => l.includes('include-error')));
    assert.ok(!out.includes(SECRET));
    assert.equal(r.status, 1, out);
  });
});

describe('language server: client capabilities (issue 15)', function () {
  this.timeout(30000);

  it('offers code lenses only to clients that run their command', async () => {
    const plain = new Client({ initializationOptions: { debounceMs: 0 } });
    try {
      const init = await plain.start();
      assert.equal(init.capabilities.codeLensProvider, undefined);
      const uri = uriOf(path.join(ROOT, 'examples', 'two-ir-units.irqtopo'));
      await plain.open(uri, read(path.join(ROOT, 'examples', 'two-ir-units.irqtopo')));
      assert.deepEqual(
        await plain.connection.sendRequest('textDocument/codeLens', { textDocument: { uri } }),
        [],
      );
    } finally {
      await plain.stop();
    }
  });

  it('registers a watcher for every topology file when the client supports it, and re-checks on its events', async () => {
    const c = new Client({
      initializationOptions: { debounceMs: 0 },
      capabilities: { workspace: { didChangeWatchedFiles: { dynamicRegistration: true } } },
    });
    try {
      await c.start();
      const uri = 'untitled:watch.irqtopo';
      await c.connection.sendNotification(DidOpenTextDocumentNotification.type, {
        textDocument: { uri, languageId: 'irqtopo', version: 1, text: 'arch x86\n' },
      });
      await c.diagnostics(uri, 1);
      const reg = c.registrations.find((r) => r.method === 'workspace/didChangeWatchedFiles');
      assert.ok(reg, JSON.stringify(c.registrations));
      assert.deepEqual(
        (reg.registerOptions as { watchers: { globPattern: string }[] }).watchers.map((w) => w.globPattern),
        ['**/*.irqtopo'],
      );
    } finally {
      await c.stop();
    }
  });
});
