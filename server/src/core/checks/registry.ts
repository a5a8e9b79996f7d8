// Every diagnostic code of RULES.md, with its default severity and its RULES.md section. The checks
// themselves are named units (checks/*.ts) registered against these codes.

import type { Finding, RelatedFinding } from '../diagnostics';
import type { Model, Site } from '../model';
import type { SyntaxFile } from '../syntax/view';
import type { Severity } from '../types';

export type Section = 'Language' | 'Layering' | 'Capabilities' | 'Resources' | 'Information';

export interface RuleInfo {
  code: string;
  severity: Severity;
  section: Section;
  /** one line: what the rule is about */
  title: string;
}

const R = (code: string, severity: Severity, section: Section, title: string): RuleInfo => ({
  code,
  severity,
  section,
  title,
});

export const RULES: readonly RuleInfo[] = [
  R('syntax', 'error', 'Language', 'the text does not parse'),
  R('unknown-name', 'error', 'Language', 'a reference to no declared domain, device or interrupt'),
  R('duplicate-name', 'error', 'Language', 'a name declared twice (also across included files)'),
  R('unknown-kind', 'error', 'Language', 'a domain kind the language does not have'),
  R('unknown-property', 'error', 'Language', 'a property the statement does not take'),
  R('bad-value', 'error', 'Language', 'a value of the wrong shape or out of range'),
  R('missing-property', 'error', 'Language', 'a required property or statement is missing'),
  R('include-error', 'error', 'Language', 'an included file is missing, unreadable, or includes itself'),
  R('unused-domain', 'hint', 'Language', 'declared, no parent of anything, serves no interrupt'),
  R('ims-parent-pci-msi', 'error', 'Layering', 'a device-level domain parented to a PCI/MSI domain'),
  R('parent-not-msi-parent', 'error', 'Layering', 'a message domain whose parent is not an MSI parent'),
  R('ims-shared', 'error', 'Layering', 'one IMS domain serving more than one device'),
  R('ims-no-slots', 'error', 'Layering', 'an IMS domain with no slots'),
  R('ims-parent-vector', 'error', 'Layering', 'an x86 IMS domain under the bare vector domain'),
  R(
    'remap-scope-mismatch',
    'error',
    'Layering',
    'routed through a remap unit other than the one whose scope holds it',
  ),
  R('dmar-msi-under-remap', 'error', 'Layering', 'a DMAR-MSI domain parented to a remap unit'),
  R('remap-parent', 'error', 'Layering', 'a remap or its whose parent is not the root'),
  R('root', 'error', 'Layering', 'no root, two roots, or a root with a parent'),
  R('parent-cycle', 'error', 'Layering', 'the parent chain loops'),
  R('kind-arch', 'error', 'Layering', 'a kind that the arch does not have'),
  R('platform-msi-pci', 'warning', 'Layering', 'a PCI device using platform-MSI'),
  R('platform-msi-x86', 'error', 'Layering', 'a platform-msi domain under an x86 parent'),
  R('virtual-msix', 'warning', 'Layering', 'virtual MSI-X or NTB window interrupts in a pci-msi domain'),
  R('mixed-msi-era', 'warning', 'Layering', 'a shared pci-msi domain beside per-device ones on 6.2+'),
  R('msi-count', 'error', 'Capabilities', 'MSI vectors not a power of two, or above 32'),
  R('msix-table-size', 'error', 'Capabilities', 'MSI-X table above 2048 entries'),
  R('msix-index-range', 'error', 'Capabilities', 'an MSI-X index at or beyond the table size'),
  R('msi-and-msix', 'error', 'Capabilities', 'one device requesting both MSI and MSI-X'),
  R('multi-msi-unsupported', 'warning', 'Capabilities', 'multi-MSI under a parent without multi-MSI support'),
  R('ims-kernel', 'error', 'Capabilities', 'IMS on a kernel without PCI/IMS (before 6.2, or 6.10 and later)'),
  R('assignment-unsafe', 'error', 'Capabilities', 'a VFIO-assigned device without isolated MSI'),
  R('managed-affinity-pinned', 'warning', 'Capabilities', 'a managed interrupt pinned off the kernel spread'),
  R('cpu-unknown', 'error', 'Capabilities', 'an affinity or pin naming a CPU not in cpus'),
  R('apic-mode', 'error', 'Capabilities', 'an APIC driver the machine cannot have'),
  R('vector-exhausted', 'error', 'Resources', 'no free vector on any allowed CPU'),
  R('affinity-broken', 'warning', 'Resources', 'the allocator left the requested affinity'),
  R('vector-conflict', 'error', 'Resources', 'two pinned interrupts on the same CPU and vector'),
  R('apic-id-unreachable', 'error', 'Resources', 'a non-remapped route to an APIC ID above 255'),
  R('irte-exhausted', 'error', 'Resources', "a remap unit's table is full"),
  R('ims-slots-exhausted', 'error', 'Resources', 'more IMS interrupts than slots'),
  R('its-events-exhausted', 'error', 'Resources', "a device's ITS event space is full"),
  R('cpu-unplug-refused', 'error', 'Resources', 'an offline the kernel refuses'),
  R('set-affinity-failed', 'error', 'Resources', 'an interrupt that cannot move off an offlined CPU'),
  R('irq-shutdown', 'information', 'Resources', 'a managed interrupt shut down: no CPU of its mask online'),
  R('expect-failed', 'error', 'Resources', 'an expect does not hold'),
  R('inject-unrouted', 'warning', 'Resources', 'an injected write reaches no allocated interrupt'),
  R('inject-result', 'information', 'Information', 'where an injected write lands'),
];

export const RULES_BY_CODE: ReadonlyMap<string, RuleInfo> = new Map(RULES.map((r) => [r.code, r]));

/** The docs section of a code, relative to the repository root. */
export function ruleDocPath(code: string): string {
  return `docs/rules.md#${code}`;
}

export type Reporter = (
  site: Site,
  message: string | (() => string),
  related?: RelatedFinding[] | (() => RelatedFinding[]),
) => void;

/** A named check: a unit with a stable code, run over the finished model. */
export interface Check {
  code: string;
  run(m: Model, report: Reporter): void;
}

export function finding(
  code: string,
  file: SyntaxFile,
  start: number,
  end: number,
  message: string | (() => string),
  related?: RelatedFinding[] | (() => RelatedFinding[]),
): Finding {
  const info = RULES_BY_CODE.get(code);
  const f: Finding = {
    file,
    uri: file.uri,
    start,
    end,
    severity: info?.severity ?? 'error',
    code,
    message,
  };
  if (related) f.related = related;
  if (code === 'unused-domain') f.unnecessary = true;
  return f;
}
