// Diagnostics for one file of an analysis: the checker's, plus the simulation's when the
// analysis carries a simulation whose findings are not merged in yet, with overrides applied.

import { applyOverrides, type RuleOverrides } from '../checks';
import type { Diagnostic } from '../types';
import type { AnalysisLike } from './util';

function key(d: Diagnostic): string {
  return `${d.uri}\0${d.range.start.line}:${d.range.start.character}-${d.range.end.line}:${d.range.end.character}\0${d.code}\0${d.message}`;
}

/** Every diagnostic of an analysis, deduplicated (the simulation's included). */
export function allDiagnostics(a: AnalysisLike, rules?: RuleOverrides): Diagnostic[] {
  const sim = a.simulation?.diagnostics ?? [];
  if (sim.length === 0) return a.diagnostics;
  const seen = new Set(a.diagnostics.map(key));
  const extra = applyOverrides(
    sim.filter((d) => !seen.has(key(d))),
    rules,
  );
  return extra.length ? [...a.diagnostics, ...extra] : a.diagnostics;
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
