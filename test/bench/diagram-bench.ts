// The diagram part of `npm run bench` (issues 5 and 14): layout (in the worker) + first render (SVG) time of the real webview
// bundle (dist/webview/main.js) in headless Chromium, for 100, 1,000 and 5,000 domains. The payloads are
// the server's own (`diagram` and `routes` of an analysed topology). Timed from posting the model to the
// webview's `rendered` report (after the next animation frame); the webview's own split is printed too.
// Prints figures, asserts nothing.
import { analyze } from '../../server/src/core';
import * as S from '../../server/src/core/services';
import { DEFAULT_CLUSTER_ABOVE } from '../../client/src/shared/graph';
import { chromiumAvailable, openHarness, CHROMIUM } from './webview-harness';

/**
 * An x86 server: VECTOR, DMAR-MSI, 8 IR units and (domains - 10) PCI devices, each with its implied
 * per-device MSI-X domain and 2 interrupts; so the diagram has about 2 x domains nodes.
 */
export function diagramTopology(domains: number): string {
  const units = 8;
  const out = [
    'arch x86',
    'kernel 6.8',
    'cpus 0-63',
    'domain VECTOR : vector',
    'domain DMAR-MSI : dmar-msi { parent VECTOR }',
  ];
  const busesPer = 256 / units;
  const h2 = (n: number) => n.toString(16).padStart(2, '0');
  for (let u = 0; u < units; u++)
    out.push(
      `domain IR-${u} : remap { parent VECTOR; vendor intel; scope 0000:${h2(u * busesPer)}-${h2(u * busesPer + busesPer - 1)} }`,
    );
  for (let d = 0; d < domains - 10; d++) {
    const bus = (d % units) * busesPer + (Math.floor(d / units) % busesPer);
    const slot = Math.floor(d / 256) % 32;
    const fn = Math.floor(d / 8192) % 8;
    out.push(
      `device nic${d} { pci 0000:${h2(bus)}:${h2(slot)}.${fn}; msix 4 }`,
      `irq nic${d}.q[0..1] : msix`,
    );
  }
  return out.join('\n') + '\n';
}

const TARGETS: Record<number, number> = { 100: 200, 1000: 500, 5000: 2000 };

export async function benchDiagram(): Promise<string[]> {
  const lines = [
    '## Diagram: layout + first render in headless Chromium (dist/webview/main.js, layout in dist/webview/layout.js)',
  ];
  if (!chromiumAvailable()) {
    lines.push(
      `Chromium is not installed (${CHROMIUM}): skipped. Install it with apt-get install -y chromium.`,
    );
    return lines;
  }
  const h = await openHarness({ width: 800, height: 950 });
  try {
    lines.push(
      '| domains | clustering | nodes drawn | edges drawn | folded | wall ms (median of 3) | layout ms | SVG render ms | target ms |',
      '|---|---|---|---|---|---|---|---|---|',
    );
    for (const n of [100, 1000, 5000]) {
      const text = diagramTopology(n);
      const a = analyze(`/bench/diagram-${n}.irqtopo`, text, { rules: {} });
      const diagram = S.diagram(a);
      const routes = S.routes(a);
      const domains = diagram.nodes.filter((x) => x.type === 'domain').length;
      for (const [label, clusterAbove] of [
        [`on (above ${DEFAULT_CLUSTER_ABOVE} per parent)`, DEFAULT_CLUSTER_ABOVE],
        ['off', 1e9],
      ] as const) {
        const runs: {
          wallMs: number;
          layoutMs: number;
          renderMs: number;
          nodes: number;
          edges: number;
          collapsed: number;
        }[] = [];
        for (let i = 0; i < 3; i++) {
          // a new document each run: a first render (layout, first view, lists and chart)
          const { wallMs, report } = await h.render({
            type: 'model',
            doc: `file:///bench/diagram-${n}-${clusterAbove}-${i}.irqtopo`,
            diagram: i % 2 ? { ...diagram, nodes: [...diagram.nodes].reverse() } : diagram,
            routes,
            clusterAbove,
            title: `bench-${n}-${i}`,
            irq: null,
            note: null,
            node: null,
          });
          if (report.type !== 'rendered') throw new Error('no rendered report');
          runs.push({ wallMs, ...report });
        }
        runs.sort((x, y) => x.wallMs - y.wallMs);
        const m = runs[1];
        lines.push(
          `| ${domains.toLocaleString('en')} | ${label} | ${m.nodes} | ${m.edges} | ${m.collapsed} | ${m.wallMs.toFixed(0)} | ${m.layoutMs} | ${m.renderMs} | ${label === 'off' ? '' : (TARGETS[n] ?? '')} |`,
        );
      }
    }
    lines.push(
      '',
      'wall = postMessage of the model to the `rendered` report (after the next animation frame): clustering, layout in the',
      'worker (the linear tree layout), SVG build, first view, the interrupt list,',
      'the route box and the CPU chart. Page 800x950 (a diagram beside the editor at 1600x1000). Targets (issue 14) are for',
      'clustering on, the default (irqtopo.diagram.clusterAbove).',
    );
  } finally {
    await h.close();
  }
  return lines;
}
