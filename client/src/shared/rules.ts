// Which rule a diagnostic's code link names. Pure: unit-tested.

/** `file:///…/docs/rules.md#ims-parent-pci-msi` -> `ims-parent-pci-msi`; anything else -> null. */
export function ruleCodeOfHref(href: string): string | null {
  const m = /^file:\/\/.*\/docs\/rules\.md#([a-z0-9-]{1,64})$/.exec(href);
  return m ? m[1] : null;
}
