// The diagram at a real machine's scale, beside the editor at 1600x1000 in a real VS Code (code-server
// 4.100.3, Debian's Chromium): a generated two-socket server with 300 devices and 2,700 interrupts
// (test/e2e/server-topology.mjs). Screenshots of the overview, the fitted view, a route in focus and an
// expanded cluster go to test/e2e/artifacts/ (look at them), with the smallest text measured in the
// diagram page each time (computed font size times the zoom, over every visible element with text);
// none may be below 11 px. Exit code 0 when every step held, 1 otherwise.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  diagramFrame,
  openFile,
  openWorkbench,
  repo,
  run,
  runCommand,
  scenario,
  smallestText,
  STEP_TIMEOUT,
  waitRoute,
  withWorkbench,
  closeSideBar,
} from './scenario.mjs';
import { serverTopology } from './server-topology.mjs';

const FILE = 'server-300.irqtopo';
const ARTIFACTS = join(repo, 'test', 'e2e', 'artifacts');
const ROUTE = 'nvme3.io[5]';

const s = scenario('scale-scenario');
const { step, log } = s;
const measured = [];

async function artifact(page, frame, name) {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, name) });
  const t = await smallestText(frame);
  const zoom = await frame.evaluate(() => document.getElementById('zoom-level')?.textContent ?? '');
  measured.push({ name, zoom, ...t });
  log(
    `artifact test/e2e/artifacts/${name}: zoom ${zoom}, smallest text ${t.px} px (${t.where}) over ${t.count} text elements`,
  );
  assert.ok(t.px >= 11, `no text below 11 px in ${name}: ${t.px} px at ${t.where}`);
}

async function main() {
  const gen = serverTopology();
  assert.equal(gen.devices, 300);
  assert.equal(gen.irqs, 2700);
  await withWorkbench(
    s,
    {
      failureShot: 'scale-failure.png',
      viewport: { width: 1600, height: 1000 },
      prepare: (ws) => writeFileSync(join(ws, FILE), gen.text),
    },
    async ({ page, server, workspace }) => {
      let frame;
      await step(`open ${FILE} (300 devices, 2,700 interrupts), the side bar closed`, async () => {
        await openWorkbench(page, server, workspace);
        await openFile(page, FILE);
        await closeSideBar(page);
      });

      await step('the diagram beside the editor draws the server in clusters', async () => {
        const t0 = Date.now();
        await runCommand(page, 'irqtopo: Show Interrupt Routes');
        frame = await diagramFrame(page);
        await frame.waitForFunction(
          () => /300 devices · 2700 interrupts/.test(document.getElementById('stats')?.textContent ?? ''),
          undefined,
          { timeout: STEP_TIMEOUT },
        );
        await frame.waitForSelector('#graph .node.style-group', { timeout: STEP_TIMEOUT });
        log(
          `drawn in ${Date.now() - t0} ms after the command: ${await frame.locator('#stats').textContent()}`,
        );
        const clusters = await frame.locator('#graph .node.style-group').count();
        assert.equal(clusters, 8, 'one cluster of per-device domains per IR unit');
        const size = await frame.evaluate(() => ({ w: window.innerWidth, h: window.innerHeight }));
        log(`diagram page ${size.w}x${size.h}`);
      });
      await artifact(page, frame, 'scale-overview.png');

      await step('Fit shows all of it: names at a fixed size, no text below 11 px', async () => {
        await frame.locator('#fit').click();
      });
      await artifact(page, frame, 'scale-fit.png');

      await step(`search finds ${ROUTE}; focus isolates its route, hop by hop`, async () => {
        await frame.locator('#search').fill(ROUTE);
        await frame.waitForSelector('#results.shown li', { timeout: STEP_TIMEOUT });
        await frame.locator('#search').press('Enter');
        await waitRoute(frame, ROUTE);
        await frame.locator('#focus-mode').click();
        await frame.waitForSelector('#strip.shown', { timeout: STEP_TIMEOUT });
        // its device and per-device domain come out of their cluster
        await frame.waitForSelector('#graph .node.on-route[data-id="device:nvme3"]', {
          timeout: STEP_TIMEOUT,
        });
        const strip = await frame.evaluate(() => document.getElementById('strip')?.innerText ?? '');
        log(`focus strip: ${strip.replace(/\s+/g, ' ')}`);
        assert.match(strip, /nvme3/);
        assert.match(strip, /MSI-X entry 6/);
        assert.match(strip, /IRTE \d+/);
        assert.match(strip, /CPU \d+ vector 0x[0-9a-f]+/);
        assert.match(strip, /message: address_hi/);
      });
      await artifact(page, frame, 'scale-focus.png');

      await step('leaving focus and clicking a cluster expands it', async () => {
        await frame.locator('#focus-mode').click();
        await frame.waitForSelector('#strip:not(.shown)', { state: 'attached', timeout: STEP_TIMEOUT });
        const before = await frame.locator('#graph .node').count();
        await frame.locator('#graph .node.style-group').first().click();
        await frame.waitForFunction(
          (n) => document.querySelectorAll('#graph .node').length > n + 10,
          before,
          {
            timeout: STEP_TIMEOUT,
          },
        );
        log(
          `${before} nodes before, ${await frame.locator('#graph .node').count()} after expanding a cluster`,
        );
      });
      await artifact(page, frame, 'scale-cluster-expanded.png');
      writeFileSync(join(ARTIFACTS, 'scale-measurements.json'), JSON.stringify(measured, null, 2) + '\n');
    },
  );
}

run(s, main);
