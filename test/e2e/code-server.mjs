// Starts and stops code-server 4.100.3 (VS Code 1.100.3) for the real-VS-Code tests, with every state
// folder fresh and outside the home folder. Recipe: ../shared/guides/real-clients.md, section 3.
import { spawn, execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

export const CODE_SERVER_VERSION = '4.100.3';

export function cacheDir() {
  return process.env.IRQTOPO_E2E_CACHE || join(homedir(), '.cache', 'irqtopo-e2e');
}

/** The code-server launcher installed by test/e2e/install.sh. */
export function codeServerBin() {
  const bin = join(cacheDir(), `code-server-${CODE_SERVER_VERSION}`, 'node_modules', '.bin', 'code-server');
  if (!existsSync(bin)) {
    throw new Error(`code-server is not installed at ${bin}: run test/e2e/install.sh first`);
  }
  return bin;
}

/** User settings that keep the workbench quiet and offline. */
export const SEEDED_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'telemetry.telemetryLevel': 'off',
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'extensions.ignoreRecommendations': true,
  'update.mode': 'none',
  'git.enabled': false,
  'security.workspace.trust.enabled': false,
  'chat.disableAIFeatures': true,
};

/**
 * Fresh state folders under one root: config, user data, extensions, XDG_* and TMPDIR.
 * `userDataDir` / `extensionsDir` may be given (the desktop-style arguments of a test runner).
 */
export function makeDirs({ root, userDataDir, extensionsDir, settings = {} } = {}) {
  const base = root ?? mkdtempSync(join(tmpdir(), 'irqtopo-e2e-'));
  const dirs = {
    root: base,
    config: join(base, 'config.yaml'),
    userData: resolve(userDataDir ?? join(base, 'user-data')),
    extensions: resolve(extensionsDir ?? join(base, 'extensions')),
    xdgConfig: join(base, 'xdg-config'),
    xdgData: join(base, 'xdg-data'),
    xdgCache: join(base, 'xdg-cache'),
    tmp: join(base, 'tmp'),
  };
  for (const d of [dirs.userData, dirs.extensions, dirs.xdgConfig, dirs.xdgData, dirs.xdgCache, dirs.tmp]) {
    mkdirSync(d, { recursive: true });
  }
  mkdirSync(join(dirs.userData, 'User'), { recursive: true });
  writeFileSync(
    join(dirs.userData, 'User', 'settings.json'),
    JSON.stringify({ ...SEEDED_SETTINGS, ...settings }, null, 2),
  );
  writeFileSync(dirs.config, 'auth: none\ncert: false\n');
  return dirs;
}

/** The environment code-server (and so the extension host) runs with. */
export function envFor(dirs, extra = {}) {
  return {
    ...process.env,
    XDG_CONFIG_HOME: dirs.xdgConfig,
    XDG_DATA_HOME: dirs.xdgData,
    XDG_CACHE_HOME: dirs.xdgCache,
    TMPDIR: dirs.tmp,
    ...extra,
  };
}

function commonArgs(dirs) {
  return ['--config', dirs.config, '--user-data-dir', dirs.userData, '--extensions-dir', dirs.extensions];
}

/** `code-server --install-extension VSIX` into the given extensions folder (about 1 s). */
export async function installExtension(dirs, vsix) {
  const { stdout, stderr } = await promisify(execFile)(
    codeServerBin(),
    [...commonArgs(dirs), '--force', '--install-extension', resolve(vsix)],
    { env: envFor(dirs), timeout: 120_000 },
  );
  return `${stdout}${stderr}`;
}

export async function freePort() {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = /** @type {import('node:net').AddressInfo} */ (srv.address());
      srv.close(() => resolvePort(port));
    });
  });
}

/**
 * Starts code-server in its own process group and waits until /healthz answers.
 * Returns { url, port, dirs, proc, log(), stop() }.
 */
export async function startCodeServer({ folder, dirs, env = {}, startTimeoutMs = 60_000, verbose = false }) {
  const port = await freePort();
  const args = [
    ...commonArgs(dirs),
    '--bind-addr',
    `127.0.0.1:${port}`,
    '--auth',
    'none',
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--ignore-last-opened',
  ];
  if (verbose) args.push('--verbose');
  if (folder) args.push(resolve(folder));
  let output = '';
  const proc = spawn(codeServerBin(), args, {
    env: envFor(dirs, env),
    detached: true, // its own process group: stop() kills the file watcher and extension host too
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const onData = (d) => {
    output += d.toString();
    if (output.length > 2_000_000) output = output.slice(-1_000_000);
    if (process.env.IRQTOPO_E2E_VERBOSE) process.stderr.write(d);
  };
  proc.stdout.on('data', onData);
  proc.stderr.on('data', onData);
  let exited = null;
  proc.on('exit', (code, signal) => (exited = { code, signal }));

  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (exited) return;
    const gone = new Promise((r) => proc.once('exit', r));
    try {
      process.kill(-proc.pid, 'SIGTERM');
    } catch {
      return;
    }
    const timer = setTimeout(() => {
      try {
        process.kill(-proc.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }, 5_000);
    await gone;
    clearTimeout(timer);
  };

  const deadline = Date.now() + startTimeoutMs;
  for (;;) {
    if (exited) {
      throw new Error(`code-server exited (${JSON.stringify(exited)}) before it answered:\n${output}`);
    }
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.ok) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`code-server did not answer ${url}/healthz within ${startTimeoutMs} ms:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { url, port, dirs, proc, log: () => output, stop };
}

/** Removes a state root made by makeDirs (keeps it when IRQTOPO_E2E_KEEP is set, for debugging). */
export function cleanup(dirs) {
  if (process.env.IRQTOPO_E2E_KEEP) {
    console.error(`[e2e] kept ${dirs.root}`);
    return;
  }
  rmSync(dirs.root, { recursive: true, force: true });
}

/** The Chromium options that work here (Debian's /usr/bin/chromium, headless, no network chatter). */
export const CHROMIUM_ARGS = JSON.parse(
  readFileSync(new URL('../chromium.json', import.meta.url), 'utf8'),
).args;

export async function launchBrowser(dirs, { viewport = { width: 1400, height: 900 } } = {}) {
  const { chromium } = await import('playwright-core');
  const profile = join(dirs.root, 'chromium-profile');
  mkdirSync(profile, { recursive: true });
  return chromium.launchPersistentContext(profile, {
    executablePath: process.env.IRQTOPO_E2E_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
    env: { ...process.env, XDG_CONFIG_HOME: dirs.xdgConfig, XDG_CACHE_HOME: dirs.xdgCache, TMPDIR: dirs.tmp },
    viewport,
  });
}
