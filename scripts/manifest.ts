// The part of package.json generated from the rule table (RULES in server/src/core/checks/registry.ts):
// one entry per code in the `irqtopo.rules` setting, with its one-line title, its default severity and a
// link to its section of docs/rules.md. scripts/build.mjs runs syncManifest() after every build (in CI it
// only checks); test/core/manifest.test.ts checks that package.json holds what rulesSetting() makes.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RuleInfo } from '../server/src/core';

export const SEVERITIES = ['error', 'warning', 'information', 'hint', 'off'] as const;

/** A command link that opens a doc of the installed extension (irqtopo.openDocs, client/src/docs.ts). */
export function docsLink(file: string, anchor?: string): string {
  return `command:irqtopo.openDocs?${encodeURIComponent(JSON.stringify(anchor ? [file, anchor] : [file]))}`;
}

export interface RuleProperty {
  type: 'string';
  enum: string[];
  markdownDescription: string;
}

/** `contributes.configuration.properties["irqtopo.rules"].properties`: one entry per code, in RULES order. */
export function rulesSetting(rules: readonly RuleInfo[]): Record<string, RuleProperty> {
  const out: Record<string, RuleProperty> = {};
  for (const r of rules) {
    const title = r.title.charAt(0).toUpperCase() + r.title.slice(1);
    out[r.code] = {
      type: 'string',
      enum: [...SEVERITIES],
      markdownDescription: `${title} (${r.section}). Default: \`${r.severity}\`. [docs/rules.md#${r.code}](${docsLink('rules.md', r.code)})`,
    };
  }
  return out;
}

interface Manifest {
  contributes: { configuration: { properties: Record<string, { properties?: unknown }> } };
}

/** package.json as it should be: the same, with the generated entries in place. */
export function generatedManifest(text: string, rules: readonly RuleInfo[]): string {
  const pkg = JSON.parse(text) as Manifest;
  pkg.contributes.configuration.properties['irqtopo.rules'].properties = rulesSetting(rules);
  return `${JSON.stringify(pkg, null, 2)}\n`;
}

/**
 * Brings package.json in step with RULES. Returns 'unchanged', 'written', or 'stale' (when `check` is
 * set, nothing is written: CI fails on a package.json that was not regenerated and committed).
 */
export function syncManifest(root: string, rules: readonly RuleInfo[], check: boolean): string {
  const file = path.join(root, 'package.json');
  const text = fs.readFileSync(file, 'utf8');
  const want = generatedManifest(text, rules);
  if (want === text) return 'unchanged';
  if (check) return 'stale';
  fs.writeFileSync(file, want);
  return 'written';
}
