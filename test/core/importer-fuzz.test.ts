// Fuzzed and truncated dumps never crash the importer, and whatever it writes still parses.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { parse } from '../../server/src/core';
import { importDumps, type ImportResult } from '../../server/src/core/importer';
import { DUMP_JUNK } from '../fuzz/generators';
import { fixture } from './helpers';

const DUMPS = fixture('dumps');
const FILES = fs.readdirSync(DUMPS).filter((f) => f.endsWith('.txt'));
const TEXT = new Map(FILES.map((f) => [f, fs.readFileSync(path.join(DUMPS, f), 'utf8')]));
// the 4,700-line irqs dump is cut to its first 600 lines so each run stays quick
const SMALL = FILES.map((f) => {
  const t = TEXT.get(f)!;
  const lines = t.split('\n');
  return lines.length > 600 ? lines.slice(0, 600).join('\n') : t;
});

const STATEMENT =
  /^(?:arch \S+|kernel \d+\.\d+|cpus [\d,-]+|apic-ids [\d,-]+|possible-cpus [\d,-]+|node \d+ cpus [\d,-]+|smt \d+(?: adjacent)?|apic (?:flat|physflat|x2apic-cluster|x2apic-phys)|domain .+|device .+|irq .+|\}| {2}\S.*)(?: {2}#.*)?$/;

/** The v2 text (which the current parser does not read yet): every line a comment or a known statement, braces balanced. */
function v2Shape(text: string): void {
  let depth = 0;
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    assert.match(line, STATEMENT, `not a statement: ${line}`);
    if (line.endsWith('{')) depth++;
    if (line === '}') depth--;
    assert.ok(depth === 0 || depth === 1, `braces: ${line}`);
  }
  assert.equal(depth, 0);
}

/** The importer's contract on any input: no throw, a string result, and text that parses cleanly. */
function holds(inputs: { name: string; text: string }[]): ImportResult {
  // v1 output, which the current parser reads (the lead flips this when the v2 parser lands)
  const r = importDumps(inputs, { v2: true });
  assert.equal(typeof r.text, 'string');
  const errors = parse(r.text, 'fuzz').errors;
  assert.deepEqual(errors, [], `syntax errors in the output:\n${r.text}`);
  for (const p of r.problems) {
    assert.ok(['error', 'warning', 'information'].includes(p.severity));
    assert.ok(Number.isInteger(p.line) && p.line >= 0);
    assert.ok(Number.isInteger(p.column) && p.column >= 1);
  }
  assert.equal(r.internalError, undefined);
  const v2 = importDumps(inputs);
  assert.equal(v2.internalError, undefined);
  v2Shape(v2.text);
  return r;
}

const BUNDLE = TEXT.get('local-vm-2cpu_capture-bundle.txt')!;
const SECTIONS = BUNDLE.split(/(?=^==> )/m);
const hostileValue = fc.constantFrom(
  '-1',
  '400000000',
  '0-8191,0-8191',
  '99999999999999999999',
  '0x',
  '',
  'msix',
  'msi',
  '!! unreadable: permission denied',
  '0-1,',
  '3-1',
  '1e22',
  'IO-APIC',
  'ttyS0,eth0',
);

