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
// Two vsce options are set. Without them vsce 3.9.2 stops, and neither cause can be removed honestly:
//   --allow-missing-repository   without it: WARNING "A 'repository' field is missing from the
//                                'package.json' manifest file." and a y/N prompt. irqtopo has no public
//                                repository, and a made-up URL would be a lie in the manifest. Add the
//                                real one when there is one, and drop this option.
//   --no-rewrite-relative-links  without it: ERROR "Couldn't detect the repository where this extension is
//                                published. The image 'data:image/png;base64,…' will be broken in
//                                README.md": vsce takes a Markdown link not of the form scheme:// for a
//                                relative one, to be rewritten against the repository (with one, the
//                                data: URI would become <repository>/data:image/…, a broken https: URL);
//                                an HTML <img src="data:…"> fails its next check instead: "Images in
//                                README.md must come from an HTTPS source" (the Marketplace's rule). The
//                                README's images must ship inside the .vsix, and VS Code's extension page
//                                shows only https: and data: images (its CSP: `img-src https: data:`);
//                                with no https: host, data: URIs are the only way.
// The option also turns off vsce's other README checks, so checkReadme() below does what still applies:
// no relative link or image (nothing to rewrite them against), no SVG image, no <svg> tag.
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
    const readme = packageReadme(repo);
    checkReadme(readme);
    writeFileSync(join(stage, 'README.md'), readme);
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

/**
 * What vsce checks of a README and --no-rewrite-relative-links turns off, where it still applies: every
 * link and image absolute (https:, a data: image, a command: link, an anchor), no SVG image, no <svg>.
 */
export function checkReadme(text) {
  const problems = [];
  const shown = (t) => (t.length > 60 ? `${t.slice(0, 60)}…` : t);
  const image = (src) => {
    if (!/^(https:|data:image\/(png|gif|jpeg);)/i.test(src))
      problems.push(`an image that is neither https: nor a PNG, GIF or JPEG data: URI: ${shown(src)}`);
    else if (/\.svg([?#]|$)/i.test(src)) problems.push(`an SVG image: ${shown(src)}`);
  };
  for (const m of text.matchAll(/(!?)\[(?:[^\]\[]|!\[[^\]\[]*\]\([^)]+\))*\]\(([^)\s]+)[^)]*\)/g)) {
    if (m[1]) image(m[2]);
    else if (!/^(https:|mailto:|command:|#)/i.test(m[2])) problems.push(`a relative link: ${shown(m[2])}`);
  }
  for (const m of text.matchAll(/<(?:img|video)\b[^>]*\bsrc=["']([^"']*)["']/gi)) image(m[1]);
  if (/<svg[\s>]/i.test(text)) problems.push('an <svg> tag');
  if (problems.length) throw new Error(`the package README:\n  ${problems.join('\n  ')}`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    main();
  } catch (e) {
    process.stderr.write(`package-vsix: ${e.message}\n`);
    process.exit(1);
  }
}
