// Test helpers shared by the core tests: reading fixtures, running the checker on them.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyze, type AnalyzeOptions, type Analysis, type Diagnostic } from '../../server/src/core';

/** The repository root (tests run from out/test/..., sources live beside). */
export const ROOT = path.resolve(__dirname, '../../..');

export function fixture(...parts: string[]): string {
  return path.join(ROOT, 'test', 'fixtures', ...parts);
}

export const diskReader = (uri: string): string | Error => {
  try {
    return fs.readFileSync(uri, 'utf8');
  } catch (e) {
    return e as Error;
  }
};

export function analyzeFile(file: string, options: AnalyzeOptions = {}): Analysis {
  return analyze(file, fs.readFileSync(file, 'utf8'), { reader: diskReader, ...options });
}

export function analyzeText(text: string, options: AnalyzeOptions = {}): Analysis {
  return analyze('/virtual/test.irqtopo', text, options);
}

export function codes(diags: Diagnostic[]): string[] {
  return diags.map((d) => d.code);
}

export function describe1(d: Diagnostic): string {
  return `${path.basename(d.uri)}:${d.range.start.line + 1}:${d.range.start.character + 1} ${d.severity} ${d.code}: ${d.message}`;
}

/** `#! code code` trailing annotations: line (0-based) → codes expected to start on it. */
export function annotations(text: string): Map<number, string[]> {
  const out = new Map<number, string[]>();
  text.split('\n').forEach((line, i) => {
    const m = /#!\s*([a-z][a-z0-9-]*(?:\s+[a-z][a-z0-9-]*)*)\s*$/.exec(line);
    if (m) out.set(i, m[1].split(/\s+/));
  });
  return out;
}
