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
 * `prepare(workspace)` adds), with user `settings` added to the quiet defaults, opens Chromium on it
 * (at `viewport`, default 1400x900) and runs `body`. Afterwards the page must have had no
 * uncaught error. On failure: a screenshot `failureShot` and the tail of code-server's output. Always:
 * the browser, the server and the temporary folders go.
 */
export async function withWorkbench(s, { failureShot, prepare, settings, viewport }, body) {
  const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8'));
  const vsix = join(repo, `${pkg.name}-${pkg.version}.vsix`);
  if (!existsSync(vsix)) throw new Error(`${vsix} does not exist: run npm run package first`);
  const dirs = makeDirs({ settings });
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

// ---- driving the workbench ------------------------------------------------------------------------------

/** Opens the workbench on the workspace and waits until the explorer lists it. */
export async function openWorkbench(page, server, workspace) {
  await page.goto(`${server.url}/?folder=${encodeURIComponent(workspace)}`);
  await page.waitForSelector('.monaco-workbench', { timeout: STEP_TIMEOUT });
  await page.waitForSelector('.explorer-viewlet .monaco-list-row', { timeout: STEP_TIMEOUT });
  await page
    .locator('.monaco-workbench')
    .click({ position: { x: 700, y: 400 } })
    .catch(() => undefined);
}

/** Opens a workspace file by name: its tab when it has one, else Quick Open (Ctrl+P). */
export async function openFile(page, name) {
  const tab = page.locator(`.tab[aria-label*="${name}"]`).first();
  if (await tab.count()) {
    // already open (a restored editor): its tab
    await tab.click();
    await page.waitForSelector(`.tab.active[aria-label*="${name}"]`, { timeout: STEP_TIMEOUT });
    return;
  }
  await page.keyboard.press('Control+P');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ timeout: STEP_TIMEOUT });
  await input.fill(name);
  await page.waitForSelector(`.quick-input-list .monaco-list-row[aria-label*="${name}"]`, {
    timeout: STEP_TIMEOUT,
  });
  await page.keyboard.press('Enter');
  // the tab may already exist (a restored editor): wait until it is the active one
  await page.waitForSelector(`.tab.active[aria-label*="${name}"]`, { timeout: STEP_TIMEOUT });
  await page.waitForSelector('.editor-instance .view-line', { timeout: STEP_TIMEOUT });
}

/** Closes the side bar (Ctrl+B), so the editor and a panel beside it get the width. */
export async function closeSideBar(page) {
  await page.keyboard.press('Control+B');
  await page
    .waitForSelector('.part.sidebar', { state: 'hidden', timeout: STEP_TIMEOUT })
    .catch(() => undefined);
}

/**
 * Runs a command from the palette (F1) by its title: the row whose label starts with the title (Enter
 * would run the first fuzzy match, maybe another command); `pick`: then the quick pick item with that text.
 */
export async function runCommand(page, title, pick) {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ timeout: STEP_TIMEOUT });
  await input.fill(`>${title}`);
  const row = page
    .locator('.quick-input-list .monaco-list-row')
    .filter({
      has: page.locator('.label-name', {
        hasText: new RegExp(`^${title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`),
      }),
    })
    .first();
  await row.waitFor({ timeout: STEP_TIMEOUT });
  await row.click();
  if (pick) {
    const item = page.locator('.quick-input-list .monaco-list-row', { hasText: pick }).first();
    await item.waitFor({ timeout: STEP_TIMEOUT });
    await item.click();
  }
}

/** The cursor's line (1-based), from the status bar. */
export async function cursorLine(page) {
  const s = (await page.locator('[id="status.editor.selection"]').textContent()) ?? '';
  const m = /Ln\s+(\d+)/.exec(s);
  return m ? Number(m[1]) : 0;
}

