#!/usr/bin/env node
// A stand-in for the VS Code desktop executable, for @vscode/test-electron's runTests({ vscodeExecutablePath }).
// It takes the desktop-style arguments (--extensionDevelopmentPath=, --extensionTestsPath=,
// --user-data-dir=, --extensions-dir=, a folder or file) and runs the same extension tests inside
// code-server 4.100.3 (VS Code 1.100.3), with Debian's Chromium driven by playwright-core opening the
// workbench with the development options in its URL (../shared/guides/real-clients.md, section 3a).
// The suite writes its results to $IRQTOPO_E2E_RESULTS; this script prints them and exits 0 when every
// test passed, 1 otherwise (so runTests resolves or rejects as with a desktop VS Code).
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cleanup, launchBrowser, makeDirs, startCodeServer } from './code-server.mjs';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const TIMEOUT_MS = Number(process.env.IRQTOPO_E2E_TIMEOUT_MS || 300_000);

function parseArgs(argv) {
  const out = {
    developmentPaths: [],
    testsPath: undefined,
    userDataDir: undefined,
    extensionsDir: undefined,
  };
  const positional = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const m = /^--([^=]+)(?:=(.*))?$/.exec(a);
    if (!m) {
      positional.push(a);
      continue;
    }
    const [, key, inline] = m;
    const takesValue = ['extensionDevelopmentPath', 'extensionTestsPath', 'user-data-dir', 'extensions-dir'];
    const value = inline ?? (takesValue.includes(key) ? argv[++i] : undefined);
    if (key === 'extensionDevelopmentPath') out.developmentPaths.push(resolve(value));
    else if (key === 'extensionTestsPath') out.testsPath = resolve(value);
    else if (key === 'user-data-dir') out.userDataDir = resolve(value);
    else if (key === 'extensions-dir') out.extensionsDir = resolve(value);
    // other desktop flags (--no-sandbox, --disable-extensions, --skip-welcome, ...) mean nothing here
  }
  out.folder = positional.length ? resolve(positional[positional.length - 1]) : undefined;
  return out;
}

function log(msg) {
  process.stderr.write(`[vscode-shim] ${msg}\n`);
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  if (!args.testsPath) throw new Error('missing --extensionTestsPath=');
  if (args.developmentPaths.length === 0) throw new Error('missing --extensionDevelopmentPath=');
  for (const p of [args.testsPath, ...args.developmentPaths]) {
    if (!existsSync(p) && !existsSync(`${p}.js`)) throw new Error(`${p} does not exist`);
  }
  // the extension host require()s the tests path; point at the file so the remote URI is unambiguous
  let testsModule = args.testsPath;
  if (existsSync(testsModule) && statSync(testsModule).isDirectory())
    testsModule = join(testsModule, 'index.js');
  else if (!existsSync(testsModule)) testsModule = `${testsModule}.js`;

  const dirs = makeDirs({ userDataDir: args.userDataDir, extensionsDir: args.extensionsDir });
  const results = join(dirs.root, 'results.json');
  const started = Date.now();
  const server = await startCodeServer({
    folder: args.folder,
    dirs,
    env: { IRQTOPO_E2E_RESULTS: results },
  });
  log(`code-server ${server.url} up in ${Date.now() - started} ms (state in ${dirs.root})`);
  let browser;
  let code = 1;
  try {
    const authority = `127.0.0.1:${server.port}`;
    const remote = (p) => `vscode-remote://${authority}${p}`;
    const payload = [
      ...args.developmentPaths.map((p) => ['extensionDevelopmentPath', remote(p)]),
      ['extensionTestsPath', remote(testsModule)],
    ];
    let url = `${server.url}/?`;
    if (args.folder) url += `folder=${encodeURIComponent(args.folder)}&`;
    url += `payload=${encodeURIComponent(JSON.stringify(payload))}`;

    browser = await launchBrowser(dirs);
    const page = browser.pages()[0] ?? (await browser.newPage());
    const consoleLines = [];
    page.on('console', (m) => {
      const line = `[browser ${m.type()}] ${m.text()}`;
      consoleLines.push(line);
      if (process.env.IRQTOPO_E2E_VERBOSE) process.stderr.write(`${line}\n`);
    });
    page.on('pageerror', (e) => consoleLines.push(`[pageerror] ${e.stack ?? e}`));
    await page.goto(url);
    await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
    log(`workbench loaded in ${Date.now() - started} ms; waiting for the suite`);

    const deadline = Date.now() + TIMEOUT_MS;
    while (!existsSync(results)) {
      if (server.proc.exitCode !== null) throw new Error(`code-server exited early:\n${server.log()}`);
      if (Date.now() > deadline) {
        await screenshot(page, 'extension-tests-timeout.png');
        throw new Error(
          `no results in ${results} after ${TIMEOUT_MS} ms: the suite did not run or did not finish.\n` +
            `--- code-server output (tail) ---\n${server.log().slice(-4000)}\n` +
            `--- browser console (tail) ---\n${consoleLines.slice(-60).join('\n')}`,
        );
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    const r = JSON.parse(readFileSync(results, 'utf8'));
    await screenshot(page, 'extension-tests.png');
    process.stdout.write(r.report.endsWith('\n') ? r.report : `${r.report}\n`);
    for (const f of r.failed) process.stdout.write(`FAILED: ${f.title}\n${f.error}\n\n`);
    log(
      `${r.passed.length} passed, ${r.failed.length} failed, ${r.pending.length} pending ` +
        `in ${Date.now() - started} ms`,
    );
    code = r.failed.length === 0 && r.passed.length > 0 ? 0 : 1;
  } finally {
    if (browser) await browser.close().catch(() => undefined);
    await server.stop();
    cleanup(dirs);
  }
  return code;
}

async function screenshot(page, name) {
  const dir = join(repo, 'test-results');
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: join(dir, name) }).catch((e) => log(`screenshot ${name} failed: ${e}`));
  log(`screenshot test-results/${name}`);
}

main().then(
  (code) => process.exit(code),
  (e) => {
    log(String(e?.stack ?? e));
    process.exit(1);
  },
);
