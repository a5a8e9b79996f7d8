// The language core's facade: plain data in, plain data out. No I/O except through the reader
// passed in; no `vscode` or `vscode-languageserver` import (test/core/architecture.test.ts guards it).

import { applyOverrides, runChecks, type RuleOverrides } from './checks';
import { buildModel, type BuildOptions, type Model } from './model';
import { simulate, type Simulation } from './simulate';
import type { Diagnostic, FileReader } from './types';

export * from './types';
export * from './kinds';
export { parse } from './syntax/parser';
export type * from './syntax/ast';
export {
  buildModel,
  resolveInclude,
  type Model,
  type Domain,
  type Device,
  type Irq,
  type Ref,
} from './model';
export { RULES, RULES_BY_CODE, ruleDocPath, type RuleInfo } from './checks/registry';
export { CHECKS, validateOverrides, type RuleOverrides } from './checks';
export { simulate } from './simulate';
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
  /** every diagnostic, in every file involved (syntax first, then by check, then the simulation's), overrides applied */
  diagnostics: Diagnostic[];
  /** the routes; undefined when the model is too broken to simulate (no arch or cpus, no root, two roots) */
  simulation: Simulation | undefined;
}

const ZERO = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

/** Why a model cannot be simulated at all, or undefined when it can. */
export function unsimulatable(model: Model): string | undefined {
  if (!model.arch) return 'no arch';
  if (model.cpus.length === 0) return 'no cpus';
  if (model.roots.length !== 1)
    return model.roots.length === 0 ? 'no root domain' : 'more than one root domain';
  if (KINDS_ROOT_ARCH[model.roots[0].kind ?? ''] !== model.arch)
    return `the root is a ${model.roots[0].kind} domain, not the ${model.arch} root`;
  return undefined;
}

const KINDS_ROOT_ARCH: Record<string, string> = { vector: 'x86', gic: 'arm64', imsic: 'riscv' };

/** Parses a file and what it includes, builds the model, runs every check and the simulation. Never throws. */
export function analyze(uri: string, text: string, options: AnalyzeOptions = {}): Analysis {
  let model: Model;
  try {
    model = buildModel(uri, text, { reader: options.reader, parsed: options.parsed });
  } catch (e) {
    model = buildModel(uri, '', {});
    return {
      model,
      diagnostics: [internal(uri, 'building the model', e)],
      simulation: undefined,
    };
  }
  const diags = runChecks(model);
  let simulation: Simulation | undefined;
  if (!unsimulatable(model)) {
    try {
      simulation = simulate(model);
      diags.push(...simulation.diagnostics);
    } catch (e) {
      diags.push(internal(uri, 'the simulation', e));
    }
  }
  return { model, diagnostics: applyOverrides(diags, options.rules), simulation };
}

function internal(uri: string, what: string, e: unknown): Diagnostic {
  return {
    uri,
    range: ZERO,
    severity: 'error',
    code: 'internal',
    message: `internal error in ${what}: ${e instanceof Error ? e.message : String(e)} (please report it)`,
    related: [],
  };
}