/** Puts the cursor at line:column (1-based) of the first group's editor with Go to Line (Ctrl+G). */
export async function gotoLine(page, line, column = 1) {
  // the text editor is in the first group (the diagram opens beside it)
  await page.keyboard.press('Control+1');
  await page.keyboard.press('Control+G');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ timeout: STEP_TIMEOUT });
  // the quick input opens with the `:` of Go to Line, which fill() replaces
  await input.fill(`:${line}:${column}`);
  await page.keyboard.press('Enter');
  await page.waitForFunction(
    ([l, c]) =>
      (document.querySelector('[id="status.editor.selection"]')?.textContent ?? '').includes(
        `Ln ${l}, Col ${c}`,
      ),
    [line, column],
    { timeout: STEP_TIMEOUT },
  );
}

/** The frame that holds the diagram page (webviews are an iframe inside an iframe). */
export async function diagramFrame(page, timeout = STEP_TIMEOUT) {
  const deadline = Date.now() + timeout;
  for (;;) {
    for (const f of page.frames()) {
      const ok = await f
        .evaluate(() => !!document.getElementById('graph') && !!document.getElementById('irq-select'))
        .catch(() => false);
      if (ok) return f;
    }
    if (Date.now() > deadline) throw new Error('no frame holds the diagram page');
    await page.waitForTimeout(200);
  }
}

/** What the diagram's route box shows: the interrupt (or null) and its first text line. */
export async function routeBox(frame) {
  return frame.evaluate(() => {
    const sec = document.getElementById('route');
    return {
      irq: sec?.querySelector('.route-head .link')?.textContent ?? null,
      text: sec?.textContent ?? '',
      note: sec?.querySelector('.note')?.textContent ?? null,
      select: /** @type {HTMLSelectElement | null} */ (document.getElementById('irq-select'))?.value ?? null,
    };
  });
}

/** Waits until the route box shows `irq` (null: none). */
export async function waitRoute(frame, irq, timeout = STEP_TIMEOUT) {
  await frame.waitForFunction(
    (want) => {
      const got = document.querySelector('#route .route-head .link')?.textContent ?? null;
      return got === want;
    },
    irq,
    { timeout },
  );
}

/**
 * The smallest text drawn in the diagram page, in CSS pixels on screen: every visible element with
 * text of its own, its computed font size times its zoom (SVG: the screen CTM's scale).
 */
export async function smallestText(frame) {
  return frame.evaluate(() => {
    let min = Infinity;
    let where = '';
    let count = 0;
    const vw = window.innerWidth;
    const vh = window.innerHeight;
    for (const el of document.querySelectorAll('body *')) {
      if (!(el instanceof HTMLElement || el instanceof SVGElement)) continue;
      const own = [...el.childNodes].some(
        (n) => n.nodeType === Node.TEXT_NODE && n.textContent.trim() !== '',
      );
      if (!own || el.closest('title, style, script, option, optgroup')) continue;
      const cs = getComputedStyle(el);
      if (cs.display === 'none' || cs.visibility === 'hidden' || Number(cs.opacity) === 0) continue;
      const r = el.getBoundingClientRect();
      if (r.width <= 0 || r.height <= 0 || r.right < 0 || r.bottom < 0 || r.left > vw || r.top > vh) continue;
      let hidden = false;
      for (let p = el; p; p = p.parentElement) {
        const ps = getComputedStyle(p);
        if (ps.display === 'none' || ps.visibility === 'hidden') hidden = true;
      }
      if (hidden) continue;
      let px = parseFloat(cs.fontSize);
      if (el instanceof SVGGraphicsElement) {
        const m = el.getScreenCTM();
        if (m) px *= Math.hypot(m.a, m.b);
      }
      count++;
      if (px < min) {
        min = px;
        where = `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}.${(el.getAttribute('class') ?? '').replace(/\s+/g, '.')} "${el.textContent.trim().slice(0, 40)}"`;
      }
    }
    return { px: Math.round(min * 100) / 100, where, count };
  });
}
