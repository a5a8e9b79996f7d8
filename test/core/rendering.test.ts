// Issue 13's rendering defects: names in hover Markdown render as the text they are (never a link, a
// remote image or HTML), a rename keeps a quoted name apart from the keyword it is written against,
// and the exported SVG is well-formed XML whatever a name holds.
import * as assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import fc from 'fast-check';
import { wellFormedXml } from '../../client/src/shared/svg';
import { analyze, type Position } from '../../server/src/core';
import { hover, inlayHints, occurrences, renameEdits, symbolAt } from '../../server/src/core/services';
import { md, mdCode, mdMessage } from '../../server/src/core/services/markdown';
import { applyEdits } from '../../server/src/core/services/util';

/**
 * markdown-it with raw HTML on and linkify (links with a scheme, `www.` names and emails, as GFM
 * autolinks them in VS Code's hover renderer, marked): stricter than a hover, which drops HTML.
 */
const MarkdownIt = createRequire(__filename)('markdown-it') as new (o: object) => {
  render(src: string): string;
  linkify: { set(o: object): void };
};
const renderer = new MarkdownIt({ html: true, linkify: true });
renderer.linkify.set({ fuzzyLink: false });

/** The text a rendered fragment shows: tags dropped, entities decoded. */
function shown(html: string): string {
  return html
    .replace(/<[^>]*>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
}

/** Renders hover Markdown; fails on a link, an image or a tag a hover does not make. */
function render(markdown: string): string {
  const html = renderer.render(markdown);
  assert.doesNotMatch(html, /<a[\s>]|<img[\s>]/i, `a link or an image in:\n${markdown}\n->\n${html}`);
  // (the kind docs name placeholders such as IO-APIC-<id>: VS Code shows them as text, it renders no HTML)
  for (const tag of html.match(/<\/?([a-z0-9]+)/gi) ?? [])
    assert.ok(
      /^<\/?(p|strong|em|code|ul|li|hr|br|id|bdf|dev)$/i.test(tag),
      `the tag ${tag} in:\n${markdown}\n->\n${html}`,
    );
  return shown(html);
}

const HOSTILE_NAMES = [
  '[x](https://e.example)',
  '![i](https://e.example/p.png)',
  '<img src=https://e.example/p.png>',
  'https://e.example/x',
  'www.example.com',
  'a@b.example',
  'a`b``c',
  '**b** _i_ ~~s~~ <b>',
  '# h | t |',
  'x\\',
  '&amp; &#x41;',
];

describe('hover Markdown: names render as the text they are (issue 13)', () => {
  it('md, mdMessage and mdCode show any text as written, with no link, image or HTML (property)', () => {
    const text = fc.oneof(
      fc.constantFrom(...HOSTILE_NAMES),
      fc.string({
        unit: fc.constantFrom(...'[]()!<>`*_~#|\\&@:/.wh tps-ex=a"\'{}$'.split('')),
        maxLength: 40,
      }),
    );
    fc.assert(
      fc.property(text, (s) => {
        if (s.trim() === s && s !== '') {
          assert.equal(render(`**${md(s)}**`).trim(), s);
          assert.equal(render(mdCode(s)).trim(), s);
        }
        assert.equal(render(`Route: ${md(s)} → ${md(s)}`).trim(), `Route: ${s} → ${s}`.trim());
        // a message keeps its code words, and shows the name it quotes
        const m = render(mdMessage(`no domain is named '${s}': add \`domain\``));
        assert.ok(m.includes(`'${s}'`) || /`/.test(s), m);
      }),
      { numRuns: 500 },
    );
  });

  it('control characters show as their Control Pictures', () => {
    assert.equal(md('a\u0001b\u007f\tc'), 'a\u2401b\u2421\u2409c');
    assert.equal(mdCode('x\u0000'), '`x\u2400`');
  });

  const text = [
    'arch x86',
    'cpus 0-3',
    'domain VECTOR : vector',
    'domain "[x](https://e.example)" : remap { parent VECTOR; vendor intel }',
    'device "![i](https://e.example/p.png)" { pci 0000:01:00.0; msix 4; node 0 }',
    'irq "![i](https://e.example/p.png)".q[0..1] : msix',
    'domain "<img src=https://e.example/p.png>" : ioapic { parent "https://e.example/x" }',
    'node 0 cpus 0-3',
    'release "![i](https://e.example/p.png)"',
    'offline 1',
    '',
  ].join('\n');
  const URI = '/virtual/render.irqtopo';
  const a = analyze(URI, text);
  const at = (line: number, character: number): Position => ({ line, character });

  for (const [what, p, names] of [
    ['a domain (its name, parent chain)', at(3, 9), ['[x](https://e.example)']],
    [
      'a device (its name, message domain, interrupts)',
      at(4, 9),
      ['![i](https://e.example/p.png)', '[x](https://e.example)'],
    ],
    [
      'an interrupt (its name, route and hops)',
      at(5, 36),
      ['![i](https://e.example/p.png).q', '[x](https://e.example)'],
    ],
    [
      'a domain with an unknown parent (its problems)',
      at(6, 9),
      ['<img src=https://e.example/p.png>', 'https://e.example/x'],
    ],
    ['an unknown parent', at(6, 68), ['https://e.example/x']],
    ['a node (the devices on it)', at(7, 1), ['![i](https://e.example/p.png)']],
    ['a release (the device, what it frees)', at(8, 1), ['![i](https://e.example/p.png)']],
    ['an offline (what it moved)', at(9, 1), []],
  ] as const)
    it(`on ${what}: no link, no image, the names as written`, () => {
      const h = hover(a, URI, p);
      assert.ok(h, `a hover at ${JSON.stringify(p)}`);
      const out = render(h.contents);
      for (const n of names) assert.ok(out.includes(n), `'${n}' shown in:\n${out}`);
    });

  it('inlay hint tooltips (Markdown) escape the names too', () => {
    const hints = inlayHints(a, URI);
    assert.ok(hints.length > 0);
    for (const h of hints) assert.ok(render(h.tooltip).includes('[x](https://e.example)'));
  });
});

describe('rename keeps a quoted name apart from the keyword it is written against (issue 13)', () => {
  const URI = '/virtual/rename.irqtopo';
  function rename(text: string, p: Position, newName: string): string {
    const a = analyze(URI, text);
    const s = symbolAt(a.model, URI, p)!;
    assert.ok(s, 'a symbol there');
    return applyEdits(text, renameEdits(s, newName, occurrences(a.model, s.kind, s.name))[URI]);
  }

  it('`domain"V"` renamed to W gives `domain"W"`, never `domainW`', () => {
    const text = 'arch x86\ncpus 0-3\ndomain VECTOR : vector\ndomain"V" : remap { parent "V" }\n';
    const out = rename(text, { line: 3, character: 8 }, 'W');
    assert.equal(out, 'arch x86\ncpus 0-3\ndomain VECTOR : vector\ndomain"W" : remap { parent W }\n');
    assert.deepEqual(
      analyze(URI, out).model.domains.map((d) => d.name),
      ['VECTOR', 'W'],
    );
  });

  it('a reference written against its property (`parent"VECTOR"`) stays quoted; a separated one becomes bare', () => {
    const text = 'arch x86\ncpus 0-3\ndomain "VECTOR" : vector\ndomain IR : remap { parent"VECTOR" }\n';
    const out = rename(text, { line: 2, character: 9 }, 'ROOT');
    assert.equal(out, 'arch x86\ncpus 0-3\ndomain ROOT : vector\ndomain IR : remap { parent"ROOT" }\n');
    const a = analyze(URI, out);
    assert.equal(a.model.domainsByName.get('IR')!.parent?.name, 'ROOT');
  });

  it('a device written against its keyword, renamed to a name that needs quotes', () => {
    const text =
      'arch x86\ncpus 0-3\ndomain VECTOR : vector\ndevice"d"{ pci 0000:01:00.0; msix 2 }\nirq d.q[0] : msix\n';
    const out = rename(text, { line: 3, character: 8 }, 'e "1"');
    assert.equal(
      out,
      'arch x86\ncpus 0-3\ndomain VECTOR : vector\ndevice"e \\"1\\""{ pci 0000:01:00.0; msix 2 }\nirq "e \\"1\\"".q[0] : msix\n',
    );
    assert.deepEqual(
      analyze(URI, out).diagnostics.filter((d) => d.severity === 'error'),
      [],
    );
  });
});

/** XML 1.0's Char production (https://www.w3.org/TR/xml/#charsets). */
const XML_CHARS = /^[\t\n\r\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]*$/u;

describe('the exported SVG is well-formed XML whatever a name holds (issue 13)', () => {
  it('C0 controls become Control Pictures; tab, LF and CR stay; lone surrogates and U+FFFE/U+FFFF become U+FFFD', () => {
    const all = Array.from({ length: 32 }, (_, i) => String.fromCharCode(i)).join('');
    const out = wellFormedXml(`<svg><text>${all}</text></svg>`);
    assert.match(out, XML_CHARS);
    assert.ok(out.includes('\u2401\u2402') && out.includes('\t\n') && out.includes('\r'));
    assert.equal(
      wellFormedXml('<text a="\u0001">x\ud800y\udc00\ufffe\uffff😀</text>'),
      '<text a="\u2401">x\ufffdy\ufffd\ufffd\ufffd😀</text>',
    );
  });

  it('any text put in an SVG document comes out made of XML characters only (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 80 }), (s) => {
        const out = wellFormedXml(`<svg xmlns="http://www.w3.org/2000/svg"><text>${s}</text></svg>`);
        assert.match(out, XML_CHARS);
        // one character for one: nothing dropped, nothing added
        assert.equal(
          [...out].length,
          [...`<svg xmlns="http://www.w3.org/2000/svg"><text>${s}</text></svg>`].length,
        );
      }),
      { numRuns: 1000 },
    );
  });
});
