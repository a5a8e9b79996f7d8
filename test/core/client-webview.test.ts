// The pure parts of the VS Code client (client/src/shared): the validator of messages from the diagram
// webview, the page's CSP, and what the diagram draws from the server's payload (collapsing, cursor
// targets, route text). No `vscode` here: these run under plain mocha.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { analyze } from '../../server/src/core';
import * as S from '../../server/src/core/services';
import { diagramHtml, contentSecurityPolicy, makeNonce } from '../../client/src/shared/html';
import { hopText, routeLines, targetAt, visibleGraph } from '../../client/src/shared/graph';
import { treeLayout } from '../../client/src/shared/layout';
import { MAX_SVG, validateWebviewMessage } from '../../client/src/shared/messages';
import { ROOT } from './helpers';

const EX = (name: string) => path.join(ROOT, 'examples', name);
function payloads(file: string) {
  const text = fs.readFileSync(file, 'utf8');
  const a = analyze(file, text, { rules: {} });
  return { text, diagram: S.diagram(a), routes: S.routes(a) };
}

describe('client: messages from the diagram webview', () => {
  it('accepts each well-formed message, rebuilt from its checked fields only', () => {
    assert.deepEqual(validateWebviewMessage({ type: 'ready', extra: 1 }), { type: 'ready' });
    assert.deepEqual(
      validateWebviewMessage({ type: 'reveal', target: 'node', id: 'domain:IR-0', uri: 'x' }),
      {
        type: 'reveal',
        target: 'node',
        id: 'domain:IR-0',
      },
    );
    assert.deepEqual(validateWebviewMessage({ type: 'reveal', target: 'hop', irq: 'nvme0.q[1]', index: 2 }), {
      type: 'reveal',
      target: 'hop',
      irq: 'nvme0.q[1]',
      index: 2,
    });
    assert.deepEqual(validateWebviewMessage({ type: 'exportSvg', svg: '<svg xmlns="x"></svg>' }), {
      type: 'exportSvg',
      svg: '<svg xmlns="x"></svg>',
    });
    const r = validateWebviewMessage({
      type: 'rendered',
      nodes: 3,
      edges: 2,
      layoutMs: 1.5,
      renderMs: 0,
      collapsed: 0,
    });
    assert.equal(typeof r === 'object' && r.type, 'rendered');
    const e = validateWebviewMessage({ type: 'error', message: 'x'.repeat(10_000) });
    assert.ok(typeof e === 'object' && e.type === 'error' && e.message.length === 4000);
  });

  it('rejects malformed messages with a reason', () => {
    const bad: unknown[] = [
      null,
      undefined,
      42,
      'ready',
      [],
      { type: 'nope' },
      { type: 'reveal' },
      { type: 'reveal', target: 'file', id: 'x' },
      { type: 'reveal', target: 'node', id: '' },
      { type: 'reveal', target: 'node', id: 42 },
      { type: 'reveal', target: 'node', id: 'file:///etc/passwd' },
      { type: 'reveal', target: 'irq', id: 'x'.repeat(5000) },
      { type: 'reveal', target: 'hop', irq: 'a', index: -1 },
      { type: 'reveal', target: 'hop', irq: 'a', index: 1.5 },
      { type: 'reveal', target: 'hop', irq: 'a', index: '1' },
      { type: 'exportSvg', svg: '<html><script>alert(1)</script>' },
      { type: 'exportSvg', svg: 42 },
      { type: 'exportSvg', svg: `<svg>${'x'.repeat(MAX_SVG)}` },
      { type: 'rendered', nodes: -1, edges: 0, layoutMs: 0, renderMs: 0, collapsed: 0 },
      { type: 'rendered', nodes: 1, edges: 0, layoutMs: NaN, renderMs: 0, collapsed: 0 },
      { type: 'error', message: { toString: 'x' } },
    ];
    for (const b of bad)
      assert.equal(typeof validateWebviewMessage(b), 'string', JSON.stringify(b)?.slice(0, 80));
  });

  it('never throws, whatever arrives (property)', () => {
    fc.assert(
      fc.property(fc.anything(), (x) => {
        const r = validateWebviewMessage(x);
        assert.ok(typeof r === 'string' || (typeof r === 'object' && typeof r.type === 'string'));
      }),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(
        fc.record({
          type: fc.constantFrom('ready', 'reveal', 'exportSvg', 'rendered', 'error'),
          target: fc.constantFrom('node', 'irq', 'hop', 'x'),
          id: fc.anything(),
          irq: fc.anything(),
          index: fc.anything(),
          svg: fc.anything(),
          message: fc.anything(),
        }),
        (x) => {
          const r = validateWebviewMessage(x);
          if (typeof r === 'object' && r.type === 'reveal' && r.target !== 'hop')
            assert.equal(typeof r.id, 'string');
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('client: the diagram page', () => {
  it("has a CSP of default-src 'none', scripts only by nonce, and no data in the page", () => {
    const nonce = makeNonce(() => new Uint8Array(32).fill(7));
    assert.match(nonce, /^[A-Za-z0-9]{32}$/);
    const csp = contentSecurityPolicy({ cspSource: 'https://w.example', nonce });
    assert.match(csp, /^default-src 'none'; /);
    assert.match(csp, new RegExp(`script-src 'nonce-${nonce}'(;|$)`));
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    const page = diagramHtml({
      cspSource: 'https://w.example',
      nonce,
      scriptUri: 'https://w.example/main.js',
      codiconUri: 'https://w.example/codicon.css',
    });
    const scripts = page.match(/<script\b[^>]*>/g) ?? [];
    assert.deepEqual(scripts, [`<script nonce="${nonce}" src="https://w.example/main.js">`]);
    assert.doesNotMatch(page, /\son[a-z]+=/i, 'no inline event handlers');
  });

  it('makes a different nonce from different random bytes', () => {
    let k = 0;
    const a = makeNonce((n) => Uint8Array.from({ length: n }, () => k++));
    const b = makeNonce((n) => Uint8Array.from({ length: n }, () => k++));
    assert.notEqual(a, b);
  });
});

describe('client: what the diagram draws', () => {
  it('draws every node and edge of the payload below the limit', () => {
    const { diagram } = payloads(EX('two-ir-units.irqtopo'));
    const g = visibleGraph(diagram, 500);
    assert.equal(g.nodes.length, diagram.nodes.length);
    assert.equal(g.edges.length, diagram.edges.length);
    assert.equal(g.collapsed, 0);
    const styles = Object.fromEntries(g.nodes.map((n) => [n.id, n.style]));
    assert.equal(styles['domain:VECTOR'], 'root');
    assert.equal(styles['domain:IR-0'], 'msi-parent');
    assert.equal(styles['domain:IMS-dsa0'], 'device-level');
    assert.equal(styles['device:nvme0'], 'device');
  });

  it('folds per-device domains (and the devices using only them) beyond the limit, and unfolds on request', () => {
    const { diagram } = payloads(EX('two-ir-units.irqtopo'));
    const domains = diagram.nodes.filter((n) => n.type === 'domain');
    const g = visibleGraph(diagram, 5);
    const groups = g.nodes.filter((n) => n.style === 'group');
    // IR-0 and IR-1 each have several per-device domains; DMAR-MSI alone under VECTOR stays as it is
    assert.deepEqual(groups.map((n) => n.id).sort(), ['group:IR-0', 'group:IR-1']);
    assert.equal(g.shownAs.get('domain:DMAR-MSI'), 'domain:DMAR-MSI');
    const ir0 = groups.find((n) => n.id === 'group:IR-0')!;
    // under IR-0: four implied PCI domains and IMS-dsa0 (class device); the IO-APICs and HPET are not device-level
    assert.equal(
      ir0.members!.domains,
      domains.filter(
        (d) =>
          d.cls === 'device' &&
          diagram.edges.some((e) => e.from === d.id && e.to === 'domain:IR-0' && e.type === 'parent'),
      ).length,
    );
    assert.equal(g.shownAs.get('domain:IMS-dsa0'), 'group:IR-0');
    assert.equal(g.shownAs.get('domain:IO-APIC-8'), 'domain:IO-APIC-8');
    assert.equal(g.shownAs.get('device:nvme0'), 'group:IR-0', 'nvme0 uses only its per-device domain');
    assert.equal(g.shownAs.get('device:serial0'), 'device:serial0', 'serial0 uses an IO-APIC');
    // no edge is lost: each payload edge maps to a drawn edge or lies inside one group
    for (const e of diagram.edges) {
      const f = g.shownAs.get(e.from)!;
      const t = g.shownAs.get(e.to)!;
      assert.ok(f === t || g.edges.some((v) => v.from === f && v.to === t), `${e.from} -> ${e.to}`);
    }
    // the irq counts are kept when edges merge
    const total = (es: { irqs: number; from: string; to: string }[]) => es.reduce((k, e) => k + e.irqs, 0);
    const inside = diagram.edges.filter((e) => g.shownAs.get(e.from) === g.shownAs.get(e.to));
    assert.equal(total(g.edges), total(diagram.edges) - total(inside));
    const open = visibleGraph(diagram, 5, new Set(['group:IR-0']));
    assert.equal(open.shownAs.get('domain:IMS-dsa0'), 'domain:IMS-dsa0');
    assert.ok(!open.nodes.some((n) => n.id === 'group:IR-0'));
  });

  it('finds what the cursor is on: an irq statement, else the innermost declaration', () => {
    const { text, diagram, routes } = payloads(EX('two-ir-units.irqtopo'));
    const lines = text.split('\n');
    const uri = diagram.uri;
    const at = (re: RegExp, col = 0) => {
      const l = lines.findIndex((x) => re.test(x));
      assert.ok(l >= 0, String(re));
      return targetAt(diagram, routes, uri, l, col);
    };
    assert.deepEqual(at(/^domain IR-1 : remap/), { node: 'domain:IR-1', irq: null });
    assert.deepEqual(at(/^\s+scope 0000:80-ff/, 4), { node: 'domain:IR-1', irq: null }, 'inside the block');
    assert.deepEqual(at(/^device nvme0 /), { node: 'device:nvme0', irq: null });
    assert.equal(at(/^irq nvme0\.io\[1\]/).irq, 'nvme0.io[1]');
    assert.deepEqual(at(/^arch x86/), { node: null, irq: null });
    assert.deepEqual(targetAt(diagram, routes, 'file:///elsewhere.irqtopo', 30, 0), {
      node: null,
      irq: null,
    });
  });

  it('writes a route hop by hop, with placement and message', () => {
    const { routes } = payloads(EX('two-ir-units.irqtopo'));
    const r = routes.devices.flatMap((d) => d.irqs).find((i) => i.irq === 'nvme0.io[1]')!;
    const lines = routeLines(r);
    assert.equal(lines.length, r.hops.length + 2);
    assert.match(lines[0], /^1\. IR-PCI-MSIX-0000:31:00\.0: MSI-X entry 2$/);
    assert.match(lines[r.hops.length - 1], /VECTOR: CPU \d+ vector 0x[0-9a-f]+/);
    assert.match(lines[r.hops.length], new RegExp(`^CPU ${r.cpu}, vector 0x${r.vector!.toString(16)}`));
    assert.match(lines[r.hops.length + 1], /^message: address_hi 0x0, address_lo 0xfee[0-9a-f]+, data 0x/);
  });

  it('adds the hwirq to a hop only when its resource does not say it', () => {
    assert.equal(hopText({ domain: 'IR-0', hwirq: 17, resource: 'IRTE 17' }), 'IRTE 17');
    assert.equal(
      hopText({ domain: 'VECTOR', hwirq: 34, resource: 'CPU 6 vector 0x22' }),
      'CPU 6 vector 0x22',
    );
    assert.equal(hopText({ domain: 'IO-APIC-8', hwirq: 4, resource: 'pin 14' }), 'pin 14 (hwirq 4)');
    assert.equal(hopText({ domain: 'X', hwirq: null, resource: 'slot' }), 'slot');
  });

  it('the linear layout for large graphs: parents left of children, no overlaps, orthogonal edges', () => {
    const { diagram } = payloads(EX('two-ir-units.irqtopo'));
    for (const g of [visibleGraph(diagram, 500), visibleGraph(diagram, 5)]) {
      const p = treeLayout(g, (id) => 100 + id.length, 40);
      assert.equal(p.positions.size, g.nodes.length, 'every node is placed');
      const boxes = [...p.positions.values()];
      for (let i = 0; i < boxes.length; i++)
        for (let j = i + 1; j < boxes.length; j++) {
          const a = boxes[i];
          const b = boxes[j];
          const overlap = a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
          assert.ok(!overlap, `boxes ${i} and ${j} overlap`);
        }
      for (const e of g.edges) {
        if (e.type !== 'parent') continue;
        assert.ok(p.positions.get(e.to)!.x < p.positions.get(e.from)!.x, `${e.to} left of ${e.from}`);
      }
      for (const [id, pts] of p.edges) {
        for (let i = 1; i < pts.length; i++)
          assert.ok(pts[i][0] === pts[i - 1][0] || pts[i][1] === pts[i - 1][1], `edge ${id} is orthogonal`);
      }
      assert.ok(p.width > 0 && p.height > 0);
    }
  });

  it('the linear layout survives parent loops and edges to unknown nodes', () => {
    const g = {
      nodes: ['a', 'b', 'c'].map((id) => ({
        id,
        label: id,
        detail: '',
        style: 'unknown' as const,
        implied: false,
        severity: null,
        problems: [],
      })),
      edges: [
        { id: 'e0', from: 'a', to: 'b', type: 'parent', irqs: 0 },
        { id: 'e1', from: 'b', to: 'a', type: 'parent', irqs: 0 },
        { id: 'e2', from: 'c', to: 'zz', type: 'parent', irqs: 0 },
      ],
      shownAs: new Map<string, string>(),
      collapsed: 0,
    };
    const p = treeLayout(g, () => 50);
    assert.equal(p.positions.size, 3);
  });
});
