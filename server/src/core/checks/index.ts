// The check runner: Language findings from the binder, then every named check over the model,
// then the severity overrides.

import type { Finding } from '../diagnostics';
import type { SeverityOverride } from '../types';
import type { Model } from '../model';
import * as cap from './capabilities';
import * as lay from './layering';
import { finding, RULES_BY_CODE, type Check } from './registry';

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
  lay.imsParentVectorCheck,
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
  cap.apicModeCheck,
  cap.sourceNeedsCheck,
  cap.sourceRangeCheck,
];

export type RuleOverrides = Readonly<Record<string, SeverityOverride>>;

/** Runs every check over a model. A check that throws is reported, never propagated. */
export function runChecks(m: Model, extra: readonly Check[] = []): Finding[] {
  const out: Finding[] = [...m.findings];
  const root = m.files[m.files.length - 1];
  for (const check of [...CHECKS, ...extra]) {
    try {
      check.run(m, (site, message, related) =>
        out.push(finding(check.code, site.file, site.start, site.end, message, related)),
      );
    } catch (e) {
      if (root)
        out.push(
          finding(check.code, root, 0, 0, `internal error in the '${check.code}' check: ${String(e)}`),
        );
    }
  }
  return out;
}

export { applyOverrides } from '../diagnostics';

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
