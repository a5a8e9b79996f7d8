// Diagnostics for one file of an analysis: its findings published (ranges, text, the cap per file),
// in text order, each once.

import { publish } from '../diagnostics';
import type { RuleOverrides } from '../checks';
import type { Diagnostic } from '../types';
import type { AnalysisLike } from './util';

function key(d: Diagnostic): string {
  return `${d.uri}\0${d.range.start.line}:${d.range.start.character}-${d.range.end.line}:${d.range.end.character}\0${d.code}\0${d.message}`;
}

/** Every diagnostic of an analysis (its findings hold the simulation's already; overrides applied). */
export function allDiagnostics(a: AnalysisLike, rules?: RuleOverrides): Diagnostic[] {
  void rules;
  return a.diagnostics;
}

/** The diagnostics located in one file, in text order, each once. */
export function diagnosticsFor(diags: readonly Diagnostic[], uri: string): Diagnostic[] {
  const seen = new Set<string>();
  const out: Diagnostic[] = [];
  for (const d of diags) {
    if (d.uri !== uri) continue;
    const k = key(d);
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(d);
  }
  return out.sort(
    (x, y) => x.range.start.line - y.range.start.line || x.range.start.character - y.range.start.character,
  );
}

/** One file's findings, published: only that file's messages are made (the language server's path). */
export function publishFile(a: AnalysisLike, uri: string): Diagnostic[] {
  return diagnosticsFor(publish(a.findings.filter((f) => f.uri === uri)), uri);
}
