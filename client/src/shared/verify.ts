// "irqtopo: Verify Against Observations": the page that shows the server's `irqtopo/verify` report (the
// fidelity meter of issue 12). Pure: the host renders the page from the payload once per run; every
// value goes in escaped, the page runs one nonce'd script that only posts the index of the difference
// the user chose (validated by validateVerifyMessage in ./messages.ts), and the host looks up that
// difference in its own copy of the payload.
//
// The differences are grouped by cause: the core words a cause per difference, and most differences
// share one but for the values they name ("Observed 0x5e, simulated 0x10"); a group shows its cause
// once, with the numbers that differ between its members written as "…".
import type { VerifyColumn, VerifyPayload } from './types';

/** The columns in the order the report lists them, with their names for people. */
export const COLUMNS: readonly [VerifyColumn, string][] = [
  ['cpu', 'CPU'],
  ['managed_cpu', 'CPU, managed'],
  ['nonmanaged_cpu', 'CPU, non-managed'],
  ['vector', 'vector'],
  ['irte', 'IRTE'],
  ['lpi', 'LPI'],
  ['message', 'message'],
];

export function columnName(c: VerifyColumn): string {
  return COLUMNS.find(([k]) => k === c)?.[1] ?? c;
}

/** An observed or simulated value as `irqtopo verify` prints it: vectors and IRTEs in hex. */
export function valueText(v: number | string | null, c: VerifyColumn): string {
  if (v === null) return 'not placed';
  if (typeof v === 'number' && (c === 'vector' || c === 'irte')) return `0x${v.toString(16)}`;
  return String(v);
}

export interface AgreementRow {
  column: VerifyColumn;
  name: string;
  agreed: number;
  compared: number;
  /** agreed / compared, 0..1 */
  share: number;
}

/** The agreement per column, in COLUMNS order (columns with nothing compared left out). */
export function agreementRows(p: VerifyPayload): AgreementRow[] {
  const out: AgreementRow[] = [];
  for (const [column, name] of COLUMNS) {
    const c = p.columns[column];
    if (!c || c.compared === 0) continue;
    out.push({ column, name, agreed: c.agreed, compared: c.compared, share: c.agreed / c.compared });
  }
  return out;
}

export interface CauseGroup {
  /** the cause, with the numbers that differ between the members written as … */
  cause: string;
  /** the columns of its differences, in COLUMNS order */
  columns: VerifyColumn[];
  /** indexes into payload.differences, in report order */
  items: number[];
}

const NUMBER = /0x[0-9a-f]+|\d+/gi;

/** The differences grouped by cause (biggest group first, then in report order). */
export function causeGroups(p: VerifyPayload): CauseGroup[] {
  const byKey = new Map<string, { texts: string[]; items: number[]; columns: Set<VerifyColumn> }>();
  p.differences.forEach((d, i) => {
    // one group per kind of cause (the server's category); its texts differ in their numbers only
    const key = `${d.causeKind}:${d.cause.replace(NUMBER, '#')}`;
    let g = byKey.get(key);
    if (!g) byKey.set(key, (g = { texts: [], items: [], columns: new Set() }));
    g.texts.push(d.cause);
    g.items.push(i);
    g.columns.add(d.column);
  });
  const groups = [...byKey.values()].map((g) => ({
    cause: commonText(g.texts),
    columns: COLUMNS.map(([c]) => c).filter((c) => g.columns.has(c)),
    items: g.items,
  }));
  // a stable sort: equal sizes keep the order of their first difference
  return groups.sort((a, b) => b.items.length - a.items.length || a.items[0] - b.items[0]);
}

/** Texts that differ only in their numbers: the numbers all share kept, the others written as …. */
export function commonText(texts: readonly string[]): string {
  if (texts.length === 0) return '';
  const first = texts[0];
  const numbers = texts.map((t) => t.match(NUMBER) ?? []);
  let n = 0;
  return first.replace(NUMBER, (m) => {
    const i = n++;
    return numbers.every((ns) => ns[i] === m) ? m : '…';
  });
}

/** Text for the page's content and its double-quoted attributes. */
function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** `code` spans for backquoted words of a cause (escaped first: no markup from the text). */
function causeHtml(s: string): string {
  return esc(s).replace(/`([^`]+)`/g, '<code>$1</code>');
}

const pct = (x: number) => `${(x * 100).toFixed(1)} %`;

/** At most this many rows in the page (the CLI prints them all). */
export const MAX_ROWS = 2000;

export interface VerifyPageOptions {
  cspSource: string;
  nonce: string;
  /** the file's name */
  title: string;
  /** when the report was made, for people (e.g. 14:02:11) */
  when: string;
}

export const VERIFY_CSS = `
:root { color-scheme: light dark; }
body { color: var(--vscode-foreground); background: var(--vscode-editor-background); font-family: var(--vscode-font-family);
  font-size: var(--vscode-font-size, 13px); margin: 0; padding: 0 20px 24px; line-height: 1.45; }
