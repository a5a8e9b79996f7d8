// Where the rule reference lives on this machine: docs/rules.md beside the bundles (dist/../docs),
// shipped in the .vsix and the npm package. Diagnostics link to its section per code.
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ruleDocPath } from './core';

/** The folder holding docs/ (the repository or the installed extension/package). */
function root(): string {
  // bundled: dist/*.js; transpiled for tests: out/server/src/*.js
  const here = __dirname;
  return path.basename(here) === 'dist' ? path.dirname(here) : path.resolve(here, '..', '..', '..');
}

/** A file: URL of the rule's section, e.g. file:///.../docs/rules.md#ims-parent-pci-msi */
export function ruleDocUrl(code: string): string {
  const [file, anchor] = ruleDocPath(code).split('#');
  return `${pathToFileURL(path.join(root(), file)).href}#${anchor}`;
}
