// Loads the diagram webview (dist/webview/main.js, the page from client/src/shared/html.ts with its CSP)
// in headless Chromium outside VS Code: a local HTTP server stands in for the webview origin, an init
// script stands in for acquireVsCodeApi, and a stylesheet sets the --vscode-* colours of a dark theme.
// Used by the diagram bench and for screenshots of the diagram.
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { diagramHtml } from '../../client/src/shared/html';
import type { HostMessage, WebviewMessage } from '../../client/src/shared/messages';

/** test/chromium.json, found from here (test/bench/ in the sources, out/test/bench/ when built). */
const chromium = JSON.parse(
  fs.readFileSync(
    [
      path.join(__dirname, '..', 'chromium.json'),
      path.join(__dirname, '..', '..', '..', 'test', 'chromium.json'),
    ].find((p) => fs.existsSync(p)) ?? path.join(__dirname, '..', 'chromium.json'),
    'utf8',
  ),
) as { executablePath: string; args: string[] };
export const CHROMIUM = chromium.executablePath;
export const CHROMIUM_ARGS = chromium.args;

/** A few of VS Code's Dark Modern colours: enough to see the diagram as a user would. */
const DARK: Record<string, string> = {
  foreground: '#cccccc',
  'font-family': 'system-ui, "Ubuntu", "Droid Sans", sans-serif',
  'font-size': '13px',
  'editor-font-family': '"Droid Sans Mono", monospace',
  'editor-background': '#1f1f1f',
  'panel-border': '#2b2b2b',
  descriptionForeground: '#9d9d9d',
  errorForeground: '#f85149',
  'editorWarning-foreground': '#cca700',
  'editorInfo-foreground': '#3794ff',
  'editorWidget-background': '#202020',
  'editorWidget-border': '#454545',
  'list-hoverBackground': '#2a2d2e',
  focusBorder: '#0078d4',
  'charts-purple': '#b180d7',
  'charts-blue': '#3794ff',
  'charts-green': '#89d185',
  'charts-orange': '#d18616',
  'charts-yellow': '#cca700',
  'editor-findMatchHighlightBackground': '#623315',
  'editor-findMatchBackground': '#9e6a03',
  'editor-inactiveSelectionBackground': '#3a3d41',
  'button-secondaryForeground': '#cccccc',
  'button-secondaryBackground': '#313131',
  'button-secondaryHoverBackground': '#3c3c3c',
  'dropdown-foreground': '#cccccc',
  'dropdown-background': '#313131',
  'dropdown-border': '#3c3c3c',
  'inputValidation-warningBackground': '#352a05',
  'inputValidation-warningBorder': '#b89500',
};

export function chromiumAvailable(): boolean {
  return fs.existsSync(CHROMIUM);
}

