// Turns diagnostics into the CLI's three output formats: compiler-style text, JSON, SARIF 2.1.0.

import * as path from 'node:path';
import { RULES, RULES_BY_CODE, ruleDocPath, type Diagnostic } from '../core';
import { ruleDocUrl } from '../docs';

export interface FileDiagnostic extends Diagnostic {
  /** the path shown to the user */
  file: string;
}

export function display(file: string, cwd: string): string {
  const rel = path.relative(cwd, file);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
}

export function formatText(diags: FileDiagnostic[], cwd: string): string {
  const lines: string[] = [];
  for (const d of diags) {
    const s = d.range.start;
    lines.push(`${d.file}:${s.line + 1}:${s.character + 1}: ${d.severity} ${d.code}: ${d.message}`);
    for (const r of d.related) {
      lines.push(
        `  ${display(r.uri, cwd)}:${r.range.start.line + 1}:${r.range.start.character + 1}: note: ${r.message}`,
      );
    }
  }
  return lines.join('\n');
}

export function formatJson(diags: FileDiagnostic[], cwd: string): string {
  return JSON.stringify(
    {
      diagnostics: diags.map((d) => ({
        file: d.file,
        range: d.range,
        severity: d.severity,
        code: d.code,
        message: d.message,
        related: d.related.map((r) => ({ file: display(r.uri, cwd), range: r.range, message: r.message })),
      })),
    },
    null,
    2,
  );
}

const LEVEL = { error: 'error', warning: 'warning', information: 'note', hint: 'note' } as const;

function region(r: Diagnostic['range']) {
  return {
    startLine: r.start.line + 1,
    startColumn: r.start.character + 1,
    endLine: r.end.line + 1,
    endColumn: r.end.character + 1,
  };
}

export function formatSarif(diags: FileDiagnostic[], cwd: string, version: string): string {
  const uri = (f: string) => display(f, cwd).split(path.sep).join('/');
  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'irqtopo',
            version,
            rules: RULES.map((r) => ({
              id: r.code,
              name: r.code,
              shortDescription: { text: r.title },
              helpUri: ruleDocUrl(r.code),
              help: {
                text: `${r.title}. What it means, why the kernel works that way, and how to fix it: ${ruleDocPath(r.code)} in irqtopo.`,
              },
              defaultConfiguration: { level: LEVEL[r.severity] },
              properties: { section: r.section },
            })),
          },
        },
        columnKind: 'utf16CodeUnits',
        results: diags.map((d) => ({
          ruleId: d.code,
          ruleIndex: RULES.findIndex((r) => r.code === d.code),
          level: LEVEL[d.severity],
          message: { text: d.message },
          locations: [
            { physicalLocation: { artifactLocation: { uri: uri(d.file) }, region: region(d.range) } },
          ],
          relatedLocations: d.related.map((r, i) => ({
            id: i,
            message: { text: r.message },
            physicalLocation: { artifactLocation: { uri: uri(r.uri) }, region: region(r.range) },
          })),
        })),
      },
    ],
  };
  return JSON.stringify(sarif, null, 2);
}

export function knownCode(code: string): boolean {
  return RULES_BY_CODE.has(code);
}
