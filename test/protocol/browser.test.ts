// The web-worker server (dist/server.js, which is also the Node server) in headless Chromium, at the
// protocol level: a page starts it as a Worker, speaks JSON-RPC over postMessage as
// vscode-languageclient/browser does, answers `irqtopo/readFile` from a map (the workspace file system
// of vscode.dev), opens a file that includes another, and receives diagnostics and a hover.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { CHROMIUM, chromiumAvailable, launchChromium } from '../bench/webview-harness';
import { ROOT } from './client';

interface PageResult {
  diagnostics: Record<string, { code: string; message: string; range: { start: { line: number } } }[]>;
  hover: { contents: { value: string } } | null;
  reads: string[];
  errors: string[];
  capabilities: Record<string, unknown>;
}

const BASE = 'vscode-vfs://github/example/topology';

describe('language server in a web worker (headless Chromium)', function () {
  this.timeout(60000);
  let server: http.Server;
  let origin: string;

  before(async function () {
    if (!chromiumAvailable()) {
      console.log(`    (skipped: no Chromium at ${CHROMIUM})`);
      this.skip();
    }
    const bundle = path.join(ROOT, 'dist', 'server.js');
    assert.ok(fs.existsSync(bundle), 'run npm run build first');
    server = http.createServer((req, res) => {
      if (req.url === '/server.js')
        res.writeHead(200, { 'content-type': 'text/javascript' }).end(fs.readFileSync(bundle));
      else res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>irqtopo</title>');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => server?.close());

  it('initializes, reads an include through the client, publishes diagnostics and answers a hover', async () => {
    const chrome = await launchChromium();
    try {
      const page = chrome.page;
      const pageErrors: string[] = [];
      page.on('pageerror', (e) => pageErrors.push(String(e)));
      await page.goto(`${origin}/`);
      const files: Record<string, string> = {
        [`${BASE}/machine.irqtopo`]: fs.readFileSync(
          path.join(ROOT, 'test/fixtures/lsp/machine.irqtopo'),
          'utf8',
        ),
        [`${BASE}/platform.irqtopo`]: fs.readFileSync(
          path.join(ROOT, 'test/fixtures/lsp/platform.irqtopo'),
          'utf8',
        ),
      };
      const bad = 'arch x86\ncpus 0-3\ndomain VECTOR : vector\ndomain X : nosuchkind\n';
      const r = await page.evaluate(
        async ({ files, base, bad }): Promise<PageResult> => {
          const worker = new Worker('/server.js');
          const errors: string[] = [];
          worker.onerror = (e) => errors.push(String(e.message));
          let nextId = 1;
          const waiting = new Map<number, { res: (v: unknown) => void; rej: (e: unknown) => void }>();
          const diagnostics: PageResult['diagnostics'] = {};
          const diagWaiters: { uri: string; res: () => void }[] = [];
          const reads: string[] = [];
          const send = (m: object) => worker.postMessage({ jsonrpc: '2.0', ...m });
          const request = (method: string, params: unknown) =>
            new Promise<unknown>((res, rej) => {
              const id = nextId++;
              waiting.set(id, { res, rej });
              send({ id, method, params });
            });
          const notify = (method: string, params: unknown) => send({ method, params });
          worker.onmessage = (ev: MessageEvent) => {
            const m = ev.data as {
              id?: number;
              method?: string;
              params?: { uri: string; items?: unknown[]; diagnostics?: PageResult['diagnostics'][string] };
              result?: unknown;
              error?: { message: string };
            };
            if (m.id !== undefined && m.method === undefined) {
              const w = waiting.get(m.id)!;
              waiting.delete(m.id);
              if (m.error) w.rej(new Error(m.error.message));
              else w.res(m.result);
            } else if (m.method !== undefined && m.id !== undefined) {
              let result: unknown = null;
              if (m.method === 'irqtopo/readFile') {
                reads.push(m.params!.uri);
                const text = files[m.params!.uri];
                result = text === undefined ? { error: 'no such file' } : { text };
              } else if (m.method === 'workspace/configuration') result = m.params!.items!.map(() => null);
              send({ id: m.id, result });
            } else if (m.method === 'textDocument/publishDiagnostics') {
              diagnostics[m.params!.uri] = m.params!.diagnostics!;
              for (let i = diagWaiters.length - 1; i >= 0; i--)
                if (diagWaiters[i].uri === m.params!.uri) diagWaiters.splice(i, 1)[0].res();
            } else if (m.method === 'window/logMessage') {
              const lm = m.params as unknown as { type: number; message: string };
              if (lm.type === 1) errors.push(lm.message);
            }
          };
          const published = (uri: string) => new Promise<void>((res) => diagWaiters.push({ uri, res }));
          const init = (await request('initialize', {
            processId: null,
            rootUri: base,
            capabilities: {},
            initializationOptions: { readFile: true, debounceMs: 0 },
          })) as { capabilities: Record<string, unknown> };
          notify('initialized', {});
          const open = async (uri: string, text: string) => {
            const p = published(uri);
            notify('textDocument/didOpen', {
              textDocument: { uri, languageId: 'irqtopo', version: 1, text },
            });
            await p;
          };
          await open(`${base}/machine.irqtopo`, files[`${base}/machine.irqtopo`]);
          await open(`${base}/bad.irqtopo`, bad);
          const hover = (await request('textDocument/hover', {
            textDocument: { uri: `${base}/machine.irqtopo` },
            position: { line: 3, character: 8 },
          })) as PageResult['hover'];
          await request('shutdown', null);
          worker.terminate();
          return { diagnostics, hover, reads, errors, capabilities: init.capabilities };
        },
        { files, base: BASE, bad },
      );
      assert.deepEqual(pageErrors, []);
      assert.deepEqual(r.errors, []);
      assert.ok(r.capabilities.hoverProvider);
      // the include was read through irqtopo/readFile, so every name resolves
      assert.deepEqual(r.reads, [`${BASE}/platform.irqtopo`]);
      assert.deepEqual(r.diagnostics[`${BASE}/machine.irqtopo`], []);
      const badDiags = r.diagnostics[`${BASE}/bad.irqtopo`];
      assert.ok(
        badDiags.some((d) => d.code === 'unknown-kind' && d.range.start.line === 3),
        JSON.stringify(badDiags),
      );
      assert.match(r.hover?.contents.value ?? '', /Parent chain: IMS-dsa0 → IR-0 → VECTOR/);
    } finally {
      await chrome.close();
    }
  });
});
