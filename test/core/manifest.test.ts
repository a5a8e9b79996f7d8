// The places outside the core that list every rule code stay in step with RULES (checks/registry.ts):
// the `irqtopo.rules` setting in package.json and the anchors of docs/rules.md.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RULES } from '../../server/src/core';
import { ROOT } from './helpers';

describe('rule codes outside the core', () => {
  const codes = RULES.map((r) => r.code).sort();

  it('the irqtopo.rules setting offers exactly the rule codes', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    const props = pkg.contributes.configuration.properties['irqtopo.rules'].properties as Record<
      string,
      unknown
    >;
    assert.deepEqual(Object.keys(props).sort(), codes);
  });

  it('docs/rules.md has a section (an anchor) for every rule code, and none for others', () => {
    const doc = fs.readFileSync(path.join(ROOT, 'docs', 'rules.md'), 'utf8');
    const anchors = [...doc.matchAll(/<a id="([a-z0-9-]+)"><\/a>/g)]
      .map((m) => m[1])
      .filter((a) => a !== 'route');
    assert.deepEqual([...new Set(anchors)].sort(), codes);
  });
});
