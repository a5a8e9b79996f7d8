// What the playwright scenarios share: numbered steps with timings, screenshots into test-results/,
// a fresh code-server with the built .vsix installed and Chromium on it, the clean-up, and the exit
// code (0 when every step held, 1 otherwise).
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cleanup, installExtension, launchBrowser, makeDirs, startCodeServer } from './code-server.mjs';

export const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const results = join(repo, 'test-results');
export const STEP_TIMEOUT = Number(process.env.IRQTOPO_E2E_STEP_TIMEOUT_MS || 60_000);

/** A scenario's log, its steps and screenshots (into test-results/, or `dir`). */
export function scenario(name, { dir = results } = {}) {
  const steps = [];
  const log = (msg) => process.stderr.write(`[${name}] ${msg}\n`);
  async function step(title, fn) {
    const t0 = Date.now();
    try {
      const r = await fn();
      steps.push({ name: title, ok: true, ms: Date.now() - t0 });
      log(`\u2714 ${title} (${Date.now() - t0} ms)`);
      return r;
    } catch (e) {
      steps.push({ name: title, ok: false, ms: Date.now() - t0, error: e });
      log(`\u2716 ${title}: ${e?.message ?? e}`);
      throw e;
    }
  }
  async function shot(page, file) {
    mkdirSync(dir, { recursive: true });
    await page.screenshot({ path: join(dir, file) });
    log(`screenshot ${join(dir, file).slice(repo.length + 1)}`);
  }
  return { name, steps, log, step, shot };
}

/**
 * Installs the built .vsix into a fresh code-server whose workspace is a copy of examples/ (plus what
 * `prepare(workspace)` adds), opens Chromium on it and runs `body`. Afterwards the page must have had no
 * uncaught error. On failure: a screenshot `failureShot` and the tail of code-server's output. Always:
 * the browser, the server and the temporary folders go.
 */
export async function withWorkbench(s, { failureShot, prepare, viewport }, body) {
  const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8'));
  const vsix = join(repo, `${pkg.name}-${pkg.version}.vsix`);
  if (!existsSync(vsix)) throw new Error(`${vsix} does not exist: run npm run package first`);
  const dirs = makeDirs();
  const workspace = join(dirs.root, 'workspace');
  cpSync(join(repo, 'examples'), workspace, { recursive: true });
  if (prepare) prepare(workspace);
  let server;
  let browser;
  let page;
  try {
    await s.step(`install ${vsix.slice(repo.length + 1)} with code-server --install-extension`, async () => {
      const out = await installExtension(dirs, vsix);
      assert.match(out, /successfully installed/i, out);
    });
    server = await s.step('start code-server', () => startCodeServer({ folder: workspace, dirs }));
    browser = await launchBrowser(dirs, viewport ? { viewport } : undefined);
    page = browser.pages()[0] ?? (await browser.newPage());
    const pageErrors = [];
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    await body({ page, server, workspace });
    assert.deepEqual(pageErrors, [], 'uncaught errors in the workbench page');
  } catch (e) {
    if (page) await s.shot(page, failureShot).catch(() => undefined);
    if (server) process.stderr.write(`--- code-server output (tail) ---\n${server.log().slice(-3000)}\n`);
    throw e;
  } finally {
    if (browser) await browser.close().catch(() => undefined);
    if (server) await server.stop();
    cleanup(dirs);
  }
}

/** Runs a scenario's main and exits with its outcome. */
export function run(s, main) {
  const t0 = Date.now();
  main().then(
    () => {
      s.log(`${s.steps.length} steps passed in ${Date.now() - t0} ms`);
      process.exit(0);
    },
    (e) => {
      s.log(`FAILED after ${Date.now() - t0} ms: ${e?.stack ?? e}`);
      process.exit(1);
    },
  );
}
