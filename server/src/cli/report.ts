// Turns diagnostics into the CLI's three output formats: compiler-style text, JSON, SARIF 2.1.0.
// `findings()` is the one place that converts core diagnostics (paths, positions, order) for output;
// the formatters below read only its Findings.

import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as Sarif from 'sarif';
import { RULES, ruleDocPath, type Diagnostic, type Range, type Severity } from '../core';
import { ruleDocUrl } from '../docs';

/** A place in a file as every format shows it. */
export interface Place {
  /** the path shown to the user: as given on the command line, else relative to the working folder
   * when inside it, else absolute */
  file: string;
  /** the absolute path */
  path: string;
  /** 0-based line and UTF-16 character, end exclusive (the JSON format's ranges) */
  range: Range;
}

export interface Finding extends Place {
  severity: Severity;
  code: string;
  message: string;
  related: (Place & { message: string })[];
}

export function display(file: string, cwd: string): string {
  const rel = path.relative(cwd, file);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
}

/**
 * Core diagnostics → Findings, for every output format: display paths (`given` maps an absolute path
 * to the name the user typed), duplicates dropped (an included file checked twice), sorted by file,
 * then line and column, then code.
 */
export function findings(
  diags: readonly Diagnostic[],
  cwd: string,
  given: ReadonlyMap<string, string> = new Map(),
): Finding[] {
  const shown = (p: string) => given.get(p) ?? display(p, cwd);
  const seen = new Set<string>();
  const out: Finding[] = [];
  for (const d of diags) {
    const s = d.range.start;
    const key = `${d.uri}\0${s.line}\0${s.character}\0${d.code}\0${d.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({
      file: shown(d.uri),
      path: d.uri,
      range: d.range,
      severity: d.severity,
      code: d.code,
      message: d.message,
      related: d.related.map((r) => ({
        file: shown(r.uri),
        path: r.uri,
        range: r.range,
        message: r.message,
      })),
    });
  }
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return out.sort(
    (a, b) =>
      cmp(a.file, b.file) ||
      a.range.start.line - b.range.start.line ||
      a.range.start.character - b.range.start.character ||
      cmp(a.code, b.code),
  );
}

const at = (p: Place) => `${p.file}:${p.range.start.line + 1}:${p.range.start.character + 1}`;

/**
 * `file:line:col: severity code: message`, 1-based, then each related place as an indented
 * `  file:line:col: note: message` line (the `$irqtopo` problem matcher in package.json reads this).
 * Every line ends with a newline.
 */
export function formatText(list: readonly Finding[]): string {
  let s = '';
  for (const f of list) {
    s += `${at(f)}: ${f.severity} ${f.code}: ${f.message}\n`;
    for (const r of f.related) s += `  ${at(r)}: note: ${r.message}\n`;
  }
  return s;
}

/** `1 error`, `2 warnings`: a count and its noun, plural when it is not one. */
export function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/** The check summary: `2 files checked: 1 error, 0 warnings, 1 note, 0 hints` (a note is information). */
export function summary(files: number, list: readonly Finding[]): string {
  const n = (s: Severity) => list.filter((f) => f.severity === s).length;
  return `${count(files, 'file')} checked: ${count(n('error'), 'error')}, ${count(n('warning'), 'warning')}, ${count(n('information'), 'note')}, ${count(n('hint'), 'hint')}`;
}

export function formatJson(list: readonly Finding[]): string {
  return JSON.stringify(
    {
      diagnostics: list.map((f) => ({
        file: f.file,
        range: f.range,
        severity: f.severity,
        code: f.code,
        message: f.message,
        related: f.related.map((r) => ({ file: r.file, range: r.range, message: r.message })),
      })),
    },
    null,
    2,
  );
}

const LEVEL: Record<Severity, Sarif.ReportingConfiguration.level> = {
  error: 'error',
  warning: 'warning',
  information: 'note',
  hint: 'note',
};

/** The uriBaseId of paths inside the working folder (SARIF 2.1.0 §3.4.4, §3.14.14). */
export const SRCROOT = 'SRCROOT';

function region(r: Range): Sarif.Region {
  return {
    startLine: r.start.line + 1,
    startColumn: r.start.character + 1,
    endLine: r.end.line + 1,
    endColumn: r.end.character + 1,
  };
}

/** Relative to the working folder with uriBaseId SRCROOT when inside it, else an absolute file: URI. */
function artifact(p: Place, cwd: string): Sarif.ArtifactLocation {
  const rel = path.relative(cwd, p.path);
  if (rel && !rel.startsWith('..') && !path.isAbsolute(rel))
    return { uri: rel.split(path.sep).map(encodeURIComponent).join('/'), uriBaseId: SRCROOT };
  return { uri: pathToFileURL(p.path).href };
}

export function formatSarif(list: readonly Finding[], cwd: string, version: string): string {
  const base = pathToFileURL(cwd).href;
  const sarif: Sarif.Log = {
    $schema: 'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'irqtopo',
            version,
            rules: RULES.map((r): Sarif.ReportingDescriptor => ({
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
        originalUriBaseIds: { [SRCROOT]: { uri: base.endsWith('/') ? base : `${base}/` } },
        columnKind: 'utf16CodeUnits',
        results: list.map((f): Sarif.Result => ({
          ruleId: f.code,
          ruleIndex: RULES.findIndex((r) => r.code === f.code),
          level: LEVEL[f.severity],
          message: { text: f.message },
          locations: [{ physicalLocation: { artifactLocation: artifact(f, cwd), region: region(f.range) } }],
          relatedLocations: f.related.map((r, i): Sarif.Location => ({
            id: i,
            message: { text: r.message },
            physicalLocation: { artifactLocation: artifact(r, cwd), region: region(r.range) },
          })),
        })),
      },
    ],
  };
  return JSON.stringify(sarif, null, 2);
}
