// The `irqtopo check` command, run in-process with a captured IO, on the bundled examples.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { main } from '../../server/src/cli';
import type { CliIO } from '../../server/src/cli/io';
import { pathToFileURL } from 'node:url';
import { ROOT } from '../core/helpers';

export async function run(
  args: string[],
  files: Record<string, string> = {},
): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  // as nodeIO: each call ends with exactly one newline
  const line = (s: string) => (s.endsWith('\n') ? s : s + '\n');
  const io: CliIO = {
    out: (s) => (out += line(s)),
    err: (s) => (err += line(s)),
    readFile: (p) => {
      if (p in files) return files[p];
      try {
        return fs.readFileSync(p, 'utf8');
      } catch {
        return new Error('no such file');
      }
    },
    cwd: ROOT,
  };
  const code = await main(args, io);
  return { code, out, err };
}

const IMS_BAD = 'examples/ims-under-pci-msi.irqtopo';
const GOOD = 'examples/two-ir-units.irqtopo';

describe('irqtopo check', () => {
  it('reports ims-parent-pci-msi at the IMS parent line, with the PCI/MSI domain related, and exits 1', async () => {
    const r = await run(['check', IMS_BAD, '--format', 'json']);
    assert.equal(r.code, 1);
    const { diagnostics } = JSON.parse(r.out);
    const d = diagnostics.find((x: { code: string }) => x.code === 'ims-parent-pci-msi');
    assert.ok(d, r.out);
    const lines = fs.readFileSync(path.join(ROOT, IMS_BAD), 'utf8').split('\n');
    assert.match(lines[d.range.start.line], /^\s*(domain IMS.*)?parent\s/, 'reported on the parent line');
    assert.equal(
      lines[d.range.start.line].slice(d.range.start.character, d.range.end.character).replace(/"/g, ''),
      d.related[0] ? d.message.match(/PCI\/MSI domain '([^']+)'/)?.[1] : '',
    );
    assert.match(d.related[0].message, /pci-msi domain/);
    assert.equal(d.file, IMS_BAD);
  });

  it('passes the correct two-IR-unit example with no errors or warnings, exit 0', async () => {
    const r = await run(['check', GOOD, '--format', 'json']);
    const { diagnostics } = JSON.parse(r.out);
    assert.deepEqual(
      diagnostics.filter((d: { severity: string }) => d.severity === 'error' || d.severity === 'warning'),
      [],
    );
    assert.equal(r.code, 0);
  });

  it('prints compiler-style text, 1-based, with related notes', async () => {
    const r = await run(['check', IMS_BAD]);
    assert.match(r.out, /^examples\/ims-under-pci-msi\.irqtopo:\d+:\d+: error ims-parent-pci-msi: /m);
    assert.match(r.out, /^ {2}examples\/ims-under-pci-msi\.irqtopo:\d+:\d+: note: /m);
    assert.equal(r.err, '1 file checked: 1 error, 0 warnings, 0 notes, 0 hints\n');
  });

  it('applies --rule overrides: a downgraded error exits 0; off removes it', async () => {
    const warn = await run(['check', IMS_BAD, '--rule', 'ims-parent-pci-msi=warning']);
    assert.equal(warn.code, 0);
    assert.match(warn.out, /warning ims-parent-pci-msi/);
    const off = await run(['check', IMS_BAD, '--rule=ims-parent-pci-msi=off', '--format=json']);
    assert.equal(
      JSON.parse(off.out).diagnostics.filter((d: { code: string }) => d.code === 'ims-parent-pci-msi').length,
      0,
    );
  });

  it('emits SARIF 2.1.0 with rules, levels and 1-based regions', async () => {
    const r = await run(['check', IMS_BAD, '--format', 'sarif']);
    const s = JSON.parse(r.out);
    assert.equal(s.version, '2.1.0');
    const run0 = s.runs[0];
    assert.equal(run0.tool.driver.name, 'irqtopo');
    const res = run0.results.find((x: { ruleId: string }) => x.ruleId === 'ims-parent-pci-msi');
    assert.equal(res.level, 'error');
    assert.equal(run0.tool.driver.rules[res.ruleIndex].id, 'ims-parent-pci-msi');
    assert.ok(res.locations[0].physicalLocation.region.startLine >= 1);
    assert.deepEqual(res.locations[0].physicalLocation.artifactLocation, {
      uri: IMS_BAD,
      uriBaseId: 'SRCROOT',
    });
    assert.equal(run0.originalUriBaseIds.SRCROOT.uri, `${pathToFileURL(ROOT).href}/`);
    assert.match(run0.tool.driver.rules[res.ruleIndex].helpUri, /docs\/rules\.md#ims-parent-pci-msi$/);
  });

  it('exits 2 on usage and I/O errors, with a clear message', async () => {
    assert.equal((await run(['check'])).code, 2);
    assert.equal((await run(['frobnicate'])).code, 2);
    assert.equal((await run(['check', GOOD, '--format', 'xml'])).code, 2);
    assert.equal((await run(['check', GOOD, '--rule', 'nope=error'])).code, 2);
    const missing = await run(['check', 'does/not/exist.irqtopo']);
    assert.equal(missing.code, 2);
    assert.match(missing.err, /cannot read does\/not\/exist\.irqtopo: no such file/);
  });

  it('reports diagnostics of an included file under that file’s path', async () => {
    const files = {
      [path.join(ROOT, 'virt/main.irqtopo')]:
        'include "inc.irqtopo"\narch x86\ncpus 0-1\ndomain VECTOR : vector\n',
      [path.join(ROOT, 'virt/inc.irqtopo')]: 'domain X : remap { parent NOPE }\n',
    };
    const r = await run(['check', 'virt/main.irqtopo'], files);
    assert.equal(r.code, 1);
    assert.match(r.out, /^virt\/inc\.irqtopo:1:27: error unknown-name: no domain is named 'NOPE'/m);
  });

  it('takes --opt VALUE and --opt=VALUE alike, and refuses unknown options', async () => {
    const a = await run(['check', '--format=json', '--rule=ims-parent-pci-msi=warning', IMS_BAD]);
    const b = await run(['check', '--format', 'json', '--rule', 'ims-parent-pci-msi=warning', IMS_BAD]);
    assert.equal(a.code, 0);
    assert.equal(a.out, b.out);
    assert.match(JSON.parse(a.out).diagnostics[0].severity, /^warning$/);
    const bogus = await run(['check', '--bogus', GOOD]);
    assert.equal(bogus.code, 2);
    assert.match(bogus.err, /^irqtopo: unknown option '--bogus'\n/);
    const missing = await run(['check', GOOD, '--format']);
    assert.equal(missing.code, 2);
    assert.match(missing.err, /^irqtopo: option '--format' needs a value\n/);
  });

  it('prints findings sorted by file, then line and column, whatever order the checks found them in', async () => {
    const files = {
      [path.join(ROOT, 'virt/b.irqtopo')]: [
        'arch x86',
        'cpus 0-1',
        'domain VECTOR : vector',
        'domain IR-0 : remap { parent VECTOR; vendor intel }',
        'domain D : dmar-msi { parent IR-0 }',
        'domain U : ioapic { parent IR-0 }',
        'device x { pci 0000:00:01.0; msi 3 }',
        'bogus here',
        '',
      ].join('\n'),
      [path.join(ROOT, 'virt/a.irqtopo')]: 'arch x86\ncpus 0-1\ndomain VECTOR : vector\nbogus\n',
    };
    const r = await run(['check', 'virt/b.irqtopo', 'virt/a.irqtopo'], files);
    const places = r.out
      .split('\n')
      .filter((l) => /^\S+:\d+:\d+: /.test(l))
      .map((l) => l.split(':', 3).join(':'));
    // the checks report b's syntax error (line 8) first and its layering error (line 5) next
    assert.deepEqual(places, [
      'virt/a.irqtopo:4:1',
      'virt/b.irqtopo:5:8',
      'virt/b.irqtopo:5:30',
      'virt/b.irqtopo:6:8',
      'virt/b.irqtopo:7:34',
      'virt/b.irqtopo:8:1',
    ]);
    assert.equal(r.err, '2 files checked: 4 errors, 0 warnings, 0 notes, 2 hints\n');
    // JSON and SARIF list them in the same order
    const j = JSON.parse(
      (await run(['check', 'virt/b.irqtopo', 'virt/a.irqtopo', '--format', 'json'], files)).out,
    );
    assert.deepEqual(
      j.diagnostics.map(
        (d: { file: string; range: { start: { line: number; character: number } } }) =>
          `${d.file}:${d.range.start.line + 1}:${d.range.start.character + 1}`,
      ),
      places,
    );
  });
});
