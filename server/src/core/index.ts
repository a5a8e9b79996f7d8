// The language core's facade: plain data in, plain data out. No I/O except through the reader
// passed in; no `vscode` or `vscode-languageserver` import (test/core/architecture.test.ts guards it).

import { runChecks, type RuleOverrides } from './checks';
import { applyOverrides, publish, type Finding } from './diagnostics';
import { KINDS } from './kinds';
import { buildModel, emptyModel, type BuildOptions, type Model } from './model';
import { simulate, type Simulation } from './simulate';
import type { Diagnostic, FileReader } from './types';

export * from './types';
export * from './kinds';
export type * from './syntax/ast';
export { SyntaxFile } from './syntax/view';
export { parse, buildModel, resolveInclude, type Model, type Domain } from './model';
export { RULES, RULES_BY_CODE, ruleDocPath, type RuleInfo } from './checks/registry';
export { CHECKS, validateOverrides, type RuleOverrides } from './checks';
export { simulate } from './simulate';
export type { Finding } from './diagnostics';
export { publish, publishOne, messageOf } from './diagnostics';
export type {
  Simulation,
  Route,
  Hop,
  CpuUsage,
  DomainUsage,
  InjectResult,
  MsiMessage,
} from './simulate/types';

export interface AnalyzeOptions {
  reader?: FileReader;
  rules?: RuleOverrides;
  parsed?: BuildOptions['parsed'];
}

export interface Analysis {
  model: Model;
  /** every finding, in every file involved (syntax first, then by check, then the simulation's), overrides applied */
  findings: Finding[];
  /** the findings published (LSP-shaped ranges, text, a cap per file), made on first use */
  readonly diagnostics: Diagnostic[];
  /** the routes; undefined when the model is too broken to simulate (no arch or cpus, no root, two roots) */
  simulation: Simulation | undefined;
}

/** Why a model cannot be simulated at all, or undefined when it can. */
export function unsimulatable(model: Model): string | undefined {
  if (!model.arch) return 'no arch';
  if (model.cpus.length === 0) return 'no cpus';
  if (model.roots.length !== 1)
    return model.roots.length === 0 ? 'no root domain' : 'more than one root domain';
  const kind = model.roots[0].kind ?? '';
  if (ROOT_ARCH[kind] !== model.arch) return `the root is a ${kind} domain, not the ${model.arch} root`;
  return undefined;
}

const ROOT_ARCH: Record<string, string> = Object.fromEntries(
  Object.values(KINDS)
    .filter((k) => k.root)
    .map((k) => [k.kind, k.arches[0]]),
);

/** An analysis whose diagnostics are published from its findings on first use. */
export function makeAnalysis(
  model: Model,
  findings: Finding[],
  simulation: Simulation | undefined,
): Analysis {
  let published: Diagnostic[] | undefined;
  return {
    model,
    findings,
    simulation,
    get diagnostics() {
      return (published ??= publish(findings));
    },
  };
}

/** Parses a file and what it includes, builds the model, runs every check and the simulation. Never throws. */
export function analyze(uri: string, text: string, options: AnalyzeOptions = {}): Analysis {
  let model: Model;
  try {
    model = buildModel(uri, text, { reader: options.reader, parsed: options.parsed });
  } catch (e) {
    model = emptyModel(uri);
    return makeAnalysis(model, [internal(uri, 'building the model', e)], undefined);
  }
  const findings = runChecks(model);
  let simulation: Simulation | undefined;
  if (!unsimulatable(model)) {
    try {
      simulation = simulate(model);
      // (not push(...): 100,000 expect statements give more findings than a call takes arguments)
      for (const f of simulation.findings) findings.push(f);
    } catch (e) {
      findings.push(internal(uri, 'the simulation', e));
    }
  }
  return makeAnalysis(model, applyOverrides(findings, options.rules), simulation);
}

function internal(uri: string, what: string, e: unknown): Finding {
  return {
    file: undefined,
    uri,
    start: 0,
    end: 0,
    severity: 'error',
    code: 'internal',
    message: `internal error in ${what}: ${e instanceof Error ? e.message : String(e)} (please report it)`,
  };
}
