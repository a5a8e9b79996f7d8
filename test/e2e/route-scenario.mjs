// Route focus as a user meets it in a real VS Code (code-server 4.100.3, Debian's Chromium, playwright-core):
//   - opening the diagram with the cursor on an irq shows that irq's route;
//   - picking q[3] of a range in the Route list shows q[3]'s route, and it stays when the editor moves to
//     the range's line; the cursor on an index picks that element; elsewhere on the line, the first, said;
//   - a per-element code lens shows its element (irqtopo.codeLens.interrupts on);
//   - switching files clears the route box, coming back shows that file's choice;
//   - a CPU click lists its interrupts, and the picker (Find…) finds the same by `CPU n`;
//   - the diagram comes back after a window reload, with its route;
//   - a diagnostic's rule link opens the rendered rule page.
// Screenshots go to test-results/route-*.png. Exit code 0 when every step held, 1 otherwise.
//
// Run after `npm run build && npm run package` (test/e2e/run-all.mjs does both).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  diagramFrame,
  gotoLine,
  openFile,
  openWorkbench,
  routeBox,
  run,
  runCommand,
  scenario,
  STEP_TIMEOUT,
  waitRoute,
  withWorkbench,
} from './scenario.mjs';

const EXAMPLE = 'two-ir-units.irqtopo';
const OTHER = 'ims-under-pci-msi.irqtopo';

const s = scenario('route-scenario');
const { step, shot, log } = s;

