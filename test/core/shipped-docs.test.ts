// The documentation that ships in the .vsix refers only to what ships: every relative link of a
// shipped page (docs/rules.md, which diagnostics open, and what it links to) resolves to a shipped file
// and, with an anchor, to a section of it; no shipped page names a repository file that is not shipped.
// The list of shipped files is the .vsix's: shipList() of scripts/manifest.ts, which
// scripts/package-vsix.mjs stages and packs.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { shipList } from '../../scripts/manifest';
import { ROOT } from './helpers';

function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');
}

/** The anchors of a Markdown page: `<a id>` and heading slugs. */
function anchors(text: string): Set<string> {
  const out = new Set<string>();
  for (const m of text.matchAll(/<a id="([^"]+)"><\/a>/g)) out.add(m[1]);
  for (const m of text.matchAll(/^#{1,6} (.+)$/gm)) out.add(slug(m[1]));
  return out;
}

describe('the shipped documentation', function () {
  this.timeout(60_000);
  let shipped: Set<string>;

  before(() => {
    shipped = new Set(shipList(ROOT).map(([, to]) => to));
  });

  it('ships the rule reference diagnostics link to', () => {
    assert.ok(shipped.has('docs/rules.md'), [...shipped].join(', '));
  });

  it('links only to shipped files and to sections that exist', () => {
    const pages = [...shipped].filter((f) => f.startsWith('docs/') && f.endsWith('.md'));
    const problems: string[] = [];
    for (const page of pages) {
      const text = fs.readFileSync(path.join(ROOT, page), 'utf8');
      for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        const target = m[1];
        if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto:
        const [file, anchor] = target.split('#');
        const resolved = file ? path.posix.normalize(path.posix.join(path.posix.dirname(page), file)) : page;
        if (!shipped.has(resolved)) {
          problems.push(`${page}: ${target} -> ${resolved} is not shipped`);
          continue;
        }
        if (anchor && !anchors(fs.readFileSync(path.join(ROOT, resolved), 'utf8')).has(anchor))
          problems.push(`${page}: ${target}: no section #${anchor} in ${resolved}`);
      }
    }
    assert.deepEqual(problems, []);
  });

  it('names no repository file that does not ship', () => {
    const problems: string[] = [];
    for (const page of [...shipped].filter((f) => f.startsWith('docs/') && f.endsWith('.md'))) {
      const text = fs.readFileSync(path.join(ROOT, page), 'utf8');
      // `examples/x.irqtopo`, `test/fixtures/...`, `kernel-rules.md`: paths in code spans
      for (const m of text.matchAll(
        /`((?:examples|test|server|client|scripts|docs)\/[^`\s]*|[\w-]+\.md)`/g,
      )) {
        const p = m[1];
        const rel = p.endsWith('.md') && !p.includes('/') ? `docs/${p}` : p;
        const ok = rel.endsWith('/') ? [...shipped].some((f) => f.startsWith(rel)) : shipped.has(rel);
        if (!ok) problems.push(`${page}: \`${p}\` is not shipped`);
      }
    }
    assert.deepEqual(problems, []);
  });
});
