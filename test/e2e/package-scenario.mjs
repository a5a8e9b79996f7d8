// The .vsix as a user meets it in a real VS Code (code-server 4.100.3) through Debian's Chromium at
// 1600x1000: its page in the Extensions view (the icon, the README with its screenshot and animated GIF,
// loaded from inside the .vsix), the walkthrough, and the `irqtopo: check` task putting its findings in
// the Problems panel through the `$irqtopo` problem matcher. Screenshots go to test/e2e/artifacts/
// (look at them). Exit code 0 when every step held, 1 otherwise.
//
// Run after `npm run package` (test/e2e/run-all.mjs does it).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { repo, run, runCommand, scenario, STEP_TIMEOUT, withWorkbench } from './scenario.mjs';

const s = scenario('package-scenario', { dir: join(repo, 'test', 'e2e', 'artifacts') });
const { step, shot, log } = s;

/** The frame of a webview whose document satisfies `probe` (webviews are an iframe in an iframe). */
async function webviewFrame(page, probe, what, timeout = STEP_TIMEOUT) {
  const deadline = Date.now() + timeout;
  for (;;) {
    for (const f of page.frames()) {
      if (await f.evaluate(probe).catch(() => false)) return f;
    }
    if (Date.now() > deadline) throw new Error(`no webview frame holds ${what}`);
    await page.waitForTimeout(250);
  }
}

