// `irqtopo check --format sarif` against the official SARIF 2.1.0 JSON schema (OASIS, errata 01),
// vendored in test/fixtures/sarif/ with its terms. The schema is draft-04: ajv-draft-04 reads it, and
// ajv-formats checks its `uri` and `date-time` formats.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import Ajv from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { fixture, ROOT } from '../core/helpers';
import { run } from './check.test';

const schema = JSON.parse(fs.readFileSync(fixture('sarif', 'sarif-schema-2.1.0.json'), 'utf8')) as object;

function validator() {
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  return ajv.compile(schema);
}

describe('irqtopo check --format sarif', () => {
  const validate = validator();

  function valid(text: string) {
    const log = JSON.parse(text) as unknown;
    const ok = validate(log);
    assert.ok(ok, JSON.stringify(validate.errors, null, 2));
    return log as {
      runs: {
        originalUriBaseIds: Record<string, { uri: string }>;
        results: {
          ruleId: string;
          locations: { physicalLocation: { artifactLocation: { uri: string; uriBaseId?: string } } }[];
          relatedLocations: { physicalLocation: { artifactLocation: { uri: string; uriBaseId?: string } } }[];
        }[];
      }[];
    };
  }

  it('the validator rejects what the schema forbids (it is not a no-op)', () => {
    assert.equal(validate({ version: '2.1.0', runs: [{ tool: { driver: {} } }] }), false);
    assert.equal(validate({ version: '2.0.0', runs: [] }), false);
    assert.equal(validate({ version: '2.1.0', runs: [], extra: 1 }), false);
  });

  it('is valid for every example and every check fixture, with related locations', async () => {
    const fires = fs
      .readdirSync(fixture('checks'))
      .map((c) => path.join('test', 'fixtures', 'checks', c, 'fire.irqtopo'))
      .filter((f) => fs.existsSync(path.join(ROOT, f)));
    const examples = fs.readdirSync(path.join(ROOT, 'examples')).map((f) => path.join('examples', f));
    const r = await run(['check', '--format', 'sarif', ...examples, ...fires]);
    const log = valid(r.out);
    const results = log.runs[0].results;
    assert.ok(results.length > 40, `${results.length} results`);
    assert.ok(results.some((x) => x.relatedLocations.length > 0));
  });

  it('is valid with no findings', async () => {
    const log = valid((await run(['check', '--format', 'sarif', 'examples/two-ir-units.irqtopo'])).out);
    assert.deepEqual(log.runs[0].results, []);
  });

  it('gives relative paths a uriBaseId resolved by originalUriBaseIds, and files outside it absolute URIs', async () => {
    const inside = path.join(ROOT, 'virt', 'a b.irqtopo');
    const outside = '/elsewhere/inc.irqtopo';
    const files = {
      [inside]: 'arch x86\ncpus 0-1\ndomain VECTOR : vector\nbogus\n',
      [outside]: 'arch x86\ncpus 0-1\ndomain VECTOR : vector\ndomain X : remap { parent NOPE }\n',
    };
    const log = valid((await run(['check', '--format', 'sarif', 'virt/a b.irqtopo', outside], files)).out);
    const base = log.runs[0].originalUriBaseIds.SRCROOT.uri;
    assert.equal(base, `${pathToFileURL(ROOT).href}/`);
    const locations = log.runs[0].results.flatMap((x) => [
      ...x.locations.map((l) => l.physicalLocation.artifactLocation),
      ...x.relatedLocations.map((l) => l.physicalLocation.artifactLocation),
    ]);
    assert.ok(locations.some((l) => l.uri === 'file:///elsewhere/inc.irqtopo' && l.uriBaseId === undefined));
    assert.ok(locations.some((l) => l.uriBaseId === 'SRCROOT'));
    for (const l of locations.filter((x) => x.uriBaseId !== undefined)) {
      assert.equal(l.uriBaseId, 'SRCROOT');
      assert.equal(new URL(l.uri, base).href, pathToFileURL(inside).href);
      assert.equal(l.uri, 'virt/a%20b.irqtopo');
    }
  });
});
