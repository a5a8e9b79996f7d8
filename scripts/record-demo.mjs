// Records the package README's pictures from a real code-server session (the e2e harness: the built
// .vsix installed in code-server 4.100.3, Debian's Chromium through playwright-core):
//   media/screenshot.png  the two-IR-unit example with the Domains and Routes views, the inlay hints and
//                         the diagram on nvme0.io[1]'s route (taken at 1600x1000, scaled to 800x500)
//   media/demo.gif        hover an interrupt for its route, move its affinity and see the hint follow,
//                         (which moves another interrupt: see GIF_IRQ), open the diagram on its route in
//                         focus (frames taken at 1024x640, scaled to 640x400)
// A maintainer's tool, not a test: run `npm run package` first; it needs ffmpeg and gifsicle (Debian
// packages) to assemble the pictures. The pictures are committed; the build does not run this.
//   node scripts/record-demo.mjs [--keep-frames DIR]
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  openFile,
  openWorkbench,
  repo,
  run,
  runCommand,
  scenario,
  STEP_TIMEOUT,
  withWorkbench,
} from '../test/e2e/scenario.mjs';

const EXAMPLE = 'two-ir-units.irqtopo';
const IRQ = 'nvme0.io[1]'; // the screenshot's route
// the GIF's. Moving its affinity off CPUs 16-23 also moves nvme0.admin, allocated after the managed
// reservations of the batch, to CPU 16: CPUs 16-23 then have the most free vectors (kernel/irq/matrix.c,
// matrix_find_best_cpu()), and the example's `expect` of nvme0.admin reports it: the GIF ends on 2 errors
const GIF_IRQ = 'nvme0.io[2]';
const [OLD_AFFINITY, AFFINITY] = ['16-23', '4-7']; // its affinity in the example, and in the GIF
/** where the mouse rests between gestures: the activity bar below its icons (no hover, no tooltip) */
const RESTING = [24, 400];
const keep = process.argv.indexOf('--keep-frames');
const frames = keep > 0 ? process.argv[keep + 1] : mkdtempSync(join(tmpdir(), 'irqtopo-demo-'));
mkdirSync(frames, { recursive: true });

const s = scenario('record-demo', { dir: frames });
const { step, log } = s;

async function openExample(page, server, workspace) {
  await openWorkbench(page, server, workspace);
  await openFile(page, EXAMPLE);
}

/** Focuses the example's editor (its tab) and puts the cursor at the start of LINE. */
async function gotoLine(page, line) {
  await page.locator(`.tab[aria-label*="${EXAMPLE}"]`).first().click();
  await page.keyboard.press('Control+G');
  await page.keyboard.type(String(line));
  await page.keyboard.press('Enter');
  await page.keyboard.press('Home');
}

/** The diagram's frame (a webview: an iframe in an iframe). */
async function diagram(page) {
  const deadline = Date.now() + STEP_TIMEOUT;
  for (;;) {
    for (const f of page.frames()) {
      if (await f.evaluate(() => !!document.getElementById('irq-select')).catch(() => false)) return f;
    }
    if (Date.now() > deadline) throw new Error('no diagram');
    await page.waitForTimeout(200);
  }
}

/** Waits until the line of `irq` shows its route hint (`→ CPU n`): the server answered for it. */
async function routeHint(page, irq) {
  await page.waitForFunction(
    (i) =>
      [...document.querySelectorAll('.editor-instance .view-line')]
        .map((x) => x.textContent.replace(/\s/g, ' '))
        .some((x) => x.startsWith(`irq ${i} `) && /→ CPU \d+/.test(x)),
    irq,
    { timeout: STEP_TIMEOUT },
  );
}

const sourceLine = (text, irq) => text.split('\n').findIndex((l) => l.startsWith(`irq ${irq} `)) + 1;

async function screenshot() {
  await withWorkbench(
    s,
    { failureShot: 'screenshot-failure.png', viewport: { width: 1600, height: 1000 } },
    async ({ page, server, workspace }) => {
      await step('the screenshot: views, hints and the diagram on a route', async () => {
        await openExample(page, server, workspace);
        await page.locator('.activitybar [aria-label^="Interrupt Topology"]').first().click();
        const pane = page.locator('.pane', { has: page.locator('.pane-header', { hasText: 'Routes' }) });
        const header = page.locator('.pane-header', { hasText: 'Routes' }).first();
        if ((await header.getAttribute('aria-expanded')) !== 'true') await header.click();
        const dev = pane.locator('.monaco-list-row[aria-label^="nvme0"]').first();
        await dev.waitFor({ timeout: STEP_TIMEOUT });
        await dev.locator('.monaco-tl-twistie').click();
        const irq = pane.locator('.monaco-list-row', { hasText: IRQ }).first();
        await irq.waitFor({ timeout: STEP_TIMEOUT });
        await irq.locator('.monaco-tl-twistie').click();
        await runCommand(page, 'irqtopo: Show Interrupt Routes');
        const f = await diagram(page);
        await f.waitForSelector('#graph .node', { timeout: STEP_TIMEOUT });
        await f.locator('#irq-select').selectOption(IRQ);
        await f.waitForSelector('#graph .node.on-route', { timeout: STEP_TIMEOUT });
        const text = readFileSync(join(workspace, EXAMPLE), 'utf8');
        await gotoLine(page, sourceLine(text, IRQ));
        await routeHint(page, IRQ);
        await page.waitForTimeout(800);
        await page.screenshot({ path: join(frames, 'screenshot.png') });
      });
    },
  );
}

