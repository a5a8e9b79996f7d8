// The language core's facade: plain data in, plain data out. No I/O except through the reader
// passed in; no `vscode` or `vscode-languageserver` import (test/core/architecture.test.ts guards it).

import { applyOverrides, runChecks, type RuleOverrides } from './checks';
import { buildModel, type BuildOptions, type Model } from './model';
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

export interface AnalyzeOptions {
  reader?: FileReader;
  rules?: RuleOverrides;
  parsed?: BuildOptions['parsed'];
}

export interface Analysis {
  model: Model;
  /** every diagnostic, in every file involved (syntax first, then by check), overrides applied */
  diagnostics: Diagnostic[];
}

/** Parses a file and what it includes, builds the model and runs every check. Never throws. */
export function analyze(uri: string, text: string, options: AnalyzeOptions = {}): Analysis {
  const model = buildModel(uri, text, { reader: options.reader, parsed: options.parsed });
  const diagnostics = applyOverrides(runChecks(model), options.rules);
  return { model, diagnostics };
}
