// The bundled language server over stdio, driven as an LSP client would (dist/server.js --stdio).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  DidChangeConfigurationNotification,
  DidChangeWatchedFilesNotification,
  DidCloseTextDocumentNotification,
  FileChangeType,
  SymbolKind,
  type CodeAction,
  type CompletionItem,
  type Hover,
  type InlayHint,
  type Location,
  type TextEdit,
  type WorkspaceEdit,
} from 'vscode-languageserver-protocol/node';
import { applyEdits } from '../../server/src/core/services/util';
import { analyze } from '../../server/src/core';
import { verify } from '../../server/src/core/verify';
import { DiagramRequest, DomainTreeRequest, RoutesRequest, VerifyRequest } from '../../server/src/protocol';
import { Client, ROOT, uriOf } from './client';

const EX = (name: string) => path.join(ROOT, 'examples', name);
const FX = (...p: string[]) => path.join(ROOT, 'test', 'fixtures', ...p);
const read = (f: string) => fs.readFileSync(f, 'utf8');

function at(text: string, needle: string, offset = 0) {
  const i = text.indexOf(needle);
  assert.ok(i >= 0, `'${needle}' not found`);
  const before = text.slice(0, i + offset);
  return { line: before.split('\n').length - 1, character: before.length - (before.lastIndexOf('\n') + 1) };
}

function apply(text: string, edit: WorkspaceEdit, uri: string): string {
  const edits: TextEdit[] = edit.changes?.[uri] ?? [];
  return applyEdits(text, edits);
}

