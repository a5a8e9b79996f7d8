// The pure parts of the VS Code client (client/src/shared): the validator of messages from the diagram
// webview, the page's CSP, and what the diagram draws from the server's payload (collapsing, cursor
// targets, route text, the CPU chart and its "Take CPU N offline"), the verify report's page and the
// task's command lines. No `vscode` here: these run under plain mocha.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { analyze } from '../../server/src/core';
import * as S from '../../server/src/core/services';
import { diagramHtml, contentSecurityPolicy, makeNonce } from '../../client/src/shared/html';
import {
  brokenCpus,
  cpuChart,
  cpuListText,
  interruptsOn,
  niceCeil,
  offlineInsertion,
} from '../../client/src/shared/cpus';
import { searchNodes, targetAt, visibleGraph } from '../../client/src/shared/graph';
import {
  elementAt,
  elementsText,
  findRoute,
  hopText,
  parseRouteQuery,
  routeLines,
  routeStrip,
  searchRoutes,
  statementElements,
} from '../../client/src/shared/routes';
import { ruleCodeOfHref } from '../../client/src/shared/rules';
import type { CpuUsage, Routes, VerifyPayload } from '../../client/src/shared/types';
import { taskRuns, terminalText } from '../../client/src/shared/tasks';
import {
  agreementRows,
  causeGroups,
  COLUMNS,
  commonText,
  valueText,
  verifyHtml,
} from '../../client/src/shared/verify';
import {
  DETAIL_PX,
  detailAt,
  LABEL_PX,
  MAX_ZOOM,
  MIN_TEXT_PX,
  MIN_ZOOM,
  stepZoom,
  ZOOM_STEPS,
} from '../../client/src/shared/zoom';
import { treeLayout } from '../../client/src/shared/layout';
import {
  MAX_CPU,
  MAX_SVG,
  validateVerifyMessage,
  validateWebviewMessage,
} from '../../client/src/shared/messages';
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
      workerUri: 'https://w.example/layout.js',
      codiconUri: 'https://w.example/codicon.css',
    });
    const scripts = page.match(/<script\b[^>]*>/g) ?? [];
    assert.deepEqual(scripts, [
      `<script nonce="${nonce}" src="https://w.example/main.js" data-worker="https://w.example/layout.js">`,
    ]);
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
    const g = visibleGraph(diagram, 1);
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
    const open = visibleGraph(diagram, 1, new Set(['group:IR-0']));
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
    for (const g of [visibleGraph(diagram, 500), visibleGraph(diagram, 1)]) {
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

describe('client: which element of a range the cursor means', () => {
  const { text, routes } = payloads(EX('two-ir-units.irqtopo'));
  const lines = text.split('\n');
  const line = lines.findIndex((l) => l.startsWith('irq nic1.q[0..7]'));
  const uri = routes.uri;
  const at = (character: number, current: string | null = null) =>
    elementAt(routes, uri, { line, character }, lines[line], current);

  it('the element whose index the cursor is on', () => {
    assert.ok(line >= 0);
    const seven = lines[line].indexOf('7');
    assert.deepEqual(at(seven), { irq: 'nic1.q[7]', note: null });
    assert.deepEqual(at(seven + 1), { irq: 'nic1.q[7]', note: null }, 'just after the digit');
    assert.deepEqual(at(lines[line].indexOf('0..')), { irq: 'nic1.q[0]', note: null });
  });

  it('keeps the element chosen in the list when the editor moves onto its line', () => {
    assert.deepEqual(at(0, 'nic1.q[3]'), { irq: 'nic1.q[3]', note: null });
    assert.deepEqual(
      at(lines[line].indexOf('7'), 'nic1.q[3]'),
      { irq: 'nic1.q[7]', note: null },
      'the index wins',
    );
  });

  it('else the first element, and says so', () => {
    for (const current of [null, 'nvme0.io[1]']) {
      const r = at(0, current);
      assert.equal(r?.irq, 'nic1.q[0]');
      assert.match(r?.note ?? '', /first of 8 interrupts .*nic1\.q\[0\.\.7\]/);
    }
  });

  it('a one-interrupt statement needs no note; no irq statement gives nothing', () => {
    const one = lines.findIndex((l) => l.startsWith('irq nvme0.io[1]'));
    assert.deepEqual(elementAt(routes, uri, { line: one, character: 0 }, lines[one], null), {
      irq: 'nvme0.io[1]',
      note: null,
    });
    const arch = lines.findIndex((l) => l.startsWith('arch'));
    assert.equal(elementAt(routes, uri, { line: arch, character: 0 }, lines[arch], 'nic1.q[3]'), null);
    assert.equal(elementAt(routes, 'file:///other.irqtopo', { line, character: 0 }, lines[line], null), null);
  });

  it('writes a statement’s elements in short', () => {
    const r = findRoute(routes, 'nic1.q[2]')!;
    const els = statementElements(routes, r);
    assert.equal(els.length, 8);
    assert.equal(elementsText(els), 'nic1.q[0..7]');
    assert.equal(elementsText([r]), 'nic1.q[2]');
  });
});

describe('client: the route picker’s query', () => {
  const { routes } = payloads(EX('two-ir-units.irqtopo'));
  const all = routes.devices.flatMap((d) => d.irqs);

  it('reads CPU, IRTE, vector, LPI and event numbers, and words', () => {
    assert.deepEqual(parseRouteQuery('CPU 12'), { cpu: 12, words: [] });
    assert.deepEqual(parseRouteQuery('cpu12'), { cpu: 12, words: [] });
    assert.deepEqual(parseRouteQuery('IRTE 40'), { irte: 40, words: [] });
    assert.deepEqual(parseRouteQuery('vector 0x24'), { vector: 0x24, words: [] });
    assert.deepEqual(parseRouteQuery('vec=36 nvme0'), { vector: 36, words: ['nvme0'] });
    assert.deepEqual(parseRouteQuery('lpi 8193 event 3'), { lpi: 8193, event: 3, words: [] });
    assert.deepEqual(parseRouteQuery('  nvme0.q[5] '), { words: ['nvme0.q[5]'] });
    assert.deepEqual(parseRouteQuery('cpu'), { words: ['cpu'] }, 'a key without a number is a word');
  });

  it('lists exactly the routes a query names, the exact id first', () => {
    const r = all.find((x) => x.cpu !== null && x.irte !== null)!;
    const byCpu = searchRoutes(routes, `CPU ${r.cpu}`);
    assert.deepEqual(
      byCpu.matches.map((m) => m.route.irq),
      all.filter((x) => x.cpu === r.cpu).map((x) => x.irq),
    );
    assert.deepEqual(
      searchRoutes(routes, `IRTE ${r.irte}`).matches.map((m) => m.route.irq),
      all.filter((x) => x.irte === r.irte).map((x) => x.irq),
    );
    assert.equal(searchRoutes(routes, 'nic1.q[3]').matches[0].route.irq, 'nic1.q[3]');
    assert.equal(searchRoutes(routes, 'nic1.q').total, 8);
    assert.equal(searchRoutes(routes, 'nic1', 3).matches.length, 3);
    assert.equal(searchRoutes(routes, 'CPU 100000').total, 0);
    assert.equal(searchRoutes(routes, '').total, all.length, 'an empty query lists every route');
  });

  it('writes the focus strip: the device, then what each level took', () => {
    const r = findRoute(routes, 'nvme0.io[1]')!;
    const strip = routeStrip('nvme0', r);
    assert.deepEqual(
      strip.map((s) => s.name),
      ['nvme0', ...r.hops.map((h) => h.domain)],
    );
    assert.equal(strip[0].took, null);
    assert.match(strip[1].took ?? '', /^MSI-X entry 2$/);
    assert.match(strip[strip.length - 1].took ?? '', /^CPU \d+ vector 0x[0-9a-f]+/);
  });
});

describe('client: the CPU chart', () => {
  const cpu = (c: number, o: Partial<CpuUsage>): CpuUsage => ({
    cpu: c,
    apic_id: c,
    online: true,
    node: null,
    in_use: 0,
    capacity: 201,
    used: 0,
    available: 201,
    managed: 0,
    managed_allocated: 0,
    vectors: [],
    ...o,
  });

  it('stacks each CPU as the matrix counts it, and the stack is the capacity', () => {
    const ch = cpuChart(
      [
        cpu(0, { used: 10, available: 180, managed: 14, managed_allocated: 3 }),
        cpu(1, { used: 0, available: 201 }),
      ],
      null,
    );
    const b = ch.groups[0].bars[0];
    assert.deepEqual(
      [b.nonManaged, b.managedAllocated, b.managedReserved, b.inUse, b.free],
      [7, 3, 11, 0, 180],
    );
    // capacity = avl + man + act - mac
    assert.equal(b.capacity, 180 + 14 + 10 - 3);
    assert.equal(b.taken + b.free, b.capacity);
    assert.equal(ch.capacity, 201);
    assert.ok(ch.scaleMax >= b.taken && ch.scaleMax <= 201, `scale ${ch.scaleMax}`);
    assert.deepEqual(ch.ticks[0], 0);
    assert.equal(ch.ticks[ch.ticks.length - 1], ch.scaleMax);
    assert.equal(ch.inUseKnown, true); // the server sends in_use (0 here)
    assert.equal(ch.nodesKnown, false);
    assert.equal(ch.groups.length, 1);
  });

  it('tells in-use vectors apart, and groups by NUMA node, when the payload says them', () => {
    const ch = cpuChart(
      [
        cpu(0, { used: 10, available: 191, in_use: 6, node: 0 }),
        cpu(1, { used: 2, available: 199, node: 1 }),
        cpu(2, { used: 1, available: 200, node: 0 }),
      ],
      null,
    );
    assert.deepEqual(
      ch.groups.map((g) => [g.node, g.bars.map((b) => b.cpu)]),
      [
        [0, [0, 2]],
        [1, [1]],
      ],
    );
    const b0 = ch.groups[0].bars[0];
    assert.equal(b0.inUse, 6);
    assert.equal(b0.nonManaged, 4);
    assert.equal(ch.groups[0].label, 'node 0 · 0,2');
  });

  it('marks the exhausted CPU and the one an affinity-broken interrupt landed on', () => {
    const file = path.join(ROOT, 'test', 'fixtures', 'checks', 'affinity-broken', 'fire.irqtopo');
    const { diagram, routes } = payloads(file);
    const problems = diagram.nodes.flatMap((n) => n.problems);
    const ch = cpuChart(diagram.cpus, routes, problems, true);
    assert.deepEqual(ch.exhausted, [0]);
    assert.deepEqual(ch.broken, [1]);
    assert.deepEqual([...brokenCpus(routes, problems)], [1]);
    // the route's own flag wins over the message, when the server sends it
    const flagged: Routes = structuredClone(routes);
    flagged.devices[0].irqs[0].affinityBroken = false;
    assert.deepEqual([...brokenCpus(flagged, problems)], []);
    assert.deepEqual(
      interruptsOn(routes, 1).map((i) => i.irq),
      ['nic0.q[0]'],
    );
  });

  it('lists a CPU’s interrupts from the routes, by vector', () => {
    const { routes } = payloads(EX('two-ir-units.irqtopo'));
    const all = routes.devices.flatMap((d) => d.irqs);
    const c = all.find((r) => r.cpu !== null)!.cpu!;
    const listed = interruptsOn(routes, c);
    assert.deepEqual(
      listed.map((i) => i.irq).sort(),
      all
        .filter((r) => r.cpu === c)
        .map((r) => r.irq)
        .sort(),
    );
    for (let i = 1; i < listed.length; i++) assert.ok((listed[i - 1].vector ?? 0) <= (listed[i].vector ?? 0));
  });

  it('rounds scales to 1, 2, 2.5 or 5 times a power of ten, and writes CPU lists as the kernel does', () => {
    assert.deepEqual([0, 1, 3, 11, 26, 201, 1000].map(niceCeil), [1, 1, 5, 20, 50, 250, 1000]);
    assert.equal(cpuListText([5, 0, 1, 2, 7, 8]), '0-2,5,7-8');
  });
});

describe('client: clusters of per-device domains at server scale', () => {
  it('folds each IR unit’s per-device domains into one cluster with counts, and keeps a route out', async () => {
    const gen = (await import(path.join(ROOT, 'test', 'e2e', 'server-topology.mjs'))) as {
      serverTopology(): { text: string; devices: number; irqs: number };
    };
    const t = gen.serverTopology();
    assert.equal(t.devices, 300);
    assert.equal(t.irqs, 2700);
    const a = analyze('/gen/server-300.irqtopo', t.text, { rules: {} });
    assert.equal(
      a.diagnostics.filter((d) => d.severity === 'error').length,
      0,
      'the generated server is valid',
    );
    const diagram = S.diagram(a);
    const g = visibleGraph(diagram);
    const clusters = g.nodes.filter((n) => n.style === 'group');
    assert.equal(clusters.length, 8, clusters.map((c) => c.id).join(', '));
    assert.ok(g.nodes.length < 40, `${g.nodes.length} nodes drawn`);
    const sum = clusters.reduce((k, c) => k + c.members!.irqs, 0);
    const throughUnits = diagram.edges
      .filter(
        (e) =>
          e.type === 'parent' &&
          /^domain:INTEL-IR-\d$/.test(e.to) &&
          g.shownAs.get(e.from)?.startsWith('group:'),
      )
      .reduce((k, e) => k + e.irqs, 0);
    assert.equal(sum, throughUnits);
    for (const c of clusters) assert.match(c.detail, /^\d+ devices · \d+ interrupts/);
    assert.ok(g.shownAs.get('device:nvme3')!.startsWith('group:'));
    const r = S.routes(a).devices.find((d) => d.device === 'nvme3')!.irqs[5];
    const keep = new Set(['device:nvme3', ...r.hops.map((h) => `domain:${h.domain}`)]);
    const kept = visibleGraph(diagram, 8, new Set(), keep);
    for (const id of keep) assert.equal(kept.shownAs.get(id), id, `${id} is drawn on its own`);
    assert.equal(kept.nodes.length, g.nodes.length + 2);
  });

  it('finds domains and devices by name, a per-device domain by its device', () => {
    const { diagram } = payloads(EX('two-ir-units.irqtopo'));
    assert.deepEqual(searchNodes(diagram, 'IR-1').map((n) => n.id)[0], 'domain:IR-1');
    const hits = searchNodes(diagram, 'nvme0').map((n) => n.id);
    assert.ok(hits.includes('device:nvme0'));
    assert.ok(
      hits.some((h) => h.startsWith('domain:IR-PCI-MSIX')),
      hits.join(', '),
    );
    assert.deepEqual(searchNodes(diagram, ''), []);
  });
});

describe('client: zoom', () => {
  it('steps are comfortable: 10 to 50 % apart, 100 % among them', () => {
    assert.ok(ZOOM_STEPS.includes(1));
    for (let i = 1; i < ZOOM_STEPS.length; i++) {
      const r = ZOOM_STEPS[i] / ZOOM_STEPS[i - 1];
      assert.ok(r >= 1.09 && r <= 1.51, `${ZOOM_STEPS[i - 1]} -> ${ZOOM_STEPS[i]}`);
    }
    assert.equal(stepZoom(1, 1), 1.1);
    assert.equal(stepZoom(1, -1), 0.9);
    assert.equal(stepZoom(0.95, 1), 1);
    assert.equal(stepZoom(MAX_ZOOM, 1), MAX_ZOOM);
    assert.equal(stepZoom(MIN_ZOOM, -1), MIN_ZOOM);
  });

  it('shows less rather than smaller: no text below 11 px', () => {
    assert.equal(detailAt(1), 'full');
    assert.equal(detailAt(0.95), 'name', 'the 11 px detail would be 10.5 px');
    assert.equal(detailAt(0.9), 'none', 'the 12 px name would be 10.8 px');
    for (const k of ZOOM_STEPS) {
      const d = detailAt(k);
      if (d === 'full') assert.ok(DETAIL_PX * k >= MIN_TEXT_PX - 1e-9);
      if (d !== 'none') assert.ok(LABEL_PX * k >= MIN_TEXT_PX - 1e-9);
    }
  });
});

describe('client: rule links', () => {
  it('knows a rule section link, and nothing else', () => {
    assert.equal(ruleCodeOfHref('file:///opt/ext/docs/rules.md#ims-parent-pci-msi'), 'ims-parent-pci-msi');
    assert.equal(ruleCodeOfHref('file:///c%3A/x/docs/rules.md#root'), 'root');
    for (const h of [
      'file:///opt/ext/docs/rules.md',
      'https://example.com/docs/rules.md#root',
      'file:///opt/ext/docs/language.md#root',
      'file:///opt/ext/docs/rules.md#Root)',
    ])
      assert.equal(ruleCodeOfHref(h), null, h);
  });
});

describe('client: taking a CPU offline from the chart', () => {
  it('the webview may only ask for a whole CPU number', () => {
    assert.deepEqual(validateWebviewMessage({ type: 'offline', cpu: 31, x: 1 }), {
      type: 'offline',
      cpu: 31,
    });
    assert.deepEqual(validateWebviewMessage({ type: 'offline', cpu: 0 }), { type: 'offline', cpu: 0 });
    for (const cpu of [-1, 1.5, '3', null, undefined, MAX_CPU + 1, Infinity, NaN])
      assert.equal(typeof validateWebviewMessage({ type: 'offline', cpu }), 'string', String(cpu));
  });

  it('the chart draws an offline CPU as offline, not as exhausted', () => {
    const c = (cpu: number, online: boolean): CpuUsage => ({
      cpu,
      apic_id: cpu,
      online,
      node: null,
      in_use: 0,
      capacity: 201,
      used: online ? 3 : 0,
      available: online ? 198 : 0,
      managed: 0,
      managed_allocated: 0,
      vectors: [],
    });
    const ch = cpuChart([c(0, true), c(1, false), c(2, true)], null);
    assert.deepEqual(ch.offline, [1]);
    assert.deepEqual(ch.exhausted, []);
    assert.deepEqual(
      ch.groups[0].bars.map((b) => b.online),
      [true, false, true],
    );
    // from a real analysis: `offline 3` of example (h)'s shape, on the server's payload
    const text =
      'arch x86\nkernel 6.12\ncpus 0-3\ndomain VECTOR : vector\ndevice d { pci 0000:01:00.0; msix 2 }\nirq d.q[0..1] : msix\noffline 3\n';
    const a = analyze('/v/off.irqtopo', text);
    const d = S.diagram(a);
    assert.deepEqual(cpuChart(d.cpus, S.routes(a), [], true).offline, [3]);
  });

  it('writes `offline N` after the last offline statement, else at the end, with the file’s line ending', () => {
    const apply = (t: string, i: { offset: number; text: string }) =>
      t.slice(0, i.offset) + i.text + t.slice(i.offset);
    const base =
      'arch x86\ncpus 0-7\ndomain VECTOR : vector\ndevice d { pci 0000:01:00.0; msix 2 }\nirq d.q[0..1] : msix\n';
    // at the end: the file ends with a line break, and keeps one
    let i = offlineInsertion(base, 5, '\n');
    assert.equal(apply(base, i), `${base}offline 5\n`);
    assert.equal(apply(base, i).split('\n')[i.line], 'offline 5');
    // no final line break: none added
    i = offlineInsertion(base.trimEnd(), 5, '\n');
    assert.equal(apply(base.trimEnd(), i), `${base}offline 5`);
    assert.equal(apply(base.trimEnd(), i).split('\n')[i.line], 'offline 5');
    // after the last top-level offline (not one in a comment, a string or a block), before what follows
    const withOff = `${base}offline 2 # first\n# offline 9\noffline 3\nexpect d.q[0] cpu 0\n`;
    i = offlineInsertion(withOff, 6, '\n');
    const out = apply(withOff, i);
    assert.equal(out, `${base}offline 2 # first\n# offline 9\noffline 3\noffline 6\nexpect d.q[0] cpu 0\n`);
    assert.equal(out.split('\n')[i.line], 'offline 6');
    const block = `${base}device e {\n  pci 0000:02:00.0\n  offline 1\n}\n`;
    assert.equal(apply(block, offlineInsertion(block, 4, '\n')), `${block}offline 4\n`);
    // CRLF stays CRLF
    const crlf = withOff.replace(/\n/g, '\r\n');
    assert.equal(apply(crlf, offlineInsertion(crlf, 6, '\r\n')), out.replace(/\n/g, '\r\n'));
    assert.equal(apply('', offlineInsertion('', 1, '\n')), 'offline 1');
    // the result is the statement the language means: the CPUs go down in the order written, 6 last
    const a = analyze('/v/ins.irqtopo', out);
    assert.deepEqual(
      a.model.offlines.map((o) => o.cpus),
      [[2], [3], [6]],
    );
    assert.deepEqual(
      a.diagnostics.filter((x) => x.severity === 'error'),
      [],
    );
  });
});

describe('client: the verify report page', () => {
  // d.a pinned on CPU 2 / 0x30, d.b pinned where the kernel puts it; d.c's vector pinned differently
  const text = [
    'arch x86',
    'kernel 6.12',
    'cpus 0-3',
    'domain VECTOR : vector',
    'device d { pci 0000:01:00.0; msix 3 }',
    'irq d.a : msix 0 { cpu 2; vector 0x30 }',
    'irq d.b : msix 1 { cpu 1; vector 0x20 }',
    'irq d.c : msix 2 { cpu 2; vector 0x31 }',
    '',
  ].join('\n');
  const payloadOf = (t: string): VerifyPayload => {
    const a = analyze('/v/verify.irqtopo', t);
    const sim = a.simulation!;
    const r = S.verify(a.model, sim);
    return {
      ...r,
      differences: r.differences.map((d) => ({
        ...d,
        uri: sim.routesById.get(d.irq)!.uri,
        range: sim.routesById.get(d.irq)!.range,
      })),
      unavailable: null,
    };
  };
  const opts = { cspSource: 'vscode-resource:', nonce: 'N0nce', title: 'verify.irqtopo', when: '12:00:00' };

  it('the agreement per column, in a fixed order, and values as the CLI writes them', () => {
    const p = payloadOf(text);
    const rows = agreementRows(p);
    assert.deepEqual(
      rows.map((r) => r.column),
      COLUMNS.map(([c]) => c).filter((c) => p.columns[c]?.compared),
    );
    for (const r of rows) assert.equal(r.share, p.columns[r.column]!.agreed / p.columns[r.column]!.compared);
    assert.equal(valueText(0x30, 'vector'), '0x30');
    assert.equal(valueText(40, 'irte'), '0x28');
    assert.equal(valueText(3, 'cpu'), '3');
    assert.equal(valueText(null, 'cpu'), 'not placed');
  });

  it('groups the differences by cause, the numbers that differ written as …', () => {
    assert.equal(
      commonText([
        'it follows the CPU (observed CPU 14, simulated CPU 2): 8 bits',
        'it follows the CPU (observed CPU 17, simulated CPU 2): 8 bits',
      ]),
      'it follows the CPU (observed CPU …, simulated CPU 2): 8 bits',
    );
    const p = payloadOf(text);
    const groups = causeGroups(p);
    const all = groups.flatMap((g) => g.items).sort((x, y) => x - y);
    assert.deepEqual(all, [...p.differences.keys()], 'each difference in one group');
    for (const g of groups) {
      const keys = new Set(g.items.map((i) => p.differences[i].cause.replace(/0x[0-9a-f]+|\d+/gi, '#')));
      assert.equal(keys.size, 1);
    }
    for (let i = 1; i < groups.length; i++) assert.ok(groups[i - 1].items.length >= groups[i].items.length);
  });

  it('renders every value escaped, one row per difference with its index, under a CSP without inline code', () => {
    const p = payloadOf(text);
    assert.ok(p.differences.length >= 2, JSON.stringify(p.differences));
    const hostile: VerifyPayload = {
      ...p,
      differences: [
        ...p.differences,
        {
          ...p.differences[0],
          irq: '<img src=x onerror=alert(1)>',
          cause: 'a `release` <script>alert(1)</script>',
        },
      ],
    };
    const page = verifyHtml(hostile, opts);
    assert.ok(!page.includes('<img src=x'), 'the name is text');
    assert.ok(!page.includes('<script>alert'), 'the cause is text');
    assert.ok(page.includes('&lt;img src=x onerror=alert(1)&gt;'));
    assert.ok(page.includes('<code>release</code>'), 'backquotes as code');
    const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(page)![1];
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /script-src 'nonce-N0nce'/);
    assert.doesNotMatch(csp, /unsafe/);
    assert.equal((page.match(/<script/g) ?? []).length, 1);
    assert.ok(page.includes('<script nonce="N0nce">'));
    // (attribute values are text: blank them out, then look at the attribute names)
    const tags = page.replace(/"[^"]*"/g, '""');
    assert.doesNotMatch(tags, /<[^>]*\son[a-z]+=/, 'no inline handlers');
    assert.doesNotMatch(tags, /<[^>]*\sstyle=/, 'no inline styles (the CSP forbids them)');
    const idx = [...page.matchAll(/data-i="(\d+)"/g)].map((m) => Number(m[1])).sort((x, y) => x - y);
    assert.deepEqual(idx, [...hostile.differences.keys()]);
    assert.match(page, /<h1>Verify: verify\.irqtopo<\/h1>/);
  });

  it('says why nothing was compared', () => {
    const none = payloadOf(
      'arch x86\ncpus 0-3\ndomain VECTOR : vector\ndevice d { pci 0000:01:00.0; msix 1 }\nirq d.a : msix 0\n',
    );
    assert.equal(none.compared, 0);
    assert.match(
      verifyHtml(none, opts),
      /Nothing to compare: no interrupt of this topology has an observed value/,
    );
    const un: VerifyPayload = { ...none, unavailable: 'the topology cannot be simulated: no cpus' };
    assert.match(verifyHtml(un, opts), /Nothing was compared: the topology cannot be simulated: no cpus\./);
  });

  it('the page may only name a difference it was given, or ask for a new run', () => {
    assert.deepEqual(validateVerifyMessage({ type: 'reveal', index: 2 }, 3), { type: 'reveal', index: 2 });
    assert.deepEqual(validateVerifyMessage({ type: 'rerun', uri: 'file:///etc/passwd' }, 0), {
      type: 'rerun',
    });
    for (const index of [3, -1, 0.5, '1', null])
      assert.equal(typeof validateVerifyMessage({ type: 'reveal', index }, 3), 'string', String(index));
    assert.equal(typeof validateVerifyMessage({ type: 'open', index: 1 }, 3), 'string');
    assert.equal(typeof validateVerifyMessage('reveal', 3), 'string');
  });
});

describe('client: the irqtopo task’s command lines', () => {
  it('check: one run over every file; verify: one run per file (the command takes one FILE)', () => {
    const rules = { 'unused-domain': 'off' };
    assert.deepEqual(taskRuns('/x/cli.js', { command: 'check', rules }, ['a.irqtopo', 'b.irqtopo']), [
      ['/x/cli.js', 'check', '--rule=unused-domain=off', '--', 'a.irqtopo', 'b.irqtopo'],
    ]);
    assert.deepEqual(taskRuns('/x/cli.js', { command: 'verify', rules }, ['a.irqtopo', '-b.irqtopo']), [
      ['/x/cli.js', 'verify', '--rule=unused-domain=off', '--', 'a.irqtopo'],
      ['/x/cli.js', 'verify', '--rule=unused-domain=off', '--', '-b.irqtopo'],
    ]);
    assert.equal(terminalText('a\nb\r\nc'), 'a\r\nb\r\nc');
  });
});