header { position: sticky; top: 0; z-index: 2; background: var(--vscode-editor-background); padding: 12px 0 8px;
  border-bottom: 1px solid var(--vscode-panel-border); display: flex; align-items: baseline; gap: 12px; flex-wrap: wrap; }
h1 { font-size: 1.35em; font-weight: 600; margin: 0; }
h2 { font-size: 11px; text-transform: uppercase; letter-spacing: 0.05em; color: var(--vscode-descriptionForeground); margin: 20px 0 8px; }
.muted { color: var(--vscode-descriptionForeground); }
button { color: var(--vscode-button-secondaryForeground); background: var(--vscode-button-secondaryBackground); border: 1px solid var(--vscode-button-border, transparent);
  border-radius: 2px; padding: 3px 10px; cursor: pointer; font: inherit; }
button:hover { background: var(--vscode-button-secondaryHoverBackground); }
#stale { display: none; margin: 8px 0 0; padding: 4px 8px; color: var(--vscode-editorWarning-foreground);
  background: var(--vscode-inputValidation-warningBackground); border: 1px solid var(--vscode-inputValidation-warningBorder); }
#stale.shown { display: block; }
table { border-collapse: collapse; }
th { text-align: left; font-weight: 600; color: var(--vscode-descriptionForeground); padding: 2px 12px 4px 0; border-bottom: 1px solid var(--vscode-panel-border); }
td { padding: 3px 12px 3px 0; vertical-align: baseline; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.meter { display: inline-block; width: 160px; height: 8px; background: var(--vscode-editorWidget-border, var(--vscode-panel-border)); border-radius: 4px; overflow: hidden; vertical-align: middle; opacity: 0.9; }
.meter span { display: block; height: 100%; background: var(--vscode-charts-green); }
.meter.mid span { background: var(--vscode-charts-yellow); }
.meter.low span { background: var(--vscode-charts-red); }
details { margin: 0 0 14px; border: 1px solid var(--vscode-panel-border); border-radius: 4px; padding: 0 12px 8px; }
summary { cursor: pointer; padding: 8px 0 4px; font-weight: 600; }
summary .count { display: inline-block; min-width: 2.4em; padding: 0 6px; margin-right: 8px; border-radius: 9px; text-align: center;
  color: var(--vscode-badge-foreground); background: var(--vscode-badge-background); font-weight: 600; }
p.cause { margin: 4px 0 8px; max-width: 110ch; }
code { font-family: var(--vscode-editor-font-family); font-size: 0.95em; background: var(--vscode-textCodeBlock-background); padding: 0 3px; border-radius: 2px; }
table.diffs td { font-family: var(--vscode-editor-font-family); font-size: 12px; }
table.diffs tr.diff { cursor: pointer; }
table.diffs tr.diff:hover, table.diffs tr.diff:focus { background: var(--vscode-list-hoverBackground); outline: none; }
table.diffs tr.diff:focus td:first-child { box-shadow: inset 2px 0 var(--vscode-focusBorder); }
table.diffs .irq { color: var(--vscode-textLink-foreground); font-weight: 600; padding-left: 6px; }
.obs { color: var(--vscode-charts-blue); }
.sim { color: var(--vscode-charts-orange); }
`;

/** The script of the page: posts the chosen difference's index, or asks for a new run. */
const SCRIPT = `
const vscode = acquireVsCodeApi();
const reveal = (row) => vscode.postMessage({ type: 'reveal', index: Number(row.dataset.i) });
document.addEventListener('click', (e) => {
  const row = e.target.closest('tr.diff');
  if (row) reveal(row);
  if (e.target.closest('#rerun')) vscode.postMessage({ type: 'rerun' });
});
document.addEventListener('keydown', (e) => {
  const row = e.target.closest && e.target.closest('tr.diff');
  if (row && (e.key === 'Enter' || e.key === ' ')) { e.preventDefault(); reveal(row); }
});
window.addEventListener('message', (e) => {
  if (e.data && e.data.type === 'stale') document.getElementById('stale').classList.add('shown');
});
`;

export function verifyContentSecurityPolicy(o: Pick<VerifyPageOptions, 'cspSource' | 'nonce'>): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${o.nonce}'`,
    `style-src 'nonce-${o.nonce}'`,
    `font-src ${o.cspSource}`,
  ].join('; ');
}

