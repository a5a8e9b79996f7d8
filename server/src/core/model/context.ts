// What every part of the binder shares: the model being built and the way to report a Language
// finding at a place.

import { finding } from '../checks/registry';
import type { RelatedFinding } from '../diagnostics';
import type { SyntaxFile } from '../syntax/view';
import type { Result, Values } from '../values';
import { suggestBudget, type SuggestBudget } from './queries';
import type { Model } from './types';

export class BindContext {
  /** the "did you mean" work left for this model's messages */
  readonly suggest: SuggestBudget = suggestBudget();

  constructor(readonly m: Model) {}

  report(
    code: string,
    file: SyntaxFile,
    start: number,
    end: number,
    message: string | (() => string),
    related?: RelatedFinding[] | (() => RelatedFinding[]),
  ): void {
    this.m.findings.push(finding(code, file, start, end, message, related));
  }

  /** Reports a failed value as `bad-value`; true when the value is good. */
  ok<T>(file: SyntaxFile, r: Result<T>): r is { ok: true; value: T } {
    if (!r.ok) this.report('bad-value', file, r.start, r.end, r.message);
    return r.ok;
  }

  private readonly scratch: Values = { t: undefined!, first: 0, n: 0, at: 0, atEnd: 0 };

  /** The values of a property row (a shared object: read it before asking for another). */
  propValues(file: SyntaxFile, p: number): Values {
    const t = file.tree;
    const v = this.scratch;
    v.t = t;
    v.first = t.pAtoms[p];
    v.n = t.pNAtoms[p];
    v.at = t.pStart[p];
    v.atEnd = t.pNameEnd(p);
    return v;
  }

  /** A flag property takes no value. */
  flag(file: SyntaxFile, p: number): boolean {
    const t = file.tree;
    if (t.pNAtoms[p] > 0) {
      const first = t.pAtoms[p];
      this.report(
        'bad-value',
        file,
        t.aStart[first],
        t.aEnd(first + t.pNAtoms[p] - 1),
        `'${t.names.names[t.pName[p]]}' is a flag and takes no value`,
      );
      return false;
    }
    return true;
  }
}