async function gif() {
  const shots = [];
  const frame = async (page, hold) => {
    const file = join(frames, `frame-${String(shots.length).padStart(2, '0')}.png`);
    await page.screenshot({ path: file });
    shots.push({ file, hold });
  };
  await withWorkbench(
    s,
    { failureShot: 'gif-failure.png', viewport: { width: 1024, height: 640 } },
    async ({ page, server, workspace }) => {
      const text = readFileSync(join(workspace, EXAMPLE), 'utf8');
      const line = sourceLine(text, GIF_IRQ);
      await step('the GIF: the example with its route hints', async () => {
        await openExample(page, server, workspace);
        await page.keyboard.press('Control+B'); // the editor gets the width
        await gotoLine(page, line + 6);
        await gotoLine(page, line);
        await routeHint(page, GIF_IRQ);
        await page.waitForTimeout(800);
        await frame(page, 2.0);
      });
      await step('the GIF: hover the interrupt for its route', async () => {
        const row = page.locator('.editor-instance .view-line', { hasText: `nvme0.io[2]` }).first();
        // on `io` of `irq nvme0.io[2]` (the device name would show the device's hover)
        const box = await row.locator('span span', { hasText: /^io$/ }).first().boundingBox();
        await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
        await page.waitForSelector('.monaco-hover:not(.hidden) .hover-contents', { timeout: STEP_TIMEOUT });
        await page.waitForTimeout(600);
        await frame(page, 3.0);
        await page.keyboard.press('Escape');
        await page.mouse.move(...RESTING); // away from the text and any button: no hover, no tooltip
      });
      await step('the GIF: move its affinity, the hint follows', async () => {
        await gotoLine(page, line);
        await page.keyboard.press('End');
        for (let i = 0; i < 2; i++) await page.keyboard.press('ArrowLeft');
        for (let i = 0; i < OLD_AFFINITY.length; i++) await page.keyboard.press('Backspace');
        await page.keyboard.type(AFFINITY, { delay: 120 });
        await page.keyboard.press('Home');
        // the hint of that line moves to a CPU of the new affinity
        await page.waitForFunction(
          ({ irq, lo, hi }) => {
            // Monaco renders spaces as no-break spaces
            const t =
              [...document.querySelectorAll('.editor-instance .view-line')]
                .map((x) => x.textContent.replace(/\s/g, ' '))
                .find((x) => x.startsWith(`irq ${irq} `)) ?? '';
            const cpu = /→ CPU (\d+)/.exec(t);
            return cpu !== null && Number(cpu[1]) >= lo && Number(cpu[1]) <= hi;
          },
          { irq: GIF_IRQ, lo: Number(AFFINITY.split('-')[0]), hi: Number(AFFINITY.split('-')[1]) },
          { timeout: STEP_TIMEOUT },
        );
        await page.waitForTimeout(800);
        await frame(page, 2.5);
      });
      await step('the GIF: open the diagram on its route', async () => {
        await runCommand(page, 'irqtopo: Show Interrupt Routes');
        const f = await diagram(page);
        await f.waitForSelector('#graph .node', { timeout: STEP_TIMEOUT });
        await f.locator('#irq-select').selectOption(GIF_IRQ);
        await f.waitForSelector('#graph .node.on-route', { timeout: STEP_TIMEOUT });
        // focus: the route alone, hop by hop, large enough to read in the GIF
        await f.locator('#focus-mode').click();
        await f.waitForSelector('#strip.shown', { timeout: STEP_TIMEOUT });
        await page.mouse.move(...RESTING);
        await page.waitForTimeout(1200);
        await frame(page, 4.0);
      });
    },
  );
  return shots;
}

function assemble(shots) {
  const out = join(repo, 'media');
  // both ship in the .vsix (inside its README, as data: URIs), which must stay under 1 MB: about 170 kB
  // together at these sizes and colours
  // the screenshot: 800x500, 64 colours (a UI has few)
  execFileSync('ffmpeg', [
    '-loglevel',
    'error',
    '-y',
    '-i',
    join(frames, 'screenshot.png'),
    '-vf',
    'scale=800:-1:flags=lanczos,split[a][b];[a]palettegen=max_colors=64[p];[b][p]paletteuse=dither=none',
    join(out, 'screenshot.png'),
  ]);
  // the GIF: each frame held for its time, 640x400, one 32-colour palette for all, then gifsicle's
  // frame diffs and lossy compression
  const list = join(frames, 'frames.txt');
  writeFileSync(
    list,
    [...shots.map((f) => `file '${f.file}'\nduration ${f.hold}`), `file '${shots.at(-1).file}'`].join('\n'),
  );
  const raw = join(frames, 'demo-raw.gif');
  execFileSync('ffmpeg', [
    '-loglevel',
    'error',
    '-y',
    '-f',
    'concat',
    '-safe',
    '0',
    '-i',
    list,
    '-vf',
    'scale=640:-1:flags=lanczos,split[a][b];[a]palettegen=max_colors=32:stats_mode=full[p];[b][p]paletteuse=dither=none',
    '-vsync',
    'vfr',
    '-loop',
    '0',
    raw,
  ]);
  execFileSync('gifsicle', ['-O3', '--lossy=80', raw, '-o', join(out, 'demo.gif')]);
  for (const f of ['screenshot.png', 'demo.gif']) log(`media/${f}: ${statSync(join(out, f)).size} bytes`);
}

run(s, async () => {
  try {
    await screenshot();
    const shots = await gif();
    await step('assemble media/screenshot.png and media/demo.gif', () => assemble(shots));
  } finally {
    if (keep < 0) rmSync(frames, { recursive: true, force: true });
  }
});
