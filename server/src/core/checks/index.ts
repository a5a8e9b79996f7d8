// The check runner: Language findings from the binder, then every named check over the model,
// then the severity overrides.

import type { Model } from '../model';
import type { Diagnostic, SeverityOverride } from '../types';
import * as cap from './capabilities';
import * as lay from './layering';
import { diagnostic, RULES_BY_CODE, type Check } from './registry';

/** Every model check, in reporting order. Add a new check here (see docs/ARCHITECTURE.md). */
export const CHECKS: readonly Check[] = [
  lay.rootCheck,
  lay.parentCycleCheck,
  lay.missingParentCheck,
  lay.kindArchCheck,
  lay.remapParentCheck,
  lay.imsParentPciMsiCheck,
  lay.dmarMsiUnderRemapCheck,
  lay.platformMsiX86Check,
  lay.parentNotMsiParentCheck,
  lay.imsSharedCheck,
  lay.imsNoSlotsCheck,
  lay.remapScopeCheck,
  lay.virtualMsixCheck,
  lay.mixedMsiEraCheck,
  lay.platformMsiPciCheck,
  lay.unusedDomainCheck,
  cap.msiCountCheck,
  cap.msixTableSizeCheck,
  cap.msixIndexCheck,
  cap.msiAndMsixCheck,
  cap.multiMsiCheck,
  cap.imsKernelCheck,
  cap.assignmentCheck,
  cap.cpuUnknownCheck,
  cap.sourceNeedsCheck,
  cap.sourceRangeCheck,
];

export type RuleOverrides = Readonly<Record<string, SeverityOverride>>;

/** Runs every check over a model. A check that throws is reported, never propagated. */
export function runChecks(m: Model, extra: readonly Check[] = []): Diagnostic[] {
  const out: Diagnostic[] = [...m.findings];
  for (const check of [...CHECKS, ...extra]) {
    try {
      check.run(m, (range, uri, message, related = []) =>
        out.push(diagnostic(check.code, uri, range, message, related)),
      );
    } catch (e) {
      out.push(
        diagnostic(
          check.code,
          m.rootUri,
          { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
          `internal error in the '${check.code}' check: ${String(e)}`,
        ),
      );
    }
  }
  return out;
}

/** Applies per-code severity overrides (`off` drops the code). Unknown codes are ignored. */
export function applyOverrides(diags: Diagnostic[], rules: RuleOverrides | undefined): Diagnostic[] {
  if (!rules) return diags;
  const out: Diagnostic[] = [];
  for (const d of diags) {
    const o = rules[d.code];
    if (o === 'off') continue;
    out.push(o ? { ...d, severity: o } : d);
  }
  return out;
}

/** Validates an override map; returns the problems (unknown code, unknown severity). */
export function validateOverrides(rules: Record<string, string>): string[] {
  const problems: string[] = [];
  for (const [code, sev] of Object.entries(rules)) {
    if (!RULES_BY_CODE.has(code)) problems.push(`unknown rule code '${code}'`);
    if (!['off', 'hint', 'information', 'warning', 'error'].includes(sev))
      problems.push(`'${sev}' is not a severity for '${code}': use off, hint, information, warning or error`);
  }
  return problems;
}
