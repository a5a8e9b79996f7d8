// Renders media/icon.svg to media/icon.png (128x128, transparent corners) in headless Chromium, the
// way the e2e tests run it (test/chromium.json). A maintainer's tool: the PNG is committed, and the
// build does not run this. Usage: node scripts/render-icon.mjs
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const chrome = JSON.parse(readFileSync(join(repo, 'test', 'chromium.json'), 'utf8'));
const svg = readFileSync(join(repo, 'media', 'icon.svg'), 'utf8');
const browser = await chromium.launch({ executablePath: chrome.executablePath, args: chrome.args });
try {
  const page = await browser.newPage({ viewport: { width: 128, height: 128 }, deviceScaleFactor: 1 });
  await page.setContent(`<html><body style="margin:0;background:transparent">${svg}</body></html>`);
  await page.locator('svg').screenshot({ path: join(repo, 'media', 'icon.png'), omitBackground: true });
} finally {
  await browser.close();
}
