// The part of package.json generated from the rule table (RULES in server/src/core/checks/registry.ts):
// one entry per code in the `irqtopo.rules` setting, with its one-line title, its default severity and a
// link to its section of docs/rules.md. scripts/build.mjs runs syncManifest() after every build (in CI it
// only checks); test/core/manifest.test.ts checks that package.json holds what rulesSetting() makes.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RuleInfo } from '../server/src/core';

export const SEVERITIES = ['error', 'warning', 'information', 'hint', 'off'] as const;

/** A command link that opens a doc of the installed extension (irqtopo.openDocs, client/src/docs.ts). */
export function docsLink(file: string, anchor?: string): string {
  return `command:irqtopo.openDocs?${encodeURIComponent(JSON.stringify(anchor ? [file, anchor] : [file]))}`;
}

export interface RuleProperty {
  type: 'string';
  enum: string[];
  markdownDescription: string;
}

/** `contributes.configuration.properties["irqtopo.rules"].properties`: one entry per code, in RULES order. */
export function rulesSetting(rules: readonly RuleInfo[]): Record<string, RuleProperty> {
  const out: Record<string, RuleProperty> = {};
  for (const r of rules) {
    const title = r.title.charAt(0).toUpperCase() + r.title.slice(1);
    out[r.code] = {
      type: 'string',
      enum: [...SEVERITIES],
      markdownDescription: `${title} (${r.section}). Default: \`${r.severity}\`. [docs/rules.md#${r.code}](${docsLink('rules.md', r.code)})`,
    };
  }
  return out;
}

interface Manifest {
  contributes: { configuration: { properties: Record<string, { properties?: unknown }> } };
}

/** package.json as it should be: the same, with the generated entries in place. */
export function generatedManifest(text: string, rules: readonly RuleInfo[]): string {
  const pkg = JSON.parse(text) as Manifest;
  pkg.contributes.configuration.properties['irqtopo.rules'].properties = rulesSetting(rules);
  return `${JSON.stringify(pkg, null, 2)}\n`;
}

/**
 * Brings package.json in step with RULES. Returns 'unchanged', 'written', or 'stale' (when `check` is
 * set, nothing is written: CI fails on a package.json that was not regenerated and committed).
 */
export function syncManifest(root: string, rules: readonly RuleInfo[], check: boolean): string {
  const file = path.join(root, 'package.json');
  const text = fs.readFileSync(file, 'utf8');
  const want = generatedManifest(text, rules);
  if (want === text) return 'unchanged';
  if (check) return 'stale';
  fs.writeFileSync(file, want);
  return 'written';
}

// ---- the .vsix's contents (scripts/package-vsix.mjs packs them) -----------------------------------

const MIME: Record<string, string> = { png: 'image/png', gif: 'image/gif', jpg: 'image/jpeg' };

/**
 * The package README: media/README.md with each `![alt](FILE)` image of media/ embedded as a data: URI.
 * VS Code's extension page loads only https: and data: images (its CSP is `img-src https: data:`) and
 * resolves no relative path; irqtopo has no https host. So the images ship inside the README. (It lives
 * in media/, beside its images, and not as a README* file at the root, which npm would always pack.)
 */
export function packageReadme(root: string): string {
  const text = fs.readFileSync(path.join(root, 'media', 'README.md'), 'utf8');
  return text.replace(
    /!\[([^\]]*)\]\(([\w.-]+\.(png|gif|jpg))\)/g,
    (_, alt: string, file: string, ext: string) => {
      const data = fs.readFileSync(path.join(root, 'media', file)).toString('base64');
      return `![${alt}](data:${MIME[ext]};base64,${data})`;
    },
  );
}

/** What the .vsix ships besides package.json and README.md: [source in the repository, path in the package]. */
export function shipList(root: string): [string, string][] {
  const dir = (d: string, re: RegExp) =>
    fs
      .readdirSync(path.join(root, d))
      .filter((f) => re.test(f))
      .sort()
      .map((f) => `${d}/${f}`);
  const same = (p: string): [string, string] => [p, p];
  return [
    ...['CHANGELOG.md', 'LICENSE', 'language-configuration.json'].map(same),
    // the extension (package.json `main` and `browser`), the language server (under Node and, in
    // vscode.dev, as a web worker) with the command line, and the command line's entry (the task's)
    ...['dist/extension.js', 'dist/server.js', 'dist/cli.js'].map(same),
    ...[
      'dist/webview/main.js',
      'dist/webview/layout.js',
      'dist/webview/codicon.css',
      'dist/webview/codicon.ttf',
    ].map(same),
    ...dir('syntaxes', /\.tmLanguage\.json$/).map(same),
    ...dir('snippets', /\.code-snippets$/).map(same),
    ...dir('walkthrough', /\.(md|svg)$/).map(same),
    ...['media/icon.png', 'media/irqtopo.svg'].map(same),
    // the docs the extension opens (client/src/docs.ts DOCS; rules.md from every diagnostic) and the
    // examples it offers (irqtopo.openExample)
    ...['docs/rules.md', 'docs/language.md', 'docs/simulation.md', 'docs/importer.md'].map(same),
    ...dir('examples', /\.irqtopo$/).map(same),
  ];
}

/** The package's manifest: what ships, no build scripts (the build ran), no npm `bin`. */
export function packageManifest(text: string, ship: readonly [string, string][]): string {
  const pkg = JSON.parse(text) as Record<string, unknown> & { devDependencies: Record<string, string> };
  const out: Record<string, unknown> = { ...pkg, files: ship.map(([, to]) => to) };
  delete out.scripts;
  delete out.bin;
  // @types/vscode stays so vsce checks it against engines.vscode
  out.devDependencies = { '@types/vscode': pkg.devDependencies['@types/vscode'] };
  return `${JSON.stringify(out, null, 2)}\n`;
}
