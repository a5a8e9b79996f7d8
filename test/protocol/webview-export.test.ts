// The diagram's SVG export in headless Chromium (the real webview bundle, dist/webview/main.js): a
// topology whose names hold characters XML forbids (U+0001, U+FFFF) and markup (`<`, `&`, `]]>`) is
// rendered, exported through `requestSvg`, and parsed by the browser's XML parser, which must find
// a well-formed document showing every name (issue 13). The same parser rejects the browser's own
// serialization of such a name, so the test can fail.
import * as assert from 'node:assert/strict';
import { analyze } from '../../server/src/core';
import * as S from '../../server/src/core/services';
import { chromiumAvailable, CHROMIUM, openHarness, type Harness } from '../bench/webview-harness';

const NAMES = ['IR\u0001one', 'IR <&> ]]> "two"', 'IR\uffffthree'];

describe('diagram SVG export (headless Chromium)', function () {
  this.timeout(120_000);
  let h: Harness;

  before(async function () {
    if (!chromiumAvailable()) {
      console.log(`    (skipped: no Chromium at ${CHROMIUM})`);
      this.skip();
    }
    h = await openHarness({ width: 1000, height: 700 });
  });
  after(async () => h?.close());

  it('exports well-formed XML that shows every name, control characters as Control Pictures', async () => {
    const text = [
      'arch x86',
      'cpus 0-3',
      'domain VECTOR : vector',
      ...NAMES.map(
        (n) => `domain "${n.replace(/["\\]/g, (c) => `\\${c}`)}" : remap { parent VECTOR; vendor intel }`,
      ),
      '',
    ].join('\n');
    const a = analyze('/virtual/export.irqtopo', text);
    assert.deepEqual(
      a.model.domains.map((d) => d.name),
      ['VECTOR', ...NAMES],
    );
    await h.render({
      type: 'model',
      doc: 'file:///virtual/export.irqtopo',
      diagram: S.diagram(a),
      routes: S.routes(a),
      clusterAbove: 1e9,
      title: 'export',
      irq: null,
      note: null,
      node: null,
    });
    await h.post({ type: 'requestSvg' });
    await h.page.waitForFunction(() =>
      (window as unknown as { __out: { type: string }[] }).__out.some((m) => m.type === 'exportSvg'),
    );
    const result = await h.page.evaluate(() => {
      const out = (window as unknown as { __out: { type: string; svg?: string }[] }).__out;
      const svg = out.find((m) => m.type === 'exportSvg')!.svg!;
      const doc = new DOMParser().parseFromString(svg, 'image/svg+xml');
      // the control: the browser's own serialization of a name with U+0001 is not well-formed
      const t = document.createElementNS('http://www.w3.org/2000/svg', 'text');
      t.textContent = 'IR\u0001one';
      const raw = new DOMParser().parseFromString(
        `<svg xmlns="http://www.w3.org/2000/svg">${new XMLSerializer().serializeToString(t)}</svg>`,
        'image/svg+xml',
      );
      return {
        errors: [...doc.getElementsByTagName('parsererror')].map((e) => e.textContent ?? ''),
        root: doc.documentElement.localName,
        texts: [...doc.getElementsByTagName('text')].map((e) => e.textContent ?? ''),
        rawErrors: raw.getElementsByTagName('parsererror').length,
      };
    });
    assert.equal(result.rawErrors > 0, true, 'the raw serialization is rejected by the parser');
    assert.deepEqual(result.errors, [], 'the export parses as XML');
    assert.equal(result.root, 'svg');
    const all = result.texts.join('\n');
    for (const shown of ['IR\u2401one', 'IR <&> ]]> "two"', 'IR\ufffdthree'])
      assert.ok(all.includes(shown), `'${shown}' in the exported text:\n${all}`);
  });
});
