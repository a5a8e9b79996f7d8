// The views and the diagram, as a user meets them in a real VS Code (code-server 4.100.3) driven through
// Debian's Chromium with playwright-core: install the built .vsix, open an example, expand the Routes
// view, open "irqtopo: Show Interrupt Routes", click a node and land on its declaration, and open a
// topology whose names are markup: the diagram shows those characters and no script runs. Screenshots
// go to test-results/diagram-*.png (look at them). Exit code 0 when every step held, 1 otherwise.
//
// Run after `npm run build && npm run package` (test/e2e/run-all.mjs does both).
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  cursorLine,
  diagramFrame,
  openFile,
  run,
  runCommand,
  scenario,
  STEP_TIMEOUT,
  withWorkbench,
} from './scenario.mjs';

const EXAMPLE = 'two-ir-units.irqtopo';
const XSS_FILE = 'markup-names.irqtopo';
const XSS_DEVICE = '<img src=x onerror=alert(1)>';
const XSS_DOMAIN = '<script>alert(2)</script>';
const XSS_TEXT = `# A device and a domain whose names are markup: the diagram must show these characters and run nothing.
arch x86
kernel 6.8
cpus 0-3

domain VECTOR : vector
domain "${XSS_DOMAIN}" : remap { parent VECTOR; vendor intel; scope 0000:00-ff }
device "${XSS_DEVICE}" { pci 0000:01:00.0; msix 4 }
irq "${XSS_DEVICE}".q[0..1] : msix
`;

const s = scenario('diagram-scenario');
const { step, shot, log } = s;

