// A user-level scenario in a real VS Code (code-server 4.100.3) driven through Debian's Chromium with
// playwright-core: install the built .vsix as a user would, open an example, see the highlighting and the
// diagnostics in the editor and the Problems panel, and land on the problem's line. Screenshots go to
// test-results/ (look at them). Exit code 0 when every step held, 1 otherwise.
//
// Then expand the Routes view down to an interrupt's hops. The diagram (open it, click a node, markup
// names render as text) is driven by test/e2e/diagram-scenario.mjs.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { run, scenario, STEP_TIMEOUT, withWorkbench } from './scenario.mjs';

const EXAMPLE = 'ims-under-pci-msi.irqtopo';
const EXPECTED_CODE = 'ims-parent-pci-msi';

const s = scenario('user-scenario');
const { step, shot, log } = s;

async function main() {
  await withWorkbench(s, { failureShot: 'user-failure.png' }, async ({ page, server, workspace }) => {
    await step('open the workbench on the examples folder', async () => {
      await page.goto(`${server.url}/?folder=${encodeURIComponent(workspace)}`);
      await page.waitForSelector('.monaco-workbench', { timeout: STEP_TIMEOUT });
      await page.waitForSelector('.explorer-viewlet .monaco-list-row', { timeout: STEP_TIMEOUT });
    });

    await step(`open ${EXAMPLE} with Quick Open (Ctrl+P)`, async () => {
      await page
        .locator('.monaco-workbench')
        .click({ position: { x: 700, y: 400 } })
        .catch(() => undefined);
      await page.keyboard.press('Control+P');
      const input = page.locator('.quick-input-widget input');
      await input.waitFor({ timeout: STEP_TIMEOUT });
      await input.fill(EXAMPLE);
      await page.waitForSelector(`.quick-input-list .monaco-list-row[aria-label*="${EXAMPLE}"]`, {
        timeout: STEP_TIMEOUT,
      });
      await page.keyboard.press('Enter');
      await page.waitForSelector(`.tab[aria-label*="${EXAMPLE}"]`, { timeout: STEP_TIMEOUT });
      await page.waitForSelector('.editor-instance .view-line', { timeout: STEP_TIMEOUT });
    });

    await step('the language mode is irqtopo', async () => {
      const mode = page.locator('[id="status.editor.mode"]');
      await mode.waitFor({ timeout: STEP_TIMEOUT });
      await page.waitForFunction(
        () => document.querySelector('[id="status.editor.mode"]')?.textContent?.includes('irqtopo'),
        undefined,
        { timeout: STEP_TIMEOUT },
      );
    });

    await step('the grammar colours keywords, names and comments apart', async () => {
      // the colours of the first `domain` keyword, of the name after it, and of a comment line. The editor
      // colours lines asynchronously (one span per line until the grammar has run), so wait for them.
      const probe = () => {
        const out = {};
        for (const line of document.querySelectorAll('.editor-instance .view-line')) {
          const spans = [...line.querySelectorAll('span > span')];
          const first = spans.find((x) => x.textContent.trim() !== '');
          if (!first) continue;
          const colour = (x) => getComputedStyle(x).color;
          if (first.textContent.startsWith('#') && !out.comment) out.comment = colour(first);
          if (first.textContent === 'domain' && !out.keyword) {
            out.keyword = colour(first);
            const name = spans.slice(spans.indexOf(first) + 1).find((x) => x.textContent.trim() !== '');
            if (name) out.name = colour(name);
          }
        }
        return out.keyword &&
          out.name &&
          out.comment &&
          new Set([out.keyword, out.name, out.comment]).size === 3
          ? out
          : null;
      };
      try {
        await page.waitForFunction(probe, undefined, { timeout: STEP_TIMEOUT });
      } catch (e) {
        const seen = await page.evaluate(() =>
          [...document.querySelectorAll('.editor-instance .view-line')]
            .slice(0, 30)
            .map((l) => [...l.querySelectorAll('span > span')].map((x) => `${x.className}:${x.textContent}`)),
        );
        throw new Error(`keywords, names and comments are not coloured apart: ${JSON.stringify(seen)}`, {
          cause: e,
        });
      }
    });

    await step('the language server marks the error in the editor (squiggle)', async () => {
      // the error may be below the fold: the overview ruler and the status bar count show it too
      await page.waitForFunction(
        () => {
          const s = document.querySelector('[id="status.problems"]')?.getAttribute('aria-label') ?? '';
          const m = /(\d+)\s+error/i.exec(s);
          return (m && Number(m[1]) > 0) || document.querySelector('.squiggly-error') !== null;
        },
        undefined,
        { timeout: STEP_TIMEOUT },
      );
    });
    await shot(page, 'user-01-editor.png');

    const row = await step(`the Problems panel lists ${EXPECTED_CODE}`, async () => {
      await page.keyboard.press('Control+Shift+M');
      await page.waitForSelector('.markers-panel .monaco-tl-row', { timeout: STEP_TIMEOUT });
      const r = page.locator('.markers-panel .monaco-list-row', { hasText: EXPECTED_CODE }).first();
      await r.waitFor({ timeout: STEP_TIMEOUT });
      return r;
    });
    await shot(page, 'user-02-problems.png');

    await step('activating the problem lands on its line (the parent reference)', async () => {
      await row.click();
      await page.keyboard.press('Enter');
      const text = readFileSync(join(workspace, EXAMPLE), 'utf8').split('\n');
      await page.waitForFunction(
        (lines) => {
          const s = document.querySelector('[id="status.editor.selection"]')?.textContent ?? '';
          const m = /Ln\s+(\d+)/.exec(s);
          return m !== null && /\bparent\b/.test(lines[Number(m[1]) - 1] ?? '');
        },
        text,
        { timeout: STEP_TIMEOUT },
      );
      const where = await page.locator('[id="status.editor.selection"]').textContent();
      log(`cursor at ${where?.trim()}: ${text[Number(/Ln\s+(\d+)/.exec(where ?? '')?.[1]) - 1]?.trim()}`);
    });
    await shot(page, 'user-03-problem-line.png');

    // --- the Routes view -------------------------------------------------------------------------
    await step('expand the Routes view: serial0 -> ttyS0 -> its hops', async () => {
      await page
        .locator('.activitybar li.action-item', {
          has: page.locator('a[class*="activity-workbench-view-extension-irqtopo-"]'),
        })
        .first()
        .click();
      const header = page.locator('.pane-header', { hasText: /^\s*Routes/i }).first();
      await header.waitFor({ timeout: STEP_TIMEOUT });
      if ((await header.getAttribute('aria-expanded')) === 'false') await header.click();
      const pane = page.locator('.pane', { has: header });
      const row = (label) =>
        pane
          .locator(`.monaco-list-row[aria-label^="${label}"], .monaco-list-row[aria-label^="${label},"]`)
          .first();
      const expand = async (label) => {
        const r = row(label);
        await r.waitFor({ timeout: STEP_TIMEOUT });
        if ((await r.getAttribute('aria-expanded')) !== 'true') await r.locator('.monaco-tl-twistie').click();
        await page.waitForFunction(
          (el) => el.getAttribute('aria-expanded') === 'true',
          await r.elementHandle(),
          {
            timeout: STEP_TIMEOUT,
          },
        );
      };
      await expand('serial0');
      const irq = (await row('ttyS0').count()) ? 'ttyS0' : 'serial0.ttyS0';
      await expand(irq);
      // `expect serial0.ttyS0 path IO-APIC-8 > IR-0 > VECTOR` in the example
      for (const hop of ['IO-APIC-8', 'IR-0', 'VECTOR']) await row(hop).waitFor({ timeout: STEP_TIMEOUT });
      const labels = await pane.locator('.monaco-list-row .label-name').allTextContents();
      const i = labels.indexOf('IO-APIC-8');
      assert.deepEqual(labels.slice(i, i + 3), ['IO-APIC-8', 'IR-0', 'VECTOR'], `rows: ${labels.join(', ')}`);
    });
    await shot(page, 'user-04-routes.png');
  });
}

run(s, main);
