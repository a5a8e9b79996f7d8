// Findings: the core's diagnostics, kept as offsets with their message made on demand; and their
// publication (LSP-shaped ranges, the text, a cap per file) where they leave the core.

import type { SyntaxFile } from './syntax/view';
import type { Diagnostic, RelatedInformation, Severity, SeverityOverride } from './types';

export interface RelatedFinding {
  file: SyntaxFile;
  start: number;
  end: number;
  message: string;
}

export interface Finding {
  /** the file it is in (undefined only for a file the core could not parse: then 1:1) */
  file: SyntaxFile | undefined;
  uri: string;
  start: number;
  end: number;
  severity: Severity;
  code: string;
  /** the text, or how to make it (built when published) */
  message: string | (() => string);
  related?: RelatedFinding[] | (() => RelatedFinding[]);
  /** LSP DiagnosticTag.Unnecessary, where the code is "declared but unused" */
  unnecessary?: boolean;
}

/** Findings shown per file before the rest is summarised, one summary per code. */
export const MAX_FINDINGS_PER_FILE = 1000;
/** Related places shown per finding. */
export const MAX_RELATED = 20;

/**
 * Characters of one finding's message. Messages quote the file (names up to 1,024 characters, values,
 * paths); those that quote input-sized text cut it themselves, and this catches the rest: a 5 KB value
 * must not make a 5 KB message in every client, log and SARIF file.
 */
export const MAX_MESSAGE = 2000;

export function messageOf(f: Finding): string {
  const m = typeof f.message === 'string' ? f.message : f.message();
  if (m.length <= MAX_MESSAGE) return m;
  const cut = /[\ud800-\udbff]/.test(m[MAX_MESSAGE - 1]) ? MAX_MESSAGE - 1 : MAX_MESSAGE;
  return `${m.slice(0, cut)}… (the message is cut here: ${m.length.toLocaleString('en-US')} characters)`;
}

export function relatedOf(f: Finding): RelatedFinding[] {
  if (!f.related) return [];
  return typeof f.related === 'function' ? f.related() : f.related;
}

const ZERO = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

/** A finding as an LSP-shaped diagnostic (ranges, the text, at most MAX_RELATED related places). */
export function publishOne(f: Finding): Diagnostic {
  const rel = relatedOf(f);
  const related: RelatedInformation[] = rel.slice(0, MAX_RELATED).map((r) => ({
    uri: r.file.uri,
    range: r.file.range(r.start, r.end),
    message: r.message,
  }));
  if (rel.length > MAX_RELATED) {
    const last = rel[MAX_RELATED];
    related.push({
      uri: last.file.uri,
      range: last.file.range(last.start, last.end),
      message: `… and ${rel.length - MAX_RELATED} more related places`,
    });
  }
  const d: Diagnostic = {
    uri: f.uri,
    range: f.file ? f.file.range(f.start, f.end) : ZERO,
    severity: f.severity,
    code: f.code,
    message: messageOf(f),
    related,
  };
  if (f.unnecessary) d.unnecessary = true;
  return d;
}

/**
 * Publishes findings: in text order per file, the first MAX_FINDINGS_PER_FILE of each file, then
 * one summary per code for the rest (a file with 14,000 findings stays readable).
 */
export function publish(findings: readonly Finding[], cap = MAX_FINDINGS_PER_FILE): Diagnostic[] {
  const byFile = new Map<string, Finding[]>();
  for (const f of findings) {
    let list = byFile.get(f.uri);
    if (!list) byFile.set(f.uri, (list = []));
    list.push(f);
  }
  const out: Diagnostic[] = [];
  for (const list of byFile.values()) {
    if (list.length <= cap) {
      for (const f of list) out.push(publishOne(f));
      continue;
    }
    const sorted = [...list].sort((a, b) => a.start - b.start || a.end - b.end);
    for (const f of sorted.slice(0, cap)) out.push(publishOne(f));
    const rest = new Map<string, { first: Finding; n: number }>();
    for (const f of sorted.slice(cap)) {
      const r = rest.get(f.code);
      if (r) r.n++;
      else rest.set(f.code, { first: f, n: 1 });
    }
    for (const [code, { first, n }] of rest)
      out.push(
        publishOne({
          ...first,
          message: `${n} more \`${code}\` finding${n === 1 ? ' from here on is' : 's from here on are'} not shown: a file shows its first ${cap} findings, then one summary per code. The first hidden one: ${messageOf(first)}`,
          related: [],
        }),
      );
  }
  return out;
}

/** Applies per-code severity overrides (`off` drops the code). Unknown codes are ignored. */
export function applyOverrides<F extends { code: string; severity: Severity }>(
  list: F[],
  rules: Readonly<Record<string, SeverityOverride>> | undefined,
): F[] {
  if (!rules) return list;
  const out: F[] = [];
  for (const d of list) {
    const o = rules[d.code];
    if (o === 'off') continue;
    out.push(o ? { ...d, severity: o } : d);
  }
  return out;
}
