// The text beside the diagram: the route box (the selected interrupt, hop by hop), the focus strip (the
// route alone, left to right, with what each level took written on its edge, and the message), and the
// problems of a clicked node.
import type { VisNode } from '../shared/graph';
import { hopText, messageText, placementText, routeLines, routeStrip } from '../shared/routes';
import type { RouteInfo } from '../shared/types';
import { $, html, link, post } from './dom';
import { state } from './state';

export function renderRoutePanel(r: RouteInfo | undefined, device: string, onHop: (i: number) => void): void {
  const sec = $<HTMLElement>('route');
  sec.replaceChildren();
  html('h2', 'Route', undefined, sec);
  if (!r) {
    html(
      'div',
      state.irq ? `${state.irq}: no route computed` : 'Choose an interrupt, or put the cursor on an irq.',
      'muted',
      sec,
    );
    return;
  }
  const head = html('div', undefined, 'route-head', sec);
  link(r.irq, head, () => post({ type: 'reveal', target: 'irq', id: r.irq }), 'Reveal the irq statement');
  if (device) html('span', ` · ${device}`, 'muted', head);
  if (state.note) html('div', state.note, 'note', sec);
  const ol = html('ol', undefined, undefined, sec);
  r.hops.forEach((h, i) => {
    const li = html('li', undefined, i === state.activeHop ? 'active' : undefined, ol);
    html('span', h.domain, 'hop-domain', li);
    li.appendChild(document.createTextNode(' '));
    html('span', hopText(h), 'hop-resource', li);
    li.title = 'Reveal this domain’s declaration';
    li.addEventListener('click', () => {
      onHop(i);
      post({ type: 'reveal', target: 'hop', irq: r.irq, index: i });
    });
  });
  // after the hops: the path (when no hop was computed), the placement, the message, the failure
  for (const l of routeLines(r).slice(r.hops.length)) {
    const cls = l.startsWith('message')
      ? 'message'
      : r.failure && l.startsWith(r.failure.code)
        ? 'failure'
        : 'placement';
    html('div', l, cls, sec);
  }
}

/** The focus strip over the canvas: shown in focus mode when a route is selected. */
export function renderStrip(r: RouteInfo | undefined, device: string): number {
  const strip = $<HTMLDivElement>('strip');
  strip.replaceChildren();
  const on = state.focusMode && !!r;
  strip.classList.toggle('shown', on);
  if (!on || !r) return 0;
  const hops = html('div', undefined, 'hops', strip);
  for (const item of routeStrip(device, r)) {
    if (item.took !== null || item.kind === 'domain') {
      const took = html('span', undefined, 'took', hops);
      html('span', item.took ?? '', undefined, took);
      html('span', '⟶', 'arrow-line', took);
    }
    const box = html('span', undefined, `hop ${item.kind}`, hops);
    html('span', item.name, 'name', box);
    box.title = 'Reveal the declaration';
    box.addEventListener('click', () =>
      post({
        type: 'reveal',
        target: 'node',
        id: `${item.kind === 'device' ? 'device' : 'domain'}:${item.name}`,
      }),
    );
  }
  const place = placementText(r);
  if (r.failure) html('div', `${r.failure.code}: ${r.failure.message}`, 'line failure', strip);
  else if (place) html('div', `${r.irq} → ${place}`, 'line', strip);
  if (r.message) html('div', messageText(r), 'line', strip);
  if (state.note) html('div', state.note, 'note', strip);
  return strip.offsetHeight;
}

export function renderProblems(n: VisNode | undefined): void {
  const sec = $<HTMLElement>('problems');
  sec.replaceChildren();
  if (!n || n.problems.length === 0) return;
  html('h2', `Problems: ${n.label}`, undefined, sec);
  const ul = html('ul', undefined, undefined, sec);
  for (const p of n.problems.slice(0, 50)) html('li', `${p.code}: ${p.message}`, `sev-${p.severity}`, ul);
  if (n.problems.length > 50) html('li', `… ${n.problems.length - 50} more`, 'muted', ul);
}
