// The language core stays pure: no `vscode` or `vscode-languageserver*` import and no I/O module
// anywhere under server/src/core/ (docs/ARCHITECTURE.md, "Invariants").
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT } from './helpers';

const CORE = path.join(ROOT, 'server', 'src', 'core');
const FORBIDDEN =
  /^(vscode|vscode-languageserver.*|vscode-languageclient.*|node:fs|fs|fs\/promises|node:fs\/promises|node:child_process|child_process|node:net|net|node:http|http|node:https|https)$/;

function files(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

export function forbiddenImports(source: string): string[] {
  const out: string[] = [];
  const re =
    /(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\s*\(\s*['"]([^'"]+)['"]\s*\)|require\s*\(\s*['"]([^'"]+)['"]\s*\)|import\s+['"]([^'"]+)['"]/g;
  for (const m of source.matchAll(re)) {
    const spec = m[1] ?? m[2] ?? m[3] ?? m[4];
    if (FORBIDDEN.test(spec)) out.push(spec);
  }
  return out;
}

describe('architecture', () => {
  it('the guard recognises a forbidden import (so it can fail)', () => {
    assert.deepEqual(forbiddenImports("import * as vscode from 'vscode';\nconst fs = require('node:fs');"), [
      'vscode',
      'node:fs',
    ]);
    assert.deepEqual(forbiddenImports("import { parse } from './syntax/parser';"), []);
  });

  it('the language core imports no vscode, LSP or I/O module', () => {
    const bad = files(CORE).flatMap((f) =>
      forbiddenImports(fs.readFileSync(f, 'utf8')).map((s) => `${path.relative(ROOT, f)}: ${s}`),
    );
    assert.deepEqual(bad, []);
  });
});
