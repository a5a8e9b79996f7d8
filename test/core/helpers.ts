// Test helpers shared by the core tests: reading fixtures, running the checker on them.
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  analyze,
  parse,
  type AnalyzeOptions,
  type Analysis,
  type Diagnostic,
  type Model,
  type SourceFile,
} from '../../server/src/core';
import { IrqView, deviceByName, refsIn, targetOf, type DeviceView } from '../../server/src/core/model';

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

/** A file parsed into syntax objects (the tables, viewed whole). */
export function parseAst(text: string, uri = ''): SourceFile {
  return parse(text, uri).ast;
}

/** Every interrupt of a model as an object, in allocation order (duplicates left out). */
export function irqsOf(m: Model): IrqView[] {
  const out: IrqView[] = [];
  for (let k = 0; k < m.irqCount; k++) {
    const v = new IrqView(m, k);
    if (!m.groups.dead.get(v.g)?.has(k - m.groups.order[v.g])) out.push(v);
  }
  return out;
}

export function device(m: Model, name: string): DeviceView | undefined {
  return deviceByName(m, name);
}

/** Every reference of a model, with whether it names something declared. */
export function refsOf(m: Model): { kind: string; name: string; resolved: boolean }[] {
  return refsIn(m).map((r) => {
    const t = targetOf(m, r);
    return {
      kind: r.kind,
      name: r.name,
      resolved: !!t.domain || t.group !== undefined || t.device !== undefined,
    };
  });
}