describe('language server over stdio', function () {
  this.timeout(30000);
  let c: Client;

  before(async () => {
    assert.ok(fs.existsSync(path.join(ROOT, 'dist', 'server.js')), 'run npm run build first');
    c = new Client({
      workspaceFolder: path.join(ROOT, 'test', 'fixtures', 'lsp'),
      // as the VS Code client: it runs the code lenses' command
      initializationOptions: { debounceMs: 0, clientCommands: ['irqtopo.showRoute'] },
    });
    await c.start();
  });
  after(async () => {
    await c.stop();
  });

  it('announces its capabilities at initialize', () => {
    const caps = c.initializeResult.capabilities;
    assert.deepEqual(caps.textDocumentSync, { openClose: true, change: 2 });
    for (const k of [
      'hoverProvider',
      'definitionProvider',
      'referencesProvider',
      'documentHighlightProvider',
      'documentSymbolProvider',
      'workspaceSymbolProvider',
      'foldingRangeProvider',
      'selectionRangeProvider',
      'documentFormattingProvider',
      'inlayHintProvider',
    ] as const)
      assert.equal(caps[k], true, k);
    assert.deepEqual(caps.renameProvider, { prepareProvider: true });
    assert.ok(caps.completionProvider?.triggerCharacters?.includes(':'));
    assert.ok(!caps.completionProvider?.triggerCharacters?.includes(' '), 'no completion after every space');
    assert.deepEqual((caps.codeActionProvider as { codeActionKinds: string[] }).codeActionKinds, [
      'quickfix',
      'source.fixAll',
    ]);
    assert.ok(caps.semanticTokensProvider?.legend.tokenTypes.includes('namespace'));
    assert.ok(caps.codeLensProvider);
    assert.equal(c.initializeResult.serverInfo?.name, 'irqtopo-language-server');
  });

  it('publishes diagnostics with codes, rule links, related information and tags', async () => {
    const file = EX('ims-under-pci-msi.irqtopo');
    const uri = uriOf(file);
    const d = await c.open(uri, read(file));
    const ims = d.diagnostics.find((x) => x.code === 'ims-parent-pci-msi')!;
    assert.ok(ims, JSON.stringify(d.diagnostics));
    assert.equal(ims.severity, 1);
    assert.equal(ims.source, 'irqtopo');
    // the rule's section in docs/rules.md beside the bundles (shipped with the extension)
    const href = ims.codeDescription?.href ?? '';
    assert.equal(href, pathToFileURL(path.join(ROOT, 'docs', 'rules.md')).href + '#ims-parent-pci-msi');
    assert.match(fs.readFileSync(fileURLToPath(href), 'utf8'), /<a id="ims-parent-pci-msi"><\/a>/);
    assert.equal(ims.range.start.line, at(read(file), '"IR-PCI-MSIX-0000:6a:01.0"').line);
    assert.match(ims.relatedInformation?.[0].message ?? '', /pci-msi/);
    assert.equal(d.version, 1);

    const unused = await c.change(uri, [
      {
        range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
        text: 'domain SPARE : ims { parent IR-1; slots 4 }\n',
      },
    ]);
    const u = unused.diagnostics.find((x) => x.code === 'unused-domain')!;
    assert.ok(u, 'unused-domain reported');
    assert.deepEqual(u.tags, [1]);
    assert.equal(u.severity, 4);
    await c.connection.sendNotification(DidCloseTextDocumentNotification.type, { textDocument: { uri } });
  });

  it('hover: a domain, an interrupt route and a keyword', async () => {
    const file = EX('two-ir-units.irqtopo');
    const uri = uriOf(file);
    const text = read(file);
    const d = await c.open(uri, text);
    assert.deepEqual(
      d.diagnostics.filter((x) => x.severity === 1),
      [],
    );
    const hover = (needle: string, off: number) =>
      c.connection.sendRequest<Hover | null>('textDocument/hover', {
        textDocument: { uri },
        position: at(text, needle, off),
      });
    const dom = (await hover('domain IMS-dsa1', 8))!;
    const v = (dom.contents as { value: string }).value;
    assert.match(v, /Parent chain: IMS-dsa1 → IR-1 → VECTOR/);
    assert.match(v, /Parent rule: an MSI parent/);
    const irq = ((await hover('irq nvme0.admin', 11))!.contents as { value: string }).value;
    assert.match(irq, /Route: IR-PCI-MSIX-0000:31:00.0 → IR-0 → VECTOR/);
    assert.match(irq, /→ CPU 0 · 0x21 · IRTE 0/); // derived in examples/two-ir-units.irqtopo
    assert.match(irq, /Message: address 0xfee00018, data 0x0/);
    const kw = ((await hover('vendor intel', 2))!.contents as { value: string }).value;
    assert.match(kw, /Intel VT-d/);
  });

  it('completion: kinds, properties for the kind, legal parents first', async () => {
    const uri = 'untitled:completion.irqtopo';
    const text =
      'arch x86\ncpus 0-3\ndomain VECTOR : vector\ndomain IR-0 : remap { parent VECTOR }\ndomain DM : dmar-msi { parent VECTOR }\ndomain NEW : ims {\n  parent \n}\ndomain K : \n';
    await c.open(uri, text);
    const complete = (line: number, character: number) =>
      c.connection.sendRequest<CompletionItem[]>('textDocument/completion', {
        textDocument: { uri },
        position: { line, character },
      });
    const parents = (await complete(6, 9)).map((i) => i.label);
    assert.deepEqual(parents.sort(), ['IR-0', 'VECTOR']);
    const kinds = (await complete(8, 11)).map((i) => i.label);
    assert.ok(kinds.includes('remap') && kinds.includes('ims'));
    const props = (await complete(6, 0)).map((i) => i.label);
    assert.ok(props.includes('slots') && props.includes('device'));
    const top = await complete(9, 0);
    assert.ok(top.some((i) => i.label === 'domain' && i.kind === 14));
  });

  it('definition and rename edits across an include', async () => {
    const machine = FX('lsp', 'machine.irqtopo');
    const platform = FX('lsp', 'platform.irqtopo');
    const mu = uriOf(machine);
    const pu = uriOf(platform);
    const text = read(machine);
    const d = await c.open(mu, text);
    assert.deepEqual(d.diagnostics, []);
    const defs = await c.connection.sendRequest<Location[]>('textDocument/definition', {
      textDocument: { uri: mu },
      position: at(text, 'parent IR-0', 8),
    });
    assert.equal(defs.length, 1);
    assert.equal(defs[0].uri, pu);
    assert.equal(defs[0].range.start.line, 6);

    const refs = await c.connection.sendRequest<Location[]>('textDocument/references', {
      textDocument: { uri: mu },
      position: at(text, 'msi-domain DMAR-MSI', 12),
      context: { includeDeclaration: true },
    });
    assert.deepEqual(new Set(refs.map((r) => r.uri)), new Set([mu, pu]));

    const prep = await c.connection.sendRequest<{ range: unknown; placeholder: string }>(
      'textDocument/prepareRename',
      {
        textDocument: { uri: mu },
        position: at(text, 'parent IR-0', 8),
      },
    );
    assert.equal(prep.placeholder, 'IR-0');
    const edit = await c.connection.sendRequest<WorkspaceEdit>('textDocument/rename', {
      textDocument: { uri: mu },
      position: at(text, 'parent IR-0', 8),
      newName: 'IR-SOCKET0',
    });
    assert.deepEqual(Object.keys(edit.changes!).sort(), [mu, pu].sort());
    assert.match(apply(read(platform), edit, pu), /domain IR-SOCKET0 : remap/);
    assert.match(apply(text, edit, mu), /parent IR-SOCKET0/);

    await assert.rejects(
      c.connection.sendRequest('textDocument/rename', {
        textDocument: { uri: mu },
        position: at(text, 'parent IR-0', 8),
        newName: 'VECTOR',
      }),
      /exists already/,
    );

    // the included file, opened, is checked in its includer's context (no unused-domain there)
    const pd = await c.open(pu, read(platform));
    assert.deepEqual(pd.diagnostics, []);
    // an edit in the included file re-checks the file that includes it
    const again = c.diagnosticsWhere(mu, (x) => x.diagnostics.length > 0);
    const changed = await c.change(pu, [
      {
        range: { start: at(read(platform), 'domain IR-0', 7), end: at(read(platform), 'domain IR-0', 11) },
        text: 'IR-X',
      },
    ]);
    assert.deepEqual(changed.diagnostics, []);
    const m = await again;
    assert.ok(
      m.diagnostics.some(
        (x) =>
          x.code === 'unknown-name' &&
          (typeof x.message === 'string' ? x.message : x.message.value).includes("'IR-0'"),
      ),
      JSON.stringify(m.diagnostics),
    );
    await c.connection.sendNotification(DidCloseTextDocumentNotification.type, { textDocument: { uri: pu } });
  });

  it('code actions whose edits make their error go away', async () => {
    for (const [file, code] of [
      [FX('checks', 'ims-parent-pci-msi', 'fire.irqtopo'), 'ims-parent-pci-msi'],
      [FX('checks', 'ims-shared', 'fire.irqtopo'), 'ims-shared'],
      [FX('checks', 'remap-scope-mismatch', 'fire.irqtopo'), 'remap-scope-mismatch'],
      [FX('checks', 'dmar-msi-under-remap', 'fire.irqtopo'), 'dmar-msi-under-remap'],
      [FX('checks', 'virtual-msix', 'fire.irqtopo'), 'virtual-msix'],
    ]) {
      const uri = uriOf(file);
      const text = read(file);
      const d = await c.open(uri, text);
      const diag = d.diagnostics.find((x) => x.code === code);
      assert.ok(diag, `${code} published`);
      const actions = await c.connection.sendRequest<CodeAction[]>('textDocument/codeAction', {
        textDocument: { uri },
        range: diag.range,
        context: { diagnostics: [diag], only: ['quickfix'] },
      });
      assert.equal(actions.length, 1, `${code}: ${JSON.stringify(actions)}`);
      assert.equal(actions[0].kind, 'quickfix');
      const fixed = apply(text, actions[0].edit!, uri);
      const after = await c.change(uri, [{ text: fixed }]);
      assert.deepEqual(
        after.diagnostics.filter((x) => x.code === code),
        [],
        `${code} gone after "${actions[0].title}"`,
      );
      assert.deepEqual(
        after.diagnostics.filter((x) => x.severity === 1),
        [],
        `${code}: no new error`,
      );
      await c.connection.sendNotification(DidCloseTextDocumentNotification.type, { textDocument: { uri } });
    }
  });

  it('source.fixAll fixes every fixable problem of a file', async () => {
    const uri = 'untitled:fixall.irqtopo';
    const text = read(FX('checks', 'ims-parent-pci-msi', 'fire.irqtopo')).replace(
      'parent VECTOR;',
      'parent VECTR;',
    );
    const d = await c.open(uri, text);
    assert.ok(d.diagnostics.some((x) => x.code === 'unknown-name'));
    const [all] = await c.connection.sendRequest<CodeAction[]>('textDocument/codeAction', {
      textDocument: { uri },
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      context: { diagnostics: [], only: ['source.fixAll'] },
    });
    assert.equal(all.kind, 'source.fixAll');
    const after = await c.change(uri, [{ text: apply(text, all.edit!, uri) }]);
    assert.deepEqual(
      after.diagnostics.filter((x) => x.severity === 1),
      [],
    );
  });

  it('inlay hints per irq, code lenses, and the custom requests', async () => {
    const file = EX('two-ir-units.irqtopo');
    const uri = uriOf(file);
    const text = read(file);
    const hints = await c.connection.sendRequest<InlayHint[]>('textDocument/inlayHint', {
      textDocument: { uri },
      range: { start: { line: 0, character: 0 }, end: { line: 200, character: 0 } },
    });
    const admin = hints.find((h) => h.position.line === at(text, 'irq nvme0.admin').line)!;
    assert.equal(admin.label, '→ CPU 0 · 0x21 · IRTE 0'); // derived in examples/two-ir-units.irqtopo
    const lenses = await c.connection.sendRequest<{ command: { command: string; arguments: unknown[] } }[]>(
      'textDocument/codeLens',
      { textDocument: { uri } },
    );
    assert.ok(lenses.length > 10);
    assert.equal(lenses[0].command.command, 'irqtopo.showRoute');

    const tree = (await c.connection.sendRequest(DomainTreeRequest, { uri }))!;
    assert.equal(tree.roots[0].name, 'VECTOR');
    assert.ok(tree.roots[0].children.some((x) => x.name === 'IR-1' && x.usage?.resource === 'IRTE'));
    const routes = (await c.connection.sendRequest(RoutesRequest, { uri }))!;
    const nvme = routes.devices.find((x) => x.device === 'nvme0')!;
    assert.equal(nvme.irqs[0].irq, 'nvme0.admin');
    assert.equal(nvme.irqs[0].vector, 0x21); // derived in examples/two-ir-units.irqtopo
    assert.deepEqual(nvme.irqs[0].message, { address_hi: 0, address_lo: 0xfee00018, data: 0 });
    const diagram = (await c.connection.sendRequest(DiagramRequest, { uri }))!;
    assert.ok(diagram.nodes.some((n) => n.id === 'domain:IMS-dsa0' && n.cls === 'device'));
    assert.ok(
      diagram.edges.some(
        (e) => e.from === 'domain:IMS-dsa0' && e.to === 'domain:IR-0' && e.range.start.line > 0,
      ),
    );
    assert.equal(diagram.cpus.length, 32);
    assert.equal(
      await c.connection.sendRequest(RoutesRequest, { uri: 'file:///nowhere/none.irqtopo' }),
      null,
    );
  });

  it('symbols, highlights, folding, selection ranges, semantic tokens and formatting', async () => {
    const file = EX('two-ir-units.irqtopo');
    const uri = uriOf(file);
    const req = <T>(method: string, params: object) =>
      c.connection.sendRequest<T>(method, { textDocument: { uri }, ...params });
    const syms = await req<{ name: string; children: { name: string }[] }[]>(
      'textDocument/documentSymbol',
      {},
    );
    assert.equal(syms[0].name, 'VECTOR');
    const ws = await c.connection.sendRequest<{ name: string; location: Location }[]>('workspace/symbol', {
      query: 'IMSdsa',
    });
    assert.ok(ws.some((s) => s.name === 'IMS-dsa0'));
    const hl = await req<unknown[]>('textDocument/documentHighlight', {
      position: at(read(file), 'domain IR-0', 8),
    });
    assert.ok(hl.length > 3);
    const folds = await req<unknown[]>('textDocument/foldingRange', {});
    assert.ok(folds.length > 3);
    const sel = await req<unknown[]>('textDocument/selectionRange', {
      positions: [at(read(file), 'vendor intel', 8)],
    });
    assert.equal(sel.length, 1);
    const tokens = await req<{ data: number[] }>('textDocument/semanticTokens/full', {});
    assert.ok(tokens.data.length > 100 && tokens.data.length % 5 === 0);
    const fmt = await req<TextEdit[]>('textDocument/formatting', {
      options: { tabSize: 2, insertSpaces: true },
    });
    const formatted = applyEdits(read(file), fmt);
    const uri2 = 'untitled:formatted.irqtopo';
    await c.open(uri2, formatted);
    assert.deepEqual(
      await c.connection.sendRequest('textDocument/formatting', {
        textDocument: { uri: uri2 },
        options: { tabSize: 2, insertSpaces: true },
      }),
      [],
    );
  });

  it('outline: a node is a namespace, an offline and a release are events; completion past the end', async () => {
    const uri = uriOf(path.join(os.tmpdir(), 'irqtopo-symbols.irqtopo'));
    const text = [
      'arch x86',
      'cpus 0-3',
      'node 0 cpus 0-3',
      'domain VECTOR : vector',
      'device nic0 { pci 0000:03:00.0; msix 4 }',
      'irq nic0.q[0..3] : msix',
      'offline 3',
      'release nic0',
      '',
    ].join('\n');
    await c.open(uri, text);
    const syms = await c.connection.sendRequest<{ name: string; kind: number }[]>(
      'textDocument/documentSymbol',
      { textDocument: { uri } },
    );
    const kind = (name: string) => syms.find((x) => x.name === name)?.kind;
    assert.equal(kind('node 0'), SymbolKind.Namespace);
    assert.equal(kind('offline 3'), SymbolKind.Event);
    assert.equal(kind('release nic0'), SymbolKind.Event);
    assert.equal(kind('VECTOR'), SymbolKind.Module);
    // a position past the end of the text: the end of the text, no error
    const items = await c.connection.sendRequest<CompletionItem[]>('textDocument/completion', {
      textDocument: { uri },
      position: { line: 500, character: 40 },
    });
    assert.ok(Array.isArray(items));
  });

  it('irqtopo/verify: the core report of the document, each difference at its irq statement', async () => {
    const uri = uriOf(path.join(os.tmpdir(), 'irqtopo-verify.irqtopo'));
    const text = [
      'arch x86',
      'kernel 6.12',
      'cpus 0-3',
      'domain VECTOR : vector',
      'device d { pci 0000:01:00.0; msix 2 }',
      'irq d.a : msix 0 { cpu 2; vector 0x30 }',
      'irq d.b : msix 1',
      '',
    ].join('\n');
    await c.open(uri, text);
    const got = (await c.connection.sendRequest(VerifyRequest, { uri }))!;
    const want = verify(analyze(fileURLToPath(uri), text).model);
    assert.equal(got.unavailable, null);
    assert.equal(got.compared, 1);
    assert.deepEqual(got.columns, want.columns);
    assert.deepEqual(got.agreement, want.agreement);
    // without its pins d.a goes where the kernel would put it first: CPU 0, 0x20 (6.12, ties to the lowest)
    assert.deepEqual(
      got.differences.map((d) => [d.irq, d.column, d.observed, d.simulated]),
      [
        ['d.a', 'cpu', 2, 0],
        ['d.a', 'vector', 0x30, 0x20],
        ['d.a', 'message', '0xfee02000 / 0x0030', '0xfee00000 / 0x0020'],
      ],
    );
    for (const d of got.differences) {
      assert.equal(d.uri, uri);
      assert.equal(d.range?.start.line, 5);
      assert.equal(d.cause, want.differences.find((w) => w.column === d.column)!.cause);
    }
    const broken = uriOf(path.join(os.tmpdir(), 'irqtopo-verify-broken.irqtopo'));
    await c.open(broken, 'arch x86\ndomain VECTOR : vector\n');
    const none = (await c.connection.sendRequest(VerifyRequest, { uri: broken }))!;
    assert.equal(none.compared, 0);
    assert.match(none.unavailable ?? '', /cannot be simulated: no cpus/);
    assert.equal(
      await c.connection.sendRequest(VerifyRequest, { uri: 'file:///nowhere/none.irqtopo' }),
      null,
    );
  });

  it('answers requests on unknown documents and positions without failing', async () => {
    const uri = 'file:///nowhere/none.irqtopo';
    assert.equal(
      await c.connection.sendRequest('textDocument/hover', {
        textDocument: { uri },
        position: { line: 3, character: 3 },
      }),
      null,
    );
    const file = EX('two-ir-units.irqtopo');
    assert.equal(
      await c.connection.sendRequest('textDocument/hover', {
        textDocument: { uri: uriOf(file) },
        position: { line: 99999, character: 99 },
      }),
      null,
    );
  });
});

