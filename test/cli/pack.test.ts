// The npm package as a user gets it: `npm pack`, then `npm install -g ./irqtopo-*.tgz` into a temporary
// prefix, offline (the package has no dependencies: everything is bundled), then both commands run from
// that prefix: `irqtopo check` on a shipped example, and `irqtopo-language-server --stdio` answering
// initialize and publishing diagnostics whose rule links point at the installed docs.
import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  createProtocolConnection,
  DidOpenTextDocumentNotification,
  ExitNotification,
  InitializedNotification,
  InitializeRequest,
  PublishDiagnosticsNotification,
  ShutdownRequest,
  StreamMessageReader,
  StreamMessageWriter,
  type PublishDiagnosticsParams,
} from 'vscode-languageserver-protocol/node';
import { ROOT } from '../core/helpers';

/** The environment without what `npm test` put there (npm_config_prefix and friends). */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^npm_/i.test(k)) env[k] = v;
  return { ...env, ...extra };
}

function npm(args: string[], cwd: string, cache: string) {
  const r = spawnSync('npm', [...args, '--cache', cache, '--no-audit', '--no-fund', '--no-update-notifier'], {
    cwd,
    encoding: 'utf8',
    env: cleanEnv(),
    timeout: 120_000,
  });
  assert.equal(r.status, 0, `npm ${args.join(' ')}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

describe('the npm package (npm pack, npm install -g in a temporary prefix)', function () {
  this.timeout(180_000);
  let tmp: string;
  let prefix: string;
  let installed: string;
  let files: string[];

  before(() => {
    for (const f of ['dist/cli.js', 'dist/server.js'])
      assert.ok(fs.existsSync(path.join(ROOT, f)), `${f} does not exist (npm run build)`);
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'irqtopo-pack-'));
    prefix = path.join(tmp, 'prefix');
    const cache = path.join(tmp, 'cache');
    // --ignore-scripts: `prepack` would run the production build, which rewrites out/ under mocha
    const packed = JSON.parse(
      npm(['pack', '--json', '--ignore-scripts', '--pack-destination', tmp], ROOT, cache),
    ) as { filename: string; files: { path: string }[] }[];
    files = packed[0].files.map((f) => f.path).sort();
    const tgz = path.join(tmp, packed[0].filename);
    // --offline: nothing may be fetched; the tarball declares no dependencies
    npm(['install', '-g', '--offline', '--prefix', prefix, tgz], tmp, cache);
    installed = path.join(prefix, 'lib', 'node_modules', 'irqtopo');
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('ships the bundles, the docs, the examples and the licence, and no sources, tests or source maps', () => {
    for (const f of [
      'LICENSE',
      'README.md',
      'package.json',
      'dist/cli.js',
      'dist/server.js',
      'docs/rules.md',
    ])
      assert.ok(files.includes(f), `${f} is not in the tarball: ${files.join(', ')}`);
    for (const f of files)
      assert.match(
        f,
        /^(LICENSE|README\.md|package\.json|dist\/(cli|server)\.js|docs\/[\w-]+\.md|examples\/[\w-]+\.irqtopo)$/,
      );
    const pkg = JSON.parse(fs.readFileSync(path.join(installed, 'package.json'), 'utf8')) as {
      dependencies?: object;
    };
    assert.equal(pkg.dependencies, undefined, 'every runtime package is bundled');
    assert.deepEqual(
      fs.readdirSync(installed).filter((f) => f === 'node_modules'),
      [],
    );
  });

  it('every relative link of a shipped Markdown file points at a shipped file', () => {
    for (const md of files.filter((f) => f.endsWith('.md') && f !== 'README.md')) {
      const text = fs.readFileSync(path.join(installed, md), 'utf8');
      for (const m of text.matchAll(/\]\(([^)\s#]+)(#[^)\s]*)?\)/g)) {
        if (/^[a-z]+:/i.test(m[1])) continue;
        const target = path.posix.normalize(path.posix.join(path.posix.dirname(md), m[1]));
        assert.ok(files.includes(target), `${md} links ${m[1]}, which is not shipped`);
      }
    }
  });

  it('irqtopo check runs from the prefix on a shipped example: the error, exit 1, links to the installed docs', () => {
    const bin = path.join(prefix, 'bin', 'irqtopo');
    const example = path.join(installed, 'examples', 'ims-under-pci-msi.irqtopo');
    const r = spawnSync(bin, ['check', example], { encoding: 'utf8', env: cleanEnv(), cwd: tmp });
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stdout, /ims-under-pci-msi\.irqtopo:\d+:\d+: error ims-parent-pci-msi: /);
    assert.match(r.stderr, /^1 file checked: 1 error, /);
    const sarif = spawnSync(bin, ['check', example, '--format=sarif'], { encoding: 'utf8', env: cleanEnv() });
    const rule = (
      JSON.parse(sarif.stdout) as {
        runs: { tool: { driver: { rules: { id: string; helpUri: string }[] } } }[];
      }
    ).runs[0].tool.driver.rules.find((x) => x.id === 'ims-parent-pci-msi')!;
    const doc = fileURLToPath(rule.helpUri.replace(/#.*$/, ''));
    assert.equal(doc, path.join(fs.realpathSync(installed), 'docs', 'rules.md'));
    assert.ok(fs.existsSync(doc));
    const version = spawnSync(bin, ['--version'], { encoding: 'utf8', env: cleanEnv() });
    assert.equal(version.stdout.trim(), '0.1.0');
  });

  it('irqtopo-language-server --stdio answers initialize and publishes diagnostics', async () => {
    const bin = path.join(prefix, 'bin', 'irqtopo-language-server');
    const proc = spawn(bin, ['--stdio'], { env: cleanEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    proc.stderr.on('data', (d) => (stderr += String(d)));
    const conn = createProtocolConnection(
      new StreamMessageReader(proc.stdout),
      new StreamMessageWriter(proc.stdin),
    );
    const example = path.join(installed, 'examples', 'ims-under-pci-msi.irqtopo');
    const uri = pathToFileURL(example).href;
    const published = new Promise<PublishDiagnosticsParams>((resolve) =>
      conn.onNotification(PublishDiagnosticsNotification.type, (p) => {
        if (p.uri === uri && p.diagnostics.length > 0) resolve(p);
      }),
    );
    conn.listen();
    try {
      const init = await conn.sendRequest(InitializeRequest.type, {
        processId: process.pid,
        rootUri: pathToFileURL(installed).href,
        capabilities: {},
        workspaceFolders: null,
      });
      assert.equal(init.serverInfo?.name, 'irqtopo-language-server');
      assert.ok(init.capabilities.hoverProvider, 'hover');
      await conn.sendNotification(InitializedNotification.type, {});
      await conn.sendNotification(DidOpenTextDocumentNotification.type, {
        textDocument: { uri, languageId: 'irqtopo', version: 1, text: fs.readFileSync(example, 'utf8') },
      });
      const p = await published;
      const d = p.diagnostics.find((x) => x.code === 'ims-parent-pci-msi');
      assert.ok(d, JSON.stringify(p.diagnostics.map((x) => x.code)));
      assert.ok(
        fs.existsSync(fileURLToPath(d.codeDescription!.href.replace(/#.*$/, ''))),
        d.codeDescription!.href,
      );
      await conn.sendRequest(ShutdownRequest.type);
      await conn.sendNotification(ExitNotification.type);
    } catch (e) {
      throw new Error(`${(e as Error).message}\nserver stderr:\n${stderr}`, { cause: e });
    } finally {
      conn.dispose();
      proc.kill();
    }
  });
});
