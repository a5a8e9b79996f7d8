// npm run package: the .vsix a user installs, irqtopo-<version>.vsix in the repository root.
//
// package.json's `files` is the npm package's list (the CLI and server bundles, docs, examples); vsce
// reads the same field and refuses a .vscodeignore beside it. So the .vsix is packed from a staging
// folder that holds exactly what it ships and a copy of package.json whose `files` is
// that list. Steps: the production build (`npm run vscode:prepublish`: minified, no source maps), the
// staging folder, `vsce package` in it. It fails when vsce prints a warning or the .vsix is 1 MB or more.
//
// What ships, the package manifest and the package README (media/README.md with its images embedded as
// data: URIs: VS Code's extension page loads no relative image) are in scripts/manifest.ts, which the
// tests check; the build transpiles it to out/scripts/manifest.js.
//
// Two vsce options are set, neither hiding a fixable problem:
//   --allow-missing-repository  irqtopo has no public repository, so package.json has no `repository`
//                               (add one when it exists, and drop this option);
//   --no-rewrite-relative-links vsce rewrites README links against a repository URL and requires
//                               https: images (the Marketplace's rule); the embedded data: images are
//                               neither, and there is no repository to point at.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const MAX_BYTES = 1024 * 1024;

function main() {
  execFileSync('npm', ['run', '--silent', 'vscode:prepublish'], { cwd: repo, stdio: 'inherit' });
  // read after the build, which brings the generated part of package.json in step
  const text = readFileSync(join(repo, 'package.json'), 'utf8');
  const pkg = JSON.parse(text);
  const { packageManifest, packageReadme, shipList } = createRequire(import.meta.url)(
    '../out/scripts/manifest.js',
  );

  const stage = mkdtempSync(join(tmpdir(), 'irqtopo-vsix-'));
  try {
    const ship = shipList(repo);
    for (const [from, to] of ship) {
      mkdirSync(dirname(join(stage, to)), { recursive: true });
      cpSync(join(repo, from), join(stage, to));
    }
    writeFileSync(join(stage, 'README.md'), packageReadme(repo));
    writeFileSync(join(stage, 'package.json'), packageManifest(text, ship));

    const out = join(repo, `${pkg.name}-${pkg.version}.vsix`);
    const vsce = join(repo, 'node_modules', '@vscode', 'vsce', 'vsce');
    const args = ['package', '--out', out, '--allow-missing-repository', '--no-rewrite-relative-links'];
    // no standard input: a vsce prompt ("Do you want to continue?") fails instead of waiting
    const r = spawnSync(process.execPath, [vsce, ...args], {
      cwd: stage,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, GITHUB_ACTIONS: '' },
    });
    process.stdout.write(r.stdout ?? '');
    process.stderr.write(r.stderr ?? '');
    if (r.status !== 0) throw new Error(`vsce package failed (${r.status ?? r.signal})`);
    if (/\bWARNING\b/.test(`${r.stdout}${r.stderr}`))
      throw new Error('vsce printed a warning (above): fix its cause');
    const size = statSync(out).size;
    process.stdout.write(`${out}: ${size} bytes, ${ship.length + 2} files\n`);
    if (size >= MAX_BYTES) throw new Error(`the .vsix is ${size} bytes: it must stay under ${MAX_BYTES}`);
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    main();
  } catch (e) {
    process.stderr.write(`package-vsix: ${e.message}\n`);
    process.exit(1);
  }
}