describe('language server: settings and files on disk', function () {
  this.timeout(30000);

  it('applies irqtopo.rules from workspace/configuration, and again on didChangeConfiguration', async () => {
    let rules: Record<string, string> = { 'ims-parent-pci-msi': 'warning', 'no-such-rule': 'error' };
    const c = new Client({
      capabilities: { workspace: { configuration: true } },
      configuration: (items) => items.map(() => ({ rules })),
      initializationOptions: { debounceMs: 0 },
    });
    try {
      await c.start();
      const file = EX('ims-under-pci-msi.irqtopo');
      const uri = uriOf(file);
      const d = await c.open(uri, read(file));
      assert.equal(d.diagnostics.find((x) => x.code === 'ims-parent-pci-msi')?.severity, 2);
      rules = { 'ims-parent-pci-msi': 'off' };
      const next = c.diagnostics(uri);
      await c.connection.sendNotification(DidChangeConfigurationNotification.type, { settings: {} });
      assert.deepEqual(
        (await next).diagnostics.filter((x) => x.code === 'ims-parent-pci-msi'),
        [],
      );
    } finally {
      await c.stop();
    }
  });

  it('code lenses follow irqtopo.codeLens (pulled per document), and the client is asked to refresh them', async () => {
    let codeLens: Record<string, boolean> = { interrupts: true };
    let refreshed = 0;
    let onRefresh = () => {};
    const nextRefresh = () => new Promise<void>((resolve) => (onRefresh = resolve));
    const c = new Client({
      capabilities: { workspace: { configuration: true, codeLens: { refreshSupport: true } } },
      configuration: (items) => items.map(() => ({ codeLens })),
      initializationOptions: { debounceMs: 0, clientCommands: ['irqtopo.showRoute'] },
    });
    c.connection.onRequest('workspace/codeLens/refresh', () => {
      refreshed++;
      onRefresh();
      return null;
    });
    type Lens = { range: { start: { line: number } }; command: { title: string; arguments: unknown[] } };
    const lenses = async (uri: string) =>
      c.connection.sendRequest<Lens[]>('textDocument/codeLens', { textDocument: { uri } });
    try {
      await c.start();
      const file = EX('two-ir-units.irqtopo');
      const uri = uriOf(file);
      const text = read(file);
      // asked at once after the open: the request waits for the document's settings
      const opened = c.open(uri, text);
      const first = await lenses(uri);
      await opened;
      const line = at(text, 'irq nic1.q[0..7]').line;
      const q = first.filter((l) => l.range.start.line === line);
      assert.deepEqual(
        q.map((l) => l.command.title),
        ['Show route q[0]', 'q[1]', 'q[2]', 'q[3]', 'q[4]', 'q[5]', 'q[6]', 'q[7]'],
      );
      assert.deepEqual((q[3].command.arguments[0] as { irqs: string[] }).irqs, ['nic1.q[3]']);
      // interrupts off: device lines only, as the VS Code client's filter used to leave them
      codeLens = { interrupts: false };
      let refresh = nextRefresh();
      await c.connection.sendNotification(DidChangeConfigurationNotification.type, { settings: {} });
      await refresh;
      const lines = text.split('\n');
      const devices = await lenses(uri);
      assert.ok(devices.length >= 5);
      for (const l of devices) assert.match(lines[l.range.start.line], /^device /);
      assert.equal(refreshed, 1, 'workspace/codeLens/refresh after the change');
      // turned off: none
      codeLens = { enabled: false, interrupts: true };
      refresh = nextRefresh();
      await c.connection.sendNotification(DidChangeConfigurationNotification.type, { settings: {} });
      await refresh;
      assert.deepEqual(await lenses(uri), []);
      assert.equal(refreshed, 2);
      // nothing changed: no refresh
      await c.connection.sendNotification(DidChangeConfigurationNotification.type, { settings: {} });
      await c.change(uri, [{ text: text + '\n' }]);
      assert.equal(refreshed, 2);
    } finally {
      await c.stop();
    }
  });

  it('code lens settings from initializationOptions and pushed settings, for clients without workspace/configuration', async () => {
    const c = new Client({
      initializationOptions: {
        debounceMs: 0,
        clientCommands: ['irqtopo.showRoute'],
        codeLens: { interrupts: true },
      },
    });
    try {
      await c.start();
      const file = EX('two-ir-units.irqtopo');
      const uri = uriOf(file);
      const text = read(file);
      await c.open(uri, text);
      const get = () =>
        c.connection.sendRequest<{ range: { start: { line: number } } }[]>('textDocument/codeLens', {
          textDocument: { uri },
        });
      const line = at(text, 'irq nic1.q[0..7]').line;
      assert.equal((await get()).filter((l) => l.range.start.line === line).length, 8);
      await c.connection.sendNotification(DidChangeConfigurationNotification.type, {
        settings: { irqtopo: { codeLens: { enabled: false } } },
      });
      // a request after the notification sees it (one connection, in order)
      assert.deepEqual(await get(), []);
    } finally {
      await c.stop();
    }
  });

  it('re-checks the open files that include a file changed on disk', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'irqtopo-lsp-'));
    const c = new Client({ initializationOptions: { debounceMs: 0 } });
    try {
      fs.copyFileSync(FX('lsp', 'platform.irqtopo'), path.join(dir, 'platform.irqtopo'));
      const machine = path.join(dir, 'machine.irqtopo');
      fs.copyFileSync(FX('lsp', 'machine.irqtopo'), machine);
      await c.start();
      const uri = uriOf(machine);
      assert.deepEqual((await c.open(uri, read(machine))).diagnostics, []);
      fs.writeFileSync(
        path.join(dir, 'platform.irqtopo'),
        read(FX('lsp', 'platform.irqtopo')).replace('domain IR-0 ', 'domain IR-9 '),
      );
      const next = c.diagnosticsWhere(uri, (x) => x.diagnostics.length > 0);
      await c.connection.sendNotification(DidChangeWatchedFilesNotification.type, {
        changes: [{ uri: uriOf(path.join(dir, 'platform.irqtopo')), type: FileChangeType.Changed }],
      });
      const d = await next;
      assert.ok(
        d.diagnostics.some((x) => x.code === 'unknown-name'),
        JSON.stringify(d.diagnostics),
      );
    } finally {
      await c.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
