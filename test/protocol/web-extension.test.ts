// The extension bundle (dist/extension.js) as the web worker extension host of vscode.dev loads it
// (package.json `browser`): its text run as a CommonJS module in a dedicated worker of headless Chromium,
// with no Node (`process`, `require` of Node modules) and a `require` that serves only 'vscode'. The same
// file is the Node extension (`main`, run by the e2e tests in code-server); here it must load, and its
// activate must take the browser half, which asks for nothing but the vscode API. The stub vscode API
// throws on first use, so activate stops at the first call it makes into VS Code; what it required until
// then is the point. (The language server's web worker itself: browser.test.ts.)
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { CHROMIUM, chromiumAvailable, launchChromium } from '../bench/webview-harness';
import { ROOT } from './client';

interface WorkerResult {
  exports: string[];
  required: string[];
  activate: string;
  hasProcess: boolean;
}

/** Runs in the worker: the web extension host's CommonJS loader, reduced to what the test needs. */
const WORKER = `
onmessage = async () => {
  const required = [];
  const vscode = new Proxy({}, {
    get(_, p) {
      if (typeof p === 'symbol' || p === '__esModule' || p === 'then') return undefined;
      throw new Error('vscode.' + p + ' (the stub API)');
    },
  });
  const req = (name) => {
    required.push(name);
    if (name === 'vscode') return vscode;
    throw new Error("Cannot find module '" + name + "'");
  };
  const module = { exports: {} };
  const text = await (await fetch('/extension.js')).text();
  new Function('module', 'exports', 'require', text)(module, module.exports, req);
  let activate = 'resolved';
  try {
    await module.exports.activate({ subscriptions: [], extensionUri: {} });
  } catch (e) {
    activate = String(e && e.message);
  }
  postMessage({ exports: Object.keys(module.exports).sort(), required, activate, hasProcess: typeof process !== 'undefined' });
};
`;

describe('the extension bundle in a web worker extension host (headless Chromium)', function () {
  this.timeout(60000);
  let server: http.Server;
  let origin: string;

  before(async function () {
    if (!chromiumAvailable()) {
      console.log(`    (skipped: no Chromium at ${CHROMIUM})`);
      this.skip();
    }
    const bundle = path.join(ROOT, 'dist', 'extension.js');
    assert.ok(fs.existsSync(bundle), 'run npm run build first');
    server = http.createServer((req, res) => {
      if (req.url === '/extension.js')
        res.writeHead(200, { 'content-type': 'text/javascript' }).end(fs.readFileSync(bundle));
      else if (req.url === '/host.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(WORKER);
      else res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>irqtopo</title>');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => server?.close());

  it('loads as CommonJS without Node, and activate takes the browser half, which requires only vscode', async () => {
    const chrome = await launchChromium();
    try {
      const page = chrome.page;
      const pageErrors: string[] = [];
      page.on('pageerror', (e) => pageErrors.push(String(e)));
      await page.goto(`${origin}/`);
      const r = await page.evaluate(
        () =>
          new Promise<WorkerResult>((resolve, reject) => {
            const worker = new Worker('/host.js');
            worker.onerror = (e) => reject(new Error(e.message));
            worker.onmessage = (e: MessageEvent) => resolve(e.data as WorkerResult);
            worker.postMessage('go');
          }),
      );
      assert.deepEqual(pageErrors, []);
      assert.equal(r.hasProcess, false, 'a worker has no process (as the web extension host)');
      assert.deepEqual(r.exports, ['activate', 'deactivate']);
      // the browser half's first call into VS Code, with no Node module asked for on the way
      assert.match(r.activate, /^vscode\.\w+ \(the stub API\)$/);
      assert.ok(r.required.length > 0, 'the browser half requires vscode');
      assert.deepEqual([...new Set(r.required)], ['vscode']);
    } finally {
      await chrome.close();
    }
  });
});
