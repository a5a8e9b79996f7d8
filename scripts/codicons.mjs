// The diagram webview's codicons (dist/webview/codicon.css and codicon.ttf), cut down to the icons it
// uses: the full font is 126 kB (61 kB in the .vsix) for about 1,300 icons; the diagram's toolbar uses
// seven. The icons used are the `codicon-NAME` classes written in the webview's sources
// (client/src/shared, client/src/webview); a name the font does not have fails the build. The font is
// subset with subset-font (HarfBuzz's hb-subset compiled to WebAssembly, an npm package: nothing is
// downloaded), the stylesheet keeps its base rules and one rule per icon used.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import subsetFont from 'subset-font';

const SOURCES = ['client/src/shared', 'client/src/webview'];
const CODICONS = join('node_modules', '@vscode', 'codicons', 'dist');
/** classes of codicon.css that are not icons */
const NOT_ICONS = /^codicon-(modifier-[a-z-]+|spin)$/;

function files(dir, out = []) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) files(p, out);
    else if (/\.ts$/.test(name)) out.push(p);
  }
  return out;
}

/** The icon names the webview's sources use, sorted. */
export function usedIcons(root = '.') {
  const names = new Set();
  for (const dir of SOURCES)
    for (const f of files(join(root, dir)))
      for (const m of readFileSync(f, 'utf8').matchAll(/\bcodicon-([a-z0-9]+(?:-[a-z0-9]+)*)/g))
        if (!NOT_ICONS.test(`codicon-${m[1]}`)) names.add(m[1]);
  return [...names].sort();
}

/**
 * Writes OUT/codicon.css and OUT/codicon.ttf with the icons the webview uses. Returns their names and
 * the sizes before and after.
 */
export async function writeCodicons(out, root = '.') {
  const css = readFileSync(join(root, CODICONS, 'codicon.css'), 'utf8');
  const ttf = readFileSync(join(root, CODICONS, 'codicon.ttf'));
  const { version } = JSON.parse(readFileSync(join(root, CODICONS, '..', 'package.json'), 'utf8'));
  const rule = /^\.codicon-([a-z0-9-]+):before \{ content: "\\([0-9a-f]+)" \}$/;
  const points = new Map();
  for (const line of css.split('\n')) {
    const m = rule.exec(line);
    if (m) points.set(m[1], parseInt(m[2], 16));
  }
  if (points.size < 100) throw new Error(`codicon.css: ${points.size} icon rules found; its format changed`);
  const icons = usedIcons(root);
  const missing = icons.filter((n) => !points.has(n));
  if (missing.length)
    throw new Error(`the webview uses codicons the font does not have: ${missing.join(', ')}`);

  const font = await subsetFont(ttf, icons.map((n) => String.fromCodePoint(points.get(n))).join(''), {
    targetFormat: 'truetype',
  });
  const hash = createHash('md5').update(font).digest('hex');
  const kept = css
    .split('\n')
    .filter((line) => {
      const m = rule.exec(line);
      return !m || icons.includes(m[1]);
    })
    .join('\n')
    .replace(/(\.\/codicon\.ttf)\?[0-9a-f]+/, `$1?${hash}`)
    .replace(
      '@font-face',
      `/* A subset of @vscode/codicons ${version} (the font: CC BY 4.0, Microsoft): the icons of irqtopo's\n * diagram only, ${icons.join(', ')} (made by scripts/codicons.mjs) */\n\n@font-face`,
    );
  writeFileSync(join(out, 'codicon.ttf'), font);
  writeFileSync(join(out, 'codicon.css'), kept);
  return { icons, ttf: [ttf.length, font.length], css: [css.length, kept.length] };
}
