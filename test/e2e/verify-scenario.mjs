// The fidelity meter and the CPU hotplug what-if as a user meets them in a real VS Code (code-server
// 4.100.3, Debian's Chromium) at 1600x1000, on the Intel desktop import (D5: the three dumps of
// test/fixtures/dumps/x86-intel-desktop-32cpu-IR_martins3_int-*.txt, imported with the shipped CLI):
//   - "irqtopo: Verify Against Observations" shows the report beside the editor: the agreement per
//     column is the CLI's (`irqtopo verify --format json`), and a click on a difference shows its irq line;
//   - in the diagram's CPU chart, right-clicking a CPU offers "Take CPU N offline", which adds the
//     statement at the end of the file; the chart then draws the CPU offline; the keyboard way (the
//     context-menu key on a focused CPU) adds the next one after it; undo takes both away again.
// Screenshots go to test/e2e/artifacts/verify-*.png (look at them). Exit code 0 when every step held.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  diagramFrame,
  cursorLine,
  openFile,
  openWorkbench,
  repo,
  run,
  runCommand,
  scenario,
  STEP_TIMEOUT,
  withWorkbench,
  closeSideBar,
} from './scenario.mjs';

const FILE = 'd5.irqtopo';
const ARTIFACTS = join(repo, 'test', 'e2e', 'artifacts');
const DUMPS = join(repo, 'test', 'fixtures', 'dumps');

const s = scenario('verify-scenario', { dir: ARTIFACTS });
const { step, shot, log } = s;

/** The frame of the verify report page. */
async function verifyFrame(page, timeout = STEP_TIMEOUT) {
  const deadline = Date.now() + timeout;
  for (;;) {
    for (const f of page.frames()) {
      const ok = await f
        .evaluate(
          () =>
            !!document.querySelector('table.agree') ||
            /^Verify:/.test(document.querySelector('h1')?.textContent ?? ''),
        )
        .catch(() => false);
      if (ok) return f;
    }
    if (Date.now() > deadline) throw new Error('no frame holds the verify report');
    await page.waitForTimeout(200);
  }
}

/** The text of the first editor group's editor (the topology), through the DOM's view lines. */
async function editorText(page) {
  // Monaco renders only the visible lines: go to the end first, where the new statements are
  await page.keyboard.press('Control+1');
  await page.keyboard.press('Control+End');
  await page.waitForTimeout(300);
  // (Monaco reuses line elements: their order in the DOM is not the text's; their place on screen is)
  return page.evaluate(() =>
    [...document.querySelectorAll('.editor-group-container.active .editor-instance .view-line')]
      .map((l) => ({
        top: l.getBoundingClientRect().top,
        text: (l.textContent ?? '').replace(/\u00a0/g, ' '),
      }))
      .sort((a, b) => a.top - b.top)
      .map((l) => l.text)
      .join('\n')
      .replace(/\n+$/, ''),
  );
}