/** The whole page of one report. */
export function verifyHtml(p: VerifyPayload, o: VerifyPageOptions): string {
  const body: string[] = [];
  body.push(
    `<header><h1>Verify: ${esc(o.title)}</h1><span class="muted">observed values against the kernel's allocation order · ${esc(o.when)}</span>` +
      `<button id="rerun" title="Verify the file as it is now">Run again</button></header>`,
  );
  body.push(
    '<div id="stale" role="status">The file changed since this report: Run again to verify it as it is now.</div>',
  );
  if (p.unavailable) {
    body.push(`<p>Nothing was compared: ${esc(p.unavailable)}.</p>`);
    return page(body, o);
  }
  if (p.compared === 0) {
    body.push(
      '<p>Nothing to compare: no interrupt of this topology has an observed value (a pinned <code>cpu</code>, <code>vector</code>, <code>irte</code> or <code>lpi</code>). ' +
        'An import pins what the machine showed: <b>irqtopo: Import from This Machine</b> or <b>Import from Files…</b>, then verify the topology it writes.</p>',
    );
    return page(body, o);
  }
  body.push(
    `<p>${p.compared} interrupt${p.compared === 1 ? '' : 's'} with observed values (pins). Each pin was removed and the topology simulated again in the file's order, ` +
      'as the kernel would have allocated it; a column agrees where that simulation gives the <span class="obs">observed</span> value, and each difference lists the <span class="sim">simulated</span> one with its likely cause.</p>',
  );
  body.push('<h2>Agreement</h2>');
  body.push(
    '<table class="agree"><thead><tr><th>column</th><th class="num">agree</th><th class="num">of</th><th class="num">share</th><th></th></tr></thead><tbody>',
  );
  for (const r of agreementRows(p)) {
    const level = r.share >= 0.9 ? '' : r.share >= 0.5 ? ' mid' : ' low';
    body.push(
      `<tr><td>${esc(r.name)}</td><td class="num">${r.agreed}</td><td class="num">${r.compared}</td><td class="num">${pct(r.share)}</td>` +
        `<td><span class="meter${level}" role="img" aria-label="${esc(pct(r.share))}"><span data-w="${Math.round(r.share * 1000) / 10}"></span></span></td></tr>`,
    );
  }
  body.push('</tbody></table>');
  const groups = causeGroups(p);
  body.push(
    `<h2>Differences: ${p.differences.length}, by cause (${groups.length}) — click one to see its irq line</h2>`,
  );
  if (p.differences.length === 0) body.push('<p>None: the simulation reproduces every observed value.</p>');
  let rows = 0;
  for (const g of groups) {
    if (rows >= MAX_ROWS) break;
    body.push(
      `<details open><summary><span class="count">${g.items.length}</span>${esc(g.columns.map(columnName).join(', '))}</summary>`,
    );
    body.push(`<p class="cause">${causeHtml(g.cause)}</p>`);
    body.push(
      '<table class="diffs"><thead><tr><th>interrupt</th><th>column</th><th>observed</th><th>simulated</th></tr></thead><tbody>',
    );
    for (const i of g.items) {
      if (rows++ >= MAX_ROWS) break;
      const d = p.differences[i];
      const where = d.range ? ` (line ${d.range.start.line + 1})` : '';
      body.push(
        `<tr class="diff" data-i="${i}" tabindex="0" title="Show ${esc(d.irq)}${esc(where)}"><td class="irq">${esc(d.irq)}</td><td>${esc(columnName(d.column))}</td>` +
          `<td class="obs">${esc(valueText(d.observed, d.column))}</td><td class="sim">${esc(valueText(d.simulated, d.column))}</td></tr>`,
      );
    }
    body.push('</tbody></table></details>');
  }
  if (p.differences.length > MAX_ROWS)
    body.push(
      `<p class="muted">The first ${MAX_ROWS} of ${p.differences.length} differences; <code>irqtopo verify FILE</code> prints them all.</p>`,
    );
  return page(body, o);
}

function page(body: string[], o: VerifyPageOptions): string {
  // the meters' widths: a nonce'd style element (no inline style attributes under the CSP)
  const widths = [...new Set(body.join('').match(/data-w="[0-9.]+"/g) ?? [])]
    .map((m) => m.slice('data-w="'.length, -1))
    .map((w) => `.meter span[data-w="${w}"] { width: ${w}%; }`)
    .join('\n');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${esc(verifyContentSecurityPolicy(o))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<style nonce="${esc(o.nonce)}">${VERIFY_CSS}${widths}</style>
<title>Verify ${esc(o.title)}</title>
</head>
<body>
${body.join('\n')}
<script nonce="${esc(o.nonce)}">${SCRIPT}</script>
</body>
</html>`;
}