const junkLine = fc.oneof(
  fc.string({ maxLength: 80 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(...DUMP_JUNK),
);

describe('importer: fuzzed and truncated dumps', () => {
  it('survives arbitrary text', () => {
    fc.assert(
      fc.property(fc.array(junkLine, { maxLength: 30 }), (lines) => {
        holds([{ name: 'junk', text: lines.join('\n') }]);
      }),
      { numRuns: 1000 },
    );
  });

  it('survives every dump truncated at any point', () => {
    fc.assert(
      fc.property(
        fc.nat({ max: SMALL.length - 1 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (i, frac) => {
          const t = SMALL[i];
          holds([{ name: FILES[i], text: t.slice(0, Math.floor(t.length * frac)) }]);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('survives dumps with lines deleted, duplicated, replaced, or split', () => {
    fc.assert(
      fc.property(
        fc.nat({ max: SMALL.length - 1 }),
        fc.array(
          fc.tuple(
            fc.nat(),
            fc.constantFrom('delete', 'dup', 'replace', 'split', 'swap'),
            junkLine,
            fc.nat(),
          ),
          {
            maxLength: 12,
          },
        ),
        (i, edits) => {
          const lines = SMALL[i].split('\n');
          for (const [at, op, junk, n] of edits) {
            if (lines.length === 0) break;
            const k = at % lines.length;
            if (op === 'delete') lines.splice(k, 1);
            else if (op === 'dup') lines.splice(k, 0, lines[k]);
            else if (op === 'replace') lines[k] = junk;
            else if (op === 'split') {
              const cut = n % (lines[k].length + 1);
              lines.splice(k, 1, lines[k].slice(0, cut), lines[k].slice(cut));
            } else {
              const j = n % lines.length;
              [lines[k], lines[j]] = [lines[j], lines[k]];
            }
          }
          holds([{ name: FILES[i], text: lines.join('\n') }]);
        },
      ),
      { numRuns: 250 },
    );
  });

  it('survives any combination of dumps given together', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.nat({ max: SMALL.length - 1 }), { minLength: 1, maxLength: 4 }), (is) => {
        const r = holds(is.map((i) => ({ name: FILES[i], text: SMALL[i] })));
        assert.ok(r.topology, 'known dumps import');
      }),
      { numRuns: 40 },
    );
  });

  it('survives capture bundles with sections dropped, repeated, renamed or given hostile values', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(fc.nat(), fc.constantFrom('drop', 'dup', 'value', 'path', 'swap'), hostileValue, fc.nat()),
          { maxLength: 10 },
        ),
        (edits) => {
          const secs = [...SECTIONS];
          for (const [at, op, value, n] of edits) {
            if (secs.length === 0) break;
            const k = at % secs.length;
            const [head, ...body] = secs[k].split('\n');
            if (op === 'drop') secs.splice(k, 1);
            else if (op === 'dup') secs.splice(k, 0, secs[k]);
            else if (op === 'value') secs[k] = [head, value, ...body.slice(1)].join('\n');
            else if (op === 'path') secs[k] = [secs[n % secs.length].split('\n')[0], ...body].join('\n');
            else {
              const j = n % secs.length;
              [secs[k], secs[j]] = [secs[j], secs[k]];
            }
          }
          holds([{ name: 'bundle', text: secs.join('') }]);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('writes every synthesized /proc/interrupts row as an irq or a kept comment', () => {
    const chip = fc.constantFrom(
      'IO-APIC',
      'IR-IO-APIC',
      'PCI-MSI',
      'IR-PCI-MSI',
      'DMAR-MSI',
      'PCI-MSIX-0000:00:02.0',
      'IR-PCI-MSIX-0000:3a:00.1',
      'IR-PCI-MSI-0000:00:1f.3',
      'XT-PIC',
      'HPET-MSI',
    );
    const action = fc.oneof(
      fc.constantFrom('nvme0q1', 'virtio1-req.0', 'i915', 'a b', 'x"y', '#', '\\', 'ünï'),
      fc.string({ maxLength: 12 }),
    );
    const row = fc.tuple(
      chip,
      fc.nat({ max: 4000 }),
      fc.constantFrom('edge', 'fasteoi'),
      fc.array(action, { maxLength: 2 }),
    );
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.nat({ max: 500 }), { minLength: 1, maxLength: 12 }),
        fc.array(row, { minLength: 12, maxLength: 12 }),
        (irqs, rows) => {
          const lines = ['           CPU0       CPU1'];
          irqs.forEach((n, k) => {
            const [c, hw, flow, acts] = rows[k];
            const clean = acts.map((a) => a.replace(/[\r\n,]/g, ' ').trim()).filter((a) => a !== '');
            lines.push(
              `${String(n).padStart(4)}:          1          2 ${c.padStart(8)} ${hw}-${flow}      ${clean.join(', ')}`,
            );
          });
          const r = holds([{ name: 'synth', text: lines.join('\n') }]);
          const t = r.topology!;
          const notModelled = t.notModelled.filter((s) => /^irq \d+:/.test(s)).length;
          assert.equal(t.irqs.length + notModelled, irqs.length, r.text);
        },
      ),
      { numRuns: 200 },
    );
  });
});