async function main() {
  mkdirSync(ARTIFACTS, { recursive: true });
  const dumps = readdirSync(DUMPS)
    .filter((f) => f.startsWith('x86-intel-desktop-32cpu-IR_martins3_int-'))
    .map((f) => join(DUMPS, f));
  assert.equal(dumps.length, 3, 'the three D5 dumps');
  const cli = join(repo, 'dist', 'cli.js');
  await withWorkbench(
    s,
    {
      failureShot: 'verify-failure.png',
      viewport: { width: 1600, height: 1000 },
      prepare: (ws) => {
        execFileSync(process.execPath, [cli, 'import', ...dumps, '-o', join(ws, FILE)], { stdio: 'ignore' });
      },
    },
    async ({ page, server, workspace }) => {
      const file = join(workspace, FILE);
      const want = JSON.parse(
        execFileSync(process.execPath, [cli, 'verify', file, '--format', 'json'], { encoding: 'utf8' }),
      );
      log(
        `the CLI on ${FILE}: ${want.compared} compared, ${want.differences.length} differences; managed CPUs ${want.columns.managed_cpu.agreed}/${want.columns.managed_cpu.compared}`,
      );
      const lines = readFileSync(file, 'utf8').split('\n');
      let frame;

      await step(`open the workbench and ${FILE} (the D5 import), the side bar closed`, async () => {
        await openWorkbench(page, server, workspace);
        await openFile(page, FILE);
        await closeSideBar(page);
      });

      await step('irqtopo: Verify Against Observations shows the CLI’s agreement per column', async () => {
        await runCommand(page, 'irqtopo: Verify Against Observations');
        await page.waitForSelector(`.tab[aria-label*="Verify: ${FILE}"]`, { timeout: STEP_TIMEOUT });
        frame = await verifyFrame(page);
        await frame.waitForSelector('table.agree tbody tr', { timeout: STEP_TIMEOUT });
        const rows = await frame.$$eval('table.agree tbody tr', (trs) =>
          trs.map((tr) => [...tr.querySelectorAll('td')].slice(0, 3).map((td) => td.textContent)),
        );
        log(`agreement: ${rows.map((r) => `${r[0]} ${r[1]}/${r[2]}`).join(', ')}`);
        const names = {
          cpu: 'CPU',
          managed_cpu: 'CPU, managed',
          nonmanaged_cpu: 'CPU, non-managed',
          vector: 'vector',
          irte: 'IRTE',
          lpi: 'LPI',
          message: 'message',
        };
        for (const [col, c] of Object.entries(want.columns)) {
          const row = rows.find((r) => r[0] === names[col]);
          assert.ok(row, `a row for ${col}`);
          assert.deepEqual([Number(row[1]), Number(row[2])], [c.agreed, c.compared], col);
        }
        const shown = await frame.locator('tr.diff').count();
        assert.equal(shown, want.differences.length, 'one row per difference');
      });
      await shot(page, 'verify-01-report.png');

      await step('a click on a difference shows its irq line in the editor', async () => {
        // a managed CPU difference (the allocation-history cause), else the first row
        const pick = await frame.evaluate(() => {
          const rows = [...document.querySelectorAll('tr.diff')];
          const row = rows.find((r) => r.children[1]?.textContent === 'CPU') ?? rows[0];
          row.scrollIntoView({ block: 'center' });
          return { i: Number(row.getAttribute('data-i')), irq: row.children[0].textContent };
        });
        await frame.locator(`tr.diff[data-i="${pick.i}"]`).click();
        const d = want.differences[pick.i];
        assert.equal(d.irq, pick.irq);
        // the irq statement: `irq DEVICE.NAME` (a range: its first line), where the route's range starts
        const name = d.irq.replace(/\[\d+\]$/, '');
        await page.waitForFunction(
          () => /Ln \d+/.test(document.querySelector('[id="status.editor.selection"]')?.textContent ?? ''),
          undefined,
          { timeout: STEP_TIMEOUT },
        );
        let line = 0;
        for (let i = 0; i < 50 && !lines[line - 1]?.startsWith(`irq ${name}`); i++) {
          await page.waitForTimeout(100);
          line = await cursorLine(page);
        }
        log(
          `${d.irq} (${d.column}: observed ${d.observed}, simulated ${d.simulated}) -> line ${line}: ${lines[line - 1]}`,
        );
        assert.ok(
          lines[line - 1]?.startsWith(`irq ${name}`),
          `line ${line} is ${d.irq}'s statement: ${lines[line - 1]}`,
        );
      });
      await shot(page, 'verify-02-revealed.png');

      let cpuFrame;
      const cpuA = 31;
      const cpuB = 30;
      await step(
        `right-clicking CPU ${cpuA} in the diagram’s CPU chart offers “Take CPU ${cpuA} offline”`,
        async () => {
          await page.keyboard.press('Control+1');
          await runCommand(page, 'irqtopo: Show Interrupt Routes');
          cpuFrame = await diagramFrame(page);
          const bar = cpuFrame.locator(`#cpus [data-cpu="${cpuA}"] .cpu-hit`);
          await bar.waitFor({ timeout: STEP_TIMEOUT });
          await bar.scrollIntoViewIfNeeded();
          await bar.click({ button: 'right' });
          await cpuFrame.waitForSelector('#cpu-menu .menu-item', { timeout: STEP_TIMEOUT });
          const items = await cpuFrame.$$eval('#cpu-menu .menu-item', (b) => b.map((x) => x.textContent));
          log(`the menu: ${items.join(' | ')}`);
          assert.equal(items[0], `Take CPU ${cpuA} offline`);
        },
      );
      await shot(page, 'verify-03-cpu-menu.png');

      await step(
        `choosing it adds \`offline ${cpuA}\` at the end of the file, and the chart draws CPU ${cpuA} offline`,
        async () => {
          await cpuFrame.locator('#cpu-menu .menu-item', { hasText: `Take CPU ${cpuA} offline` }).click();
          await cpuFrame.waitForSelector(`#cpus g.cpu.offline[data-cpu="${cpuA}"]`, {
            timeout: STEP_TIMEOUT,
          });
          const text = await editorText(page);
          assert.match(text, new RegExp(`\\noffline ${cpuA}$`), text.slice(-300));
        },
      );
      await shot(page, 'verify-04-cpu-offline.png');

      await step(
        `the keyboard way: the context-menu key on CPU ${cpuB} adds \`offline ${cpuB}\` after it`,
        async () => {
          const bar = cpuFrame.locator(`#cpus g.cpu[data-cpu="${cpuB}"]`);
          await bar.focus();
          await bar.press('Shift+F10');
          await cpuFrame.waitForSelector('#cpu-menu .menu-item:focus', { timeout: STEP_TIMEOUT });
          assert.equal(
            await cpuFrame.locator('#cpu-menu .menu-item:focus').textContent(),
            `Take CPU ${cpuB} offline`,
          );
          await cpuFrame.locator('#cpu-menu .menu-item:focus').press('Enter');
          await cpuFrame.waitForSelector(`#cpus g.cpu.offline[data-cpu="${cpuB}"]`, {
            timeout: STEP_TIMEOUT,
          });
          const text = await editorText(page);
          assert.match(text, new RegExp(`\\noffline ${cpuA}\\noffline ${cpuB}$`), text.slice(-300));
        },
      );

      await step('undo takes both statements away, and the CPUs are online again', async () => {
        await page.keyboard.press('Control+1');
        await page.keyboard.press('Control+Z');
        await page.keyboard.press('Control+Z');
        await cpuFrame.waitForFunction(
          ([a, b]) =>
            !document.querySelector(
              `#cpus g.cpu.offline[data-cpu="${a}"], #cpus g.cpu.offline[data-cpu="${b}"]`,
            ),
          [cpuA, cpuB],
          { timeout: STEP_TIMEOUT },
        );
        const text = await editorText(page);
        assert.doesNotMatch(text, /\noffline \d+/, text.slice(-300));
      });
    },
  );
}

run(s, main);