async function main() {
  await withWorkbench(
    s,
    { failureShot: 'diagram-failure.png', prepare: (ws) => writeFileSync(join(ws, XSS_FILE), XSS_TEXT) },
    async ({ page, server, workspace }) => {
      const lines = readFileSync(join(workspace, EXAMPLE), 'utf8').split('\n');
      const dialogs = [];
      // alert() in any frame, the webview's included, shows up here
      page.on('dialog', (d) => {
        dialogs.push(`${d.type()}: ${d.message()}`);
        void d.dismiss().catch(() => undefined);
      });

      await step('open the workbench and the example', async () => {
        await page.goto(`${server.url}/?folder=${encodeURIComponent(workspace)}`);
        await page.waitForSelector('.monaco-workbench', { timeout: STEP_TIMEOUT });
        await page.waitForSelector('.explorer-viewlet .monaco-list-row', { timeout: STEP_TIMEOUT });
        await page
          .locator('.monaco-workbench')
          .click({ position: { x: 700, y: 400 } })
          .catch(() => undefined);
        await openFile(page, EXAMPLE);
        await page.waitForSelector('.editor-instance .view-line', { timeout: STEP_TIMEOUT });
      });

      await step('the activity bar container shows the Domains view with the hierarchy', async () => {
        await page.locator('.activitybar [aria-label^="Interrupt Topology"]').first().click();
        const tree = page.locator('.pane', { has: page.locator('.pane-header', { hasText: 'Domains' }) });
        await tree
          .locator('.monaco-list-row', { hasText: 'VECTOR' })
          .first()
          .waitFor({ timeout: STEP_TIMEOUT });
        await tree
          .locator('.monaco-list-row', { hasText: 'IR-0' })
          .first()
          .waitFor({ timeout: STEP_TIMEOUT });
      });

      await step('expand the Routes view: device -> interrupt -> hop', async () => {
        const header = page.locator('.pane-header', { hasText: 'Routes' }).first();
        if ((await header.getAttribute('aria-expanded')) !== 'true') await header.click();
        const pane = page.locator('.pane', { has: page.locator('.pane-header', { hasText: 'Routes' }) });
        const dev = pane.locator('.monaco-list-row[aria-label^="nvme0"]').first();
        await dev.waitFor({ timeout: STEP_TIMEOUT });
        await dev.locator('.monaco-tl-twistie').click();
        const irq = pane.locator('.monaco-list-row', { hasText: 'nvme0.io[1]' }).first();
        await irq.waitFor({ timeout: STEP_TIMEOUT });
        assert.match((await irq.textContent()) ?? '', /CPU \d+/, 'the interrupt row shows its CPU');
        await irq.locator('.monaco-tl-twistie').click();
        const hop = pane.locator('.monaco-list-row', { hasText: 'IRTE' }).first();
        await hop.waitFor({ timeout: STEP_TIMEOUT });
        log(`hop row: ${(await hop.textContent())?.trim()}`);
      });
      await shot(page, 'diagram-01-views.png');

      const frame = await step(
        '"irqtopo: Show Interrupt Routes" opens the diagram beside the editor',
        async () => {
          await openFile(page, EXAMPLE);
          await runCommand(page, 'irqtopo: Show Interrupt Routes');
          await page.waitForSelector('.tab[aria-label*="Interrupt Routes"]', { timeout: STEP_TIMEOUT });
          const f = await diagramFrame(page);
          await f.waitForSelector('#graph .node[data-id="domain:IR-1"]', { timeout: STEP_TIMEOUT });
          const n = await f.locator('#graph .node').count();
          assert.ok(n >= 20, `the diagram draws the example's domains and devices (${n} nodes)`);
          return f;
        },
      );
      await shot(page, 'diagram-02-opened.png');

      await step('clicking a node lands on its declaration', async () => {
        const before = await cursorLine(page);
        await frame.locator('#graph .node[data-id="domain:IR-1"]').click();
        await page.waitForFunction(
          (ls) => {
            const s = document.querySelector('[id="status.editor.selection"]')?.textContent ?? '';
            const m = /Ln\s+(\d+)/.exec(s);
            return m !== null && /^domain IR-1 : remap\b/.test(ls[Number(m[1]) - 1] ?? '');
          },
          lines,
          { timeout: STEP_TIMEOUT },
        );
        log(
          `cursor moved from line ${before} to ${await cursorLine(page)}: ${lines[(await cursorLine(page)) - 1]}`,
        );
      });

      await step('choosing an interrupt highlights its route hop by hop', async () => {
        await frame.locator('#irq-select').selectOption('nvme0.io[1]');
        await frame.waitForSelector('#graph .node.on-route', { timeout: STEP_TIMEOUT });
        const onRoute = await frame.$$eval('#graph .node.on-route', (ns) =>
          ns.map((n) => n.getAttribute('data-id')),
        );
        assert.ok(onRoute.includes('domain:IR-0') && onRoute.includes('domain:VECTOR'), onRoute.join(', '));
        const hops = await frame.$$eval('#route li', (ls) => ls.map((l) => l.textContent));
        assert.equal(hops.length, 3, hops.join(' | '));
      });
      await shot(page, 'diagram-03-route.png');

      await step('names made of markup render as text and run nothing', async () => {
        await openFile(page, XSS_FILE);
        await frame.waitForFunction(
          (name) =>
            [...document.querySelectorAll('#graph .node text.label')].some((t) => t.textContent === name),
          XSS_DEVICE,
          { timeout: STEP_TIMEOUT },
        );
        const seen = await frame.evaluate(() => ({
          labels: [...document.querySelectorAll('#graph .node text.label')].map((t) => t.textContent),
          imgs: document.querySelectorAll('img').length,
          // VS Code adds an inline script of its own to every webview; none may hold a name
          scripts: [...document.querySelectorAll('script')].map(
            (s) => s.getAttribute('src') ?? s.textContent,
          ),
          foreign: document.querySelectorAll('#graph foreignObject').length,
        }));
        assert.ok(seen.labels.includes(XSS_DEVICE), `labels: ${seen.labels.join(', ')}`);
        assert.ok(seen.labels.includes(XSS_DOMAIN), `labels: ${seen.labels.join(', ')}`);
        assert.equal(seen.imgs, 0, 'no <img> element was created');
        assert.equal(seen.foreign, 0, 'no foreignObject');
        const srcs = seen.scripts.filter((x) => /^https?:|^vscode/.test(x ?? ''));
        assert.equal(srcs.length, 1, `one script file, the bundle: ${srcs.join(', ')}`);
        assert.match(srcs[0], /\/dist\/webview\/main\.js$/);
        assert.ok(!seen.scripts.some((x) => /alert\(/.test(x ?? '')), 'no script holds the names');
        await frame.locator('#irq-select').selectOption(`${XSS_DEVICE}.q[1]`);
        await frame.waitForSelector('#route li', { timeout: STEP_TIMEOUT });
        await page.waitForTimeout(500); // give an injected handler every chance to fire
        assert.deepEqual(dialogs, [], 'no alert() ran');
      });
      await shot(page, 'diagram-04-markup-names.png');
    },
  );
}

run(s, main);
