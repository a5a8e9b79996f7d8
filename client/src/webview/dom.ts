// DOM helpers of the diagram page: every name goes into the page as a text node (textContent), never as
// markup; no inline handlers (the CSP forbids them anyway).
import type { WebviewMessage } from '../shared/messages';

export const SVG = 'http://www.w3.org/2000/svg';

interface VsCodeApi {
  postMessage(m: WebviewMessage): void;
  getState(): unknown;
  setState(s: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

export const vscode = acquireVsCodeApi();

export function post(m: WebviewMessage): void {
  vscode.postMessage(m);
}

export function reportError(e: unknown): void {
  post({ type: 'error', message: e instanceof Error ? (e.stack ?? e.message) : String(e) });
}

export const $ = <T extends HTMLElement | SVGElement>(id: string): T =>
  document.getElementById(id) as unknown as T;

export function el<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | number> = {},
  parent?: Element,
): SVGElementTagNameMap[K] {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (parent) parent.appendChild(e);
  return e;
}

export function html<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  text?: string,
  cls?: string,
  parent?: Element,
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (cls) e.className = cls;
  if (parent) parent.appendChild(e);
  return e;
}

/** A clickable text (a span with role link: no href, so nothing navigates). */
export function link(text: string, parent: Element, onClick: () => void, title?: string): HTMLSpanElement {
  const a = html('span', text, 'link', parent);
  a.setAttribute('role', 'link');
  a.tabIndex = 0;
  if (title) a.title = title;
  a.addEventListener('click', (ev) => {
    ev.preventDefault();
    onClick();
  });
  a.addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter' || ev.key === ' ') {
      ev.preventDefault();
      onClick();
    }
  });
  return a;
}

export function banner(text: string | null): void {
  const b = $<HTMLDivElement>('banner');
  b.textContent = text ?? '';
  b.classList.toggle('shown', !!text);
}
