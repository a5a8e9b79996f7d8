// The messages between the diagram webview and the extension host, and the validator the host runs on
// every message from the webview before using it. Pure (no `vscode`): unit-tested in test/core.
import type { Diagram, Routes } from './types';

/** Host -> webview. */
export type HostMessage =
  | {
      type: 'model';
      /** the document the payloads are of (the webview keeps per-document state under this key) */
      doc: string;
      diagram: Diagram;
      routes: Routes | null;
      /** `irqtopo.diagram.clusterAbove` */
      clusterAbove: number;
      /** the file's name, for the title and the exported SVG */
      title: string;
      /** this document's chosen interrupt (null: none) and why that element of a range */
      irq: string | null;
      note: string | null;
      /** the declaration under the cursor */
      node: string | null;
    }
  /** the file has errors or the server failed: the picture shown is the last good one */
  | { type: 'stale'; reason: string | null }
  /** the followed document was closed and no other is open: nothing to show */
  | { type: 'closed'; reason: string }
  /** the cursor moved, or an interrupt was chosen (in the editor, a code lens or the picker) */
  | { type: 'focus'; doc: string; node: string | null; irq: string | null; note: string | null }
  /** the export command: the webview answers with an `exportSvg` message */
  | { type: 'requestSvg' };

/** Webview -> host (after validation). */
export type WebviewMessage =
  | { type: 'ready' }
  /** the user chose an interrupt in the diagram (list, search, CPU chart); null: none */
  | { type: 'select'; irq: string | null }
  | { type: 'reveal'; target: 'node'; id: string }
  | { type: 'reveal'; target: 'irq'; id: string }
  | { type: 'reveal'; target: 'hop'; irq: string; index: number }
  /** open the searchable picker (a quick pick) */
  | { type: 'pick' }
  /** "Take CPU N offline" in the CPU chart: the host adds `offline N` to the topology (an edit one can undo) */
  | { type: 'offline'; cpu: number }
  | { type: 'exportSvg'; svg: string }
  | { type: 'rendered'; nodes: number; edges: number; layoutMs: number; renderMs: number; collapsed: number }
  | { type: 'error'; message: string };

export const MAX_ID = 4096;
export const MAX_SVG = 64 * 1024 * 1024;
export const MAX_ERROR = 4000;
/** the highest CPU number a message may name (the kernel's NR_CPUS is at most 8192) */
export const MAX_CPU = 8191;

function str(v: unknown, max: number): v is string {
  return typeof v === 'string' && v.length > 0 && v.length <= max;
}

function count(v: unknown, max = 1e9): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= max;
}

function ms(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 && v < 1e7;
}

/**
 * Checks a message from the webview. Returns the message rebuilt from its checked fields only, or a
 * string saying what is wrong with it (the host logs it and ignores the message).
 */
export function validateWebviewMessage(raw: unknown): WebviewMessage | string {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return 'not an object';
  const m = raw as Record<string, unknown>;
  switch (m.type) {
    case 'ready':
      return { type: 'ready' };
    case 'pick':
      return { type: 'pick' };
    case 'offline':
      if (!count(m.cpu, MAX_CPU)) return `offline: cpu must be a whole number from 0 to ${MAX_CPU}`;
      return { type: 'offline', cpu: m.cpu };
    case 'select':
      if (m.irq === null) return { type: 'select', irq: null };
      if (!str(m.irq, MAX_ID)) return 'select: irq must be a non-empty string or null';
      return { type: 'select', irq: m.irq };
    case 'reveal':
      if (m.target === 'node' || m.target === 'irq') {
        if (!str(m.id, MAX_ID)) return `reveal ${m.target}: id must be a non-empty string`;
        if (m.target === 'node' && !/^(domain|device|group):/.test(m.id))
          return 'reveal node: id must start with domain:, device: or group:';
        return { type: 'reveal', target: m.target, id: m.id };
      }
      if (m.target === 'hop') {
        if (!str(m.irq, MAX_ID)) return 'reveal hop: irq must be a non-empty string';
        if (!count(m.index, 10_000)) return 'reveal hop: index must be a whole number';
        return { type: 'reveal', target: 'hop', irq: m.irq, index: m.index };
      }
      return 'reveal: target must be node, irq or hop';
    case 'exportSvg': {
      if (typeof m.svg !== 'string' || m.svg.length > MAX_SVG) return 'exportSvg: svg must be a string';
      const head = m.svg.slice(0, 200).trimStart();
      if (!head.startsWith('<svg') && !head.startsWith('<?xml')) return 'exportSvg: not an SVG document';
      return { type: 'exportSvg', svg: m.svg };
    }
    case 'rendered':
      if (!count(m.nodes) || !count(m.edges) || !count(m.collapsed)) return 'rendered: bad counts';
      if (!ms(m.layoutMs) || !ms(m.renderMs)) return 'rendered: bad times';
      return {
        type: 'rendered',
        nodes: m.nodes,
        edges: m.edges,
        layoutMs: m.layoutMs,
        renderMs: m.renderMs,
        collapsed: m.collapsed,
      };
    case 'error':
      if (typeof m.message !== 'string') return 'error: message must be a string';
      return { type: 'error', message: m.message.slice(0, MAX_ERROR) };
    default:
      return `unknown message type ${JSON.stringify(String(m.type)).slice(0, 80)}`;
  }
}

/** The verify page -> host (after validation): the difference chosen (an index into the payload's), or a new run. */
export type VerifyPageMessage = { type: 'reveal'; index: number } | { type: 'rerun' };

/** Checks a message from the verify page; `differences`: how many the page was given. */
export function validateVerifyMessage(raw: unknown, differences: number): VerifyPageMessage | string {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return 'not an object';
  const m = raw as Record<string, unknown>;
  switch (m.type) {
    case 'rerun':
      return { type: 'rerun' };
    case 'reveal':
      if (!count(m.index) || m.index >= differences)
        return `reveal: index must be a whole number below ${differences}`;
      return { type: 'reveal', index: m.index };
    default:
      return `unknown message type ${JSON.stringify(String(m.type)).slice(0, 80)}`;
  }
}