async function main() {
  await withWorkbench(
    s,
    {
      failureShot: 'route-failure.png',
      // the lenses on irq lines too, so that a per-element lens can be clicked
      settings: { 'irqtopo.codeLens.interrupts': true },
    },
    async ({ page, server, workspace }) => {
      const lines = readFileSync(join(workspace, EXAMPLE), 'utf8').split('\n');
      const lineOf = (re) => {
        const i = lines.findIndex((l) => re.test(l));
        assert.ok(i >= 0, `${EXAMPLE} has a line ${re}`);
        return i + 1;
      };
      const nic1 = lineOf(/^irq nic1\.q\[0\.\.7\]/);
      const io1 = lineOf(/^irq nvme0\.io\[1\]/);
      let frame;

      await step('open the workbench and the example', async () => {
        await openWorkbench(page, server, workspace);
        await openFile(page, EXAMPLE);
      });

      await step('opening the diagram with the cursor on an irq shows that irq’s route', async () => {
        await gotoLine(page, io1, 5);
        await runCommand(page, 'irqtopo: Show Interrupt Routes');
        await page.waitForSelector('.tab[aria-label*="Interrupt Routes"]', { timeout: STEP_TIMEOUT });
        frame = await diagramFrame(page);
        await waitRoute(frame, 'nvme0.io[1]');
      });
      await shot(page, 'route-01-opened-on-irq.png');

      await step('picking q[3] of a range in the Route list shows q[3]’s route, and it stays', async () => {
        await frame.locator('#irq-select').selectOption('nic1.q[3]');
        await waitRoute(frame, 'nic1.q[3]');
        // the editor shows the range's line (the cursor moves there) ...
        await page.waitForFunction(
          (l) =>
            (document.querySelector('[id="status.editor.selection"]')?.textContent ?? '').includes(
              `Ln ${l},`,
            ),
          nic1,
          { timeout: STEP_TIMEOUT },
        );
        // ... and the choice is not reset to the first element by the cursor's move
        await page.waitForTimeout(1500);
        const box = await routeBox(frame);
        assert.equal(box.irq, 'nic1.q[3]', box.text);
        assert.equal(box.select, 'nic1.q[3]');
        assert.equal(box.note, null);
        const hops = await frame.$$eval('#route li', (ls) => ls.map((l) => l.textContent));
        assert.ok(hops.length >= 3, hops.join(' | '));
        // nic1.misc took entry 0 (`msix 0`), so q[0..7] took entries 1-8
        assert.match(hops[0], /MSI-X entry 4\b/, 'q[3] took MSI-X entry 4');
      });
      await shot(page, 'route-02-q3-picked.png');

      await step('the cursor on an index of the range picks that element', async () => {
        await gotoLine(page, nic1, lines[nic1 - 1].indexOf('7') + 1);
        await waitRoute(frame, 'nic1.q[7]');
      });

      await step('elsewhere on the range’s line: the first element, and the route box says so', async () => {
        await gotoLine(page, io1, 1);
        await waitRoute(frame, 'nvme0.io[1]');
        await gotoLine(page, nic1, 2);
        await waitRoute(frame, 'nic1.q[0]');
        const box = await routeBox(frame);
        assert.match(box.note ?? '', /first of 8 interrupts.*nic1\.q\[0\.\.7\]/, box.text);
      });
      await shot(page, 'route-03-first-of-range.png');

      await step('a code lens of one element shows that element', async () => {
        await gotoLine(page, nic1, 1);
        // the lenses of the nic1 line: the code lens zone right above that line, a link naming element 3
        const found = await page.evaluate(() => {
          const line = [...document.querySelectorAll('.editor-instance .view-line')].find((l) =>
            (l.textContent ?? '').replace(/\u00a0/g, ' ').startsWith('irq nic1.q[0..7]'),
          );
          if (!line) return { titles: [], hit: false };
          const top = (el) => el.getBoundingClientRect().top;
          const zones = [...document.querySelectorAll('.codelens-decoration')].filter(
            (z) => top(z) < top(line),
          );
          const zone = zones.sort((a, b) => top(b) - top(a))[0];
          const links = zone ? [...zone.querySelectorAll('a')] : [];
          const hit = links.find((a) => /(^|[^\w])(nic1\.)?q\[3\]|\[3\]/.test(a.textContent ?? ''));
          if (hit) hit.setAttribute('data-e2e-lens', 'q3');
          return { titles: links.map((a) => a.textContent), hit: !!hit };
        });
        log(`the lenses of nic1.q[0..7]: ${found.titles.join(' | ')}`);
        // the server offers one lens per element on irq lines when irqtopo.codeLens.interrupts is on
        assert.ok(found.hit, `a code lens naming nic1.q[3]: ${found.titles.join(' | ')}`);
        const lens = page.locator('a[data-e2e-lens="q3"]');
        await lens.click();
        await waitRoute(frame, 'nic1.q[3]');
      });

      await step('a CPU click lists its interrupts', async () => {
        await frame.locator('#irq-select').selectOption('nic1.q[3]');
        await waitRoute(frame, 'nic1.q[3]');
        const cpu = await frame.evaluate(() => {
          const t = document.querySelector('#route .placement')?.textContent ?? '';
          return Number(/CPU (\d+)/.exec(t)?.[1] ?? NaN);
        });
        assert.ok(Number.isInteger(cpu), 'the route names its CPU');
        await frame.locator(`#cpus [data-cpu="${cpu}"] .cpu-hit`).click();
        await frame.waitForSelector('#cpu-detail .cpu-list li', { timeout: STEP_TIMEOUT });
        const detail = await frame.evaluate(() => ({
          head: document.querySelector('#cpu-detail h2')?.textContent ?? '',
          items: [...document.querySelectorAll('#cpu-detail .cpu-list li .link')].map((l) => l.textContent),
        }));
        log(`${detail.head}: ${detail.items.join(', ')}`);
        assert.match(
          detail.head,
          new RegExp(`^CPU ${cpu}\\b.*: ${detail.items.length} interrupts? routed here$`),
        );
        assert.ok(
          detail.items.includes('nic1.q[3]'),
          `CPU ${cpu} lists nic1.q[3]: ${detail.items.join(', ')}`,
        );
        // choosing one of them shows its route
        const other = detail.items.find((i) => i !== 'nic1.q[3]');
        if (other) {
          await frame.locator('#cpu-detail .cpu-list li .link', { hasText: other }).first().click();
          await waitRoute(frame, other);
          await frame.locator('#irq-select').selectOption('nic1.q[3]');
          await waitRoute(frame, 'nic1.q[3]');
        }
      });
      await shot(page, 'route-04-cpu-list.png');

      await step(
        'the picker (Find…) lists what a query names: `CPU n` gives that CPU’s interrupts',
        async () => {
          const cpu = await frame.evaluate(() =>
            Number(/^CPU (\d+)/.exec(document.querySelector('#cpu-detail h2')?.textContent ?? '')?.[1]),
          );
          const listed = await frame.$$eval('#cpu-detail .cpu-list li .link', (ls) =>
            ls.map((l) => l.textContent),
          );
          await frame.locator('#pick').click();
          const input = page.locator('.quick-input-widget input');
          await input.waitFor({ timeout: STEP_TIMEOUT });
          await input.fill(`CPU ${cpu}`);
          await page.waitForFunction(
            (n) => document.querySelectorAll('.quick-input-list .monaco-list-row').length === n,
            listed.length,
            { timeout: STEP_TIMEOUT },
          );
          // each row's label (the detail line, the route's path, is a label too: it has arrows)
          const rows = (
            await page.$$eval('.quick-input-list .monaco-list-row .label-name', (ls) =>
              ls.map((l) => l.textContent),
            )
          ).filter((t) => !t.includes('→'));
          assert.deepEqual(
            [...rows].sort(),
            [...listed].sort(),
            'the same interrupts as the CPU chart lists',
          );
          const want = rows.find((r) => r !== 'nic1.q[3]') ?? rows[0];
          await page.locator('.quick-input-list .monaco-list-row', { hasText: want }).first().click();
          await waitRoute(frame, want);
          await frame.locator('#irq-select').selectOption('nic1.q[3]');
          await waitRoute(frame, 'nic1.q[3]');
        },
      );

      await step('switching files clears the route box; coming back shows that file’s choice', async () => {
        // in the editor's group (Quick Open from the diagram's group would open the file over the diagram)
        await page.keyboard.press('Control+1');
        await openFile(page, OTHER);
        await frame.waitForFunction((name) => document.getElementById('title')?.textContent === name, OTHER, {
          timeout: STEP_TIMEOUT,
        });
        await frame.waitForSelector(
          '#graph .node[data-id="domain:IMS-dsa0"].sev-error, #graph .node .marker',
          {
            timeout: STEP_TIMEOUT,
          },
        );
        await waitRoute(frame, null);
        const box = await routeBox(frame);
        assert.equal(box.irq, null, `nothing of ${EXAMPLE} stays: ${box.text}`);
        assert.match(box.text, /Choose an interrupt/);
        assert.equal(box.select, '');
        await shot(page, 'route-05-other-file.png');
        await page.locator(`.tab[aria-label*="${EXAMPLE}"]`).first().click();
        await frame.waitForFunction(
          (name) => document.getElementById('title')?.textContent === name,
          EXAMPLE,
          { timeout: STEP_TIMEOUT },
        );
        await waitRoute(frame, 'nic1.q[3]');
      });

      await step('the diagram comes back after a window reload, with its route', async () => {
        // the cursor off any irq line: after the reload it picks nothing, so the route is the one kept
        await gotoLine(page, 1, 1);
        await waitRoute(frame, 'nic1.q[3]');
        // as a user reloads: the command shuts the workbench down (its state saved), then loads it again
        const reloaded = page.waitForEvent('load', { timeout: STEP_TIMEOUT });
        await runCommand(page, 'Developer: Reload Window');
        await reloaded;
        await page.waitForSelector('.monaco-workbench', { timeout: STEP_TIMEOUT });
        await page.waitForSelector('.tab[aria-label*="Interrupt Routes"]', { timeout: STEP_TIMEOUT });
        // a restored webview is drawn when its tab is shown
        await page.locator('.tab[aria-label*="Interrupt Routes"]').first().click();
        frame = await diagramFrame(page);
        await frame.waitForSelector('#graph .node', { timeout: STEP_TIMEOUT });
        // it shows the active editor's file (the workbench may restore the other one as active): on
        // the example, the route chosen there before the reload
        await page.locator(`.tab[aria-label*="${EXAMPLE}"]`).first().click();
        await frame.waitForFunction(
          (name) => document.getElementById('title')?.textContent === name,
          EXAMPLE,
          {
            timeout: STEP_TIMEOUT,
          },
        );
        await waitRoute(frame, 'nic1.q[3]');
      });
      await shot(page, 'route-06-after-reload.png');

      await step('a diagnostic’s rule link opens the rendered rule page at its section', async () => {
        await page.keyboard.press('Control+1');
        await openFile(page, OTHER);
        await page.keyboard.press('Control+Shift+M');
        const row = page
          .locator('.markers-panel .monaco-list-row', { hasText: 'ims-parent-pci-msi' })
          .first();
        await row.waitFor({ timeout: STEP_TIMEOUT });
        await row.locator('.marker-code, a.monaco-link', { hasText: 'ims-parent-pci-msi' }).first().click();
        await page.waitForSelector('.tab[aria-label*="Preview rules.md"]', { timeout: STEP_TIMEOUT });
        // the preview scrolled to the section: its heading is near the top of the preview
        const deadline = Date.now() + STEP_TIMEOUT;
        let top = null;
        while (Date.now() < deadline) {
          for (const f of page.frames()) {
            top = await f
              .evaluate(() => {
                const h = [...document.querySelectorAll('h2')].find(
                  (x) => x.textContent?.trim() === 'ims-parent-pci-msi',
                );
                return h ? h.getBoundingClientRect().top : null;
              })
              .catch(() => null);
            if (top !== null) break;
          }
          if (top !== null && top >= -5 && top < 200) break;
          await page.waitForTimeout(250);
        }
        assert.ok(
          top !== null && top >= -5 && top < 200,
          `the section's heading is at the top of the preview (top ${top})`,
        );
      });
      await shot(page, 'route-07-rule-page.png');
    },
  );
}

run(s, main);