/** Headless Chromium with a throwaway profile; `close()` ends it and removes the profile. */
export async function launchChromium(viewport?: { width: number; height: number }): Promise<{
  browser: import('playwright-core').BrowserContext;
  page: import('playwright-core').Page;
  close(): Promise<void>;
}> {
  const { chromium } = await import('playwright-core');
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'irqtopo-chromium-'));
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    ...(viewport ? { viewport } : {}),
    env: { ...process.env, XDG_CONFIG_HOME: profile, XDG_CACHE_HOME: profile },
  });
  const page = browser.pages()[0] ?? (await browser.newPage());
  return {
    browser,
    page,
    async close() {
      await browser.close().catch(() => undefined);
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

export interface Harness {
  page: import('playwright-core').Page;
  /** posts a host message; for `model`, resolves with the webview's `rendered` report */
  post(m: HostMessage): Promise<void>;
  render(m: Extract<HostMessage, { type: 'model' }>): Promise<{ wallMs: number; report: WebviewMessage }>;
  /** everything the webview sent */
  received(): Promise<WebviewMessage[]>;
  /** CSP violations and page errors seen so far */
  violations: string[];
  close(): Promise<void>;
}

export async function openHarness(
  o: { width?: number; height?: number; dist?: string } = {},
): Promise<Harness> {
  const dist = o.dist ?? path.join(__dirname, '..', '..', '..', 'dist', 'webview');
  if (!fs.existsSync(path.join(dist, 'main.js')))
    throw new Error(`${dist}/main.js is missing: npm run build`);
  const nonce = `n${Date.now().toString(36)}${Math.random().toString(36).slice(2)}`;
  const server = http.createServer((req, res) => {
    const url = (req.url ?? '/').split('?')[0];
    if (url === '/') {
      const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const theme = `html { ${Object.entries(DARK)
        .map(([k, v]) => `--vscode-${k}: ${v};`)
        .join(' ')} }`;
      const page = diagramHtml({
        cspSource: origin,
        nonce,
        scriptUri: `${origin}/main.js`,
        workerUri: `${origin}/layout.js`,
        codiconUri: `${origin}/codicon.css`,
      }).replace('</head>', `<style nonce="${nonce}">${theme}</style></head>`);
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page);
      return;
    }
    const file = path.join(dist, path.basename(url));
    if (!fs.existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    const type = file.endsWith('.js') ? 'text/javascript' : file.endsWith('.css') ? 'text/css' : 'font/ttf';
    res.writeHead(200, { 'content-type': type }).end(fs.readFileSync(file));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const chrome = await launchChromium({ width: o.width ?? 1400, height: o.height ?? 860 });
  const page = chrome.page;
  const violations: string[] = [];
  page.on('pageerror', (e) => violations.push(`page error: ${String(e)}`));
  page.on('console', (m) => {
    if (m.type() === 'error') violations.push(`console: ${m.text()}`);
  });
  await page.addInitScript(() => {
    const w = window as unknown as { __out: unknown[]; acquireVsCodeApi: () => unknown; __alerts: number };
    w.__out = [];
    w.__alerts = 0;
    window.alert = () => {
      w.__alerts++;
    };
    let st: unknown;
    w.acquireVsCodeApi = () => ({
      // stamped on arrival, so the harness can time the webview's work alone
      postMessage: (m: unknown) => w.__out.push({ ...(m as object), __at: performance.now() }),
      getState: () => st,
      setState: (s: unknown) => (st = s),
    });
    document.addEventListener('securitypolicyviolation', (e) =>
      w.__out.push({ type: 'csp-violation', directive: e.violatedDirective, blocked: e.blockedURI }),
    );
  });
  await page.goto(`http://127.0.0.1:${port}/`);
  await page.waitForFunction(() =>
    (window as unknown as { __out: { type: string }[] }).__out.some((m) => m.type === 'ready'),
  );
  const count = () =>
    page.evaluate(
      () =>
        (window as unknown as { __out: { type: string }[] }).__out.filter((m) => m.type === 'rendered')
          .length,
    );
  const h: Harness = {
    page,
    violations,
    async post(m) {
      await page.evaluate((msg) => window.postMessage(msg, '*'), m);
    },
    async render(m) {
      const before = await count();
      // hand the payload to the page first (playwright's transfer is not part of the webview's work),
      // then time from postMessage to the `rendered` report inside the page
      await page.evaluate((msg) => {
        (window as unknown as { __model: unknown }).__model = msg;
      }, m);
      await page.evaluate(() => {
        const w = window as unknown as { __model: unknown; __t0: number };
        w.__t0 = performance.now();
        window.postMessage(w.__model, '*');
      });
      await page.waitForFunction(
        (n) =>
          (window as unknown as { __out: { type: string }[] }).__out.filter((x) => x.type === 'rendered')
            .length > n,
        before,
        { timeout: 300_000, polling: 10 },
      );
      const wallMs = await page.evaluate(() => {
        const w = window as unknown as { __out: { type: string; __at?: number }[]; __t0: number };
        const last = w.__out.filter((x) => x.type === 'rendered').pop()!;
        return (last.__at ?? performance.now()) - w.__t0;
      });
      const out = await h.received();
      const report = out.filter((x) => x.type === 'rendered').pop()!;
      const errors = out.filter((x) => x.type === 'error');
      if (errors.length) throw new Error(`webview error: ${JSON.stringify(errors[0])}`);
      return { wallMs, report };
    },
    received: () => page.evaluate(() => (window as unknown as { __out: WebviewMessage[] }).__out),
    async close() {
      await chrome.close();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
  return h;
}