async function main() {
  await withWorkbench(
    s,
    { failureShot: 'package-failure.png', viewport: { width: 1600, height: 1000 } },
    async ({ page, server, workspace }) => {
      await step('open the workbench on the examples folder', async () => {
        await page.goto(`${server.url}/?folder=${encodeURIComponent(workspace)}`);
        await page.waitForSelector('.monaco-workbench', { timeout: STEP_TIMEOUT });
        await page.waitForSelector('.explorer-viewlet .monaco-list-row', { timeout: STEP_TIMEOUT });
      });

      await step("open irqtopo's page in the Extensions view", async () => {
        await page.keyboard.press('Control+Shift+X');
        const search = page
          .locator(
            '.extensions-viewlet .monaco-editor textarea, .extensions-viewlet .suggest-input-container textarea',
          )
          .first();
        await search.waitFor({ timeout: STEP_TIMEOUT });
        await search.fill('@installed irqtopo');
        const item = page.locator('.extensions-viewlet .monaco-list-row', { hasText: 'irqtopo' }).first();
        await item.waitFor({ timeout: STEP_TIMEOUT });
        await item.click();
        await page.waitForSelector('.extension-editor', { timeout: STEP_TIMEOUT });
      });

      await step('the page shows the 128 px icon, loaded', async () => {
        const icon = page.locator('.extension-editor .header .icon').first();
        await icon.waitFor({ timeout: STEP_TIMEOUT });
        await page.waitForFunction(
          (el) => el.complete && el.naturalWidth === 128 && el.naturalHeight === 128,
          await icon.elementHandle(),
          { timeout: STEP_TIMEOUT },
        );
        log(`icon ${await icon.getAttribute('src')}`);
      });

      await step(
        'the README renders with its screenshot and its animated GIF, from inside the .vsix',
        async () => {
          const frame = await webviewFrame(
            page,
            () => [...document.querySelectorAll('h1')].some((h) => /irqtopo for VS Code/.test(h.textContent)),
            'the README',
          );
          await frame.waitForFunction(
            () => {
              const imgs = [...document.querySelectorAll('img')];
              const want = imgs.filter((i) => i.src.startsWith('data:image/'));
              if (want.length < 2) return false;
              return want.every((i) => i && i.complete && i.naturalWidth > 0);
            },
            undefined,
            { timeout: STEP_TIMEOUT },
          );
          const imgs = await frame.evaluate(() =>
            [...document.querySelectorAll('img')].map(
              (i) => `${i.src.slice(0, 22)}… ${i.naturalWidth}x${i.naturalHeight}`,
            ),
          );
          log(`README images: ${imgs.join(', ')}`);
        },
      );
      await shot(page, 'package-01-extension-page.png');

      await step('scroll the README to its animated GIF', async () => {
        const frame = await webviewFrame(
          page,
          () => !!document.querySelector('img[src^="data:image/gif"]'),
          'the GIF',
        );
        await frame.evaluate(() => document.querySelector('img[src^="data:image/gif"]').scrollIntoView());
        await page.waitForTimeout(500);
      });
      await shot(page, 'package-02-readme-gif.png');

      await step('the walkthrough opens with its four steps', async () => {
        await runCommand(page, 'Welcome: Open Walkthrough', 'Get started with irqtopo');
        for (const title of [
          'Open an example topology',
          'Capture or import this machine',
          "Show an interrupt's route",
          'Verify',
        ])
          await page
            .locator('.gettingStartedContainer .getting-started-step', { hasText: title })
            .first()
            .waitFor({ timeout: STEP_TIMEOUT });
      });
      await shot(page, 'package-03-walkthrough.png');

      await step('its route step shows the route picture', async () => {
        await page
          .locator('.gettingStartedContainer .getting-started-step', { hasText: "Show an interrupt's route" })
          .first()
          .click();
        await webviewFrame(page, () => !!document.querySelector('svg marker#arrow'), 'the route picture');
        await page.waitForTimeout(500);
      });
      await shot(page, 'package-04-walkthrough-route.png');

      await step(
        'the "irqtopo: check" task puts its findings in the Problems panel through $irqtopo',
        async () => {
          await runCommand(page, 'Tasks: Run Task');
          const input = page.locator('.quick-input-widget input');
          const rows = page.locator('.quick-input-list .monaco-list-row');
          // the task types first (a folder row per provider), then the provider's tasks
          await rows.filter({ hasText: 'irqtopo' }).first().waitFor({ timeout: STEP_TIMEOUT });
          await input.fill('irqtopo');
          await page.waitForFunction(
            () => {
              const first = document.querySelector('.quick-input-list .monaco-list-row');
              return /^\s*irqtopo/.test(first?.textContent ?? '');
            },
            undefined,
            { timeout: STEP_TIMEOUT },
          );
          await page.keyboard.press('Enter');
          await rows.filter({ hasText: 'irqtopo: check' }).first().waitFor({ timeout: STEP_TIMEOUT });
          log(`tasks offered: ${(await rows.allTextContents()).map((t) => t.trim()).join(' | ')}`);
          await rows.filter({ hasText: 'irqtopo: check' }).first().click();
          // the task's terminal has the focus (Ctrl+Shift+M would go to it): click the Problems tab
          await page
            .getByRole('tab', { name: /^Problems/ })
            .first()
            .click();
          const row = page
            .locator('.markers-panel .monaco-list-row', { hasText: 'ims-parent-pci-msi' })
            .first();
          await row.waitFor({ timeout: STEP_TIMEOUT });
          const text = await row.textContent();
          assert.match(text ?? '', /irqtopo check/, `the row comes from the task's problem matcher: ${text}`);
          log(`problem row: ${text?.trim().slice(0, 100)}…`);
          // one problem per finding: in the examples an error (ims-under-pci-msi), a warning (ntb-virtual)
          // and the two irq-shutdown findings of two-socket's `offline 12,4` (example (h)); the note
          // lines are none
          await page.waitForFunction(
            () => document.querySelectorAll('.markers-panel .monaco-list-row').length >= 4,
            undefined,
            { timeout: STEP_TIMEOUT },
          );
          const problems = await page
            .locator('.markers-panel .monaco-list-row')
            .evaluateAll((rs) => rs.map((r) => r.textContent ?? '').filter((t) => /irqtopo check/.test(t)));
          const codes = problems.map((t) => /irqtopo check([a-z-]+)\[/.exec(t)?.[1] ?? t).sort();
          assert.deepEqual(
            codes,
            ['ims-parent-pci-msi', 'irq-shutdown', 'irq-shutdown', 'virtual-msix'],
            problems.join('\n'),
          );
        },
      );
      await shot(page, 'package-05-task-problems.png');
    },
  );
}

run(s, main);
