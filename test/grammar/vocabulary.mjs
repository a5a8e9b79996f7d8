// Keeps the TextMate grammar in step with the language core's vocabulary (server/src/core/kinds.ts):
// every architecture, APIC driver, domain kind, property, source and expect clause the checker knows
// must get its scope. Writes a generated vscode-tmgrammar-test case to test-results/ and runs the tool on it.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { transformSync } from 'esbuild';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const src = readFileSync(join(repo, 'server', 'src', 'core', 'kinds.ts'), 'utf8');
const { code } = transformSync(src, { loader: 'ts', format: 'cjs' });
const mod = { exports: {} };
new Function('module', 'exports', code)(mod, mod.exports);
const { ARCHES, KINDS, DEVICE_PROPERTIES, IRQ_PROPERTIES, IRQ_SOURCES, EXPECT_CLAUSES } = mod.exports;
for (const [name, v] of Object.entries({
  ARCHES,
  KINDS,
  DEVICE_PROPERTIES,
  IRQ_PROPERTIES,
  IRQ_SOURCES,
  EXPECT_CLAUSES,
})) {
  if (!v)
    throw new Error(`server/src/core/kinds.ts no longer exports ${name}: update test/grammar/vocabulary.mjs`);
}

// the APIC drivers (server/src/core/model/types.ts imports only types, so it evaluates on its own)
const typesSrc = readFileSync(join(repo, 'server', 'src', 'core', 'model', 'types.ts'), 'utf8');
const typesMod = { exports: {} };
new Function('module', 'exports', transformSync(typesSrc, { loader: 'ts', format: 'cjs' }).code)(
  typesMod,
  typesMod.exports,
);
const { APIC_MODES } = typesMod.exports;
if (!APIC_MODES)
  throw new Error(
    'server/src/core/model/types.ts no longer exports APIC_MODES: update test/grammar/vocabulary.mjs',
  );

const lines = ['# SYNTAX TEST "source.irqtopo" "generated from server/src/core/kinds.ts and model/types.ts"'];
/** `text`, then an assertion that the `word` at its first place after `from` has `scope` */
function expectScope(text, word, scope, from = 0) {
  const at = text.indexOf(word, from);
  if (at < 0) throw new Error(`${word} not in ${text}`);
  lines.push(text);
  // the assertion line starts with the comment token '#', so columns 0 needs '<-' instead of '^'
  if (at === 0) lines.push(`# <${'-'.repeat(word.length)} ${scope}`);
  else lines.push(`#${' '.repeat(at - 1)}${'^'.repeat(word.length)} ${scope}`);
}

for (const a of ARCHES) expectScope(`arch ${a}`, a, 'support.constant.arch.irqtopo', 5);
for (const mode of APIC_MODES) expectScope(`apic ${mode}`, mode, 'support.constant.apic-mode.irqtopo', 5);
for (const [kind, info] of Object.entries(KINDS)) {
  expectScope(`domain D : ${kind}`, kind, 'support.type.domain-kind.irqtopo', 11);
  for (const p of info.properties) {
    expectScope(`domain D : ${kind} { ${p} 1 }`, p, 'support.type.property-name.irqtopo', 13 + kind.length);
  }
}
for (const p of DEVICE_PROPERTIES)
  expectScope(`device d { ${p} 1 }`, p, 'support.type.property-name.irqtopo', 10);
for (const s of IRQ_SOURCES) expectScope(`irq d.q : ${s}`, s, 'support.constant.source.irqtopo', 10);
for (const p of IRQ_PROPERTIES)
  expectScope(`irq d.q : msix { ${p} 1 }`, p, 'support.type.property-name.irqtopo', 17);
for (const c of EXPECT_CLAUSES) {
  expectScope(`expect d.q[0] ${c} 1`, c, `keyword.other.clause.${c}.irqtopo`, 14);
}

const out = join(repo, 'test-results', 'grammar-vocabulary.irqtopo');
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${lines.join('\n')}\n`);
const bin = join(repo, 'node_modules', '.bin', 'vscode-tmgrammar-test');
const r = spawnSync(bin, ['-g', join(repo, 'syntaxes', 'irqtopo.tmLanguage.json'), out], {
  stdio: 'inherit',
});
process.exit(r.status ?? 1);
