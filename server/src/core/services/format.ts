// The formatter: one canonical layout, idempotent, comments kept.
//   - one statement per line, at column 0; `;`-joined statements are split onto their own lines;
//   - values: a space between atoms, `, ` between comma groups, ranges and bus ranges written tight;
//     but a comma between two numbers or ranges (CPU and vector lists) is tight: `0-3,8-11`, as LANGUAGE.md writes it;
//   - a block stays on one line (`{ a; b }`) when it was written on one line and fits in 110
//     columns; otherwise one property per line, indented by two spaces, `}` on its own line;
//   - at most one blank line between statements (none at the start of a block or file);
//   - trailing comments are aligned across consecutive commented lines, two spaces after the
//     longest one; own-line comments keep their place, indented like the next line.
// A file with syntax errors is left alone (its tree does not hold every token).

import type { Atom, Block, IrqRef, Property, Range, Statement } from '../syntax/ast';
import { parse } from '../model';
import type { SyntaxFile } from '../syntax/view';
import { lineStarts, sliceRange, type TextEdit } from './util';

const WIDTH = 110;
const INDENT = '  ';

interface Line {
  indent: number;
  code: string;
  /** the source line whose trailing comment belongs here; -1 for none */
  srcLine: number;
  blankBefore: boolean;
  comment?: string;
}

interface Unit {
  startLine: number;
  endLine: number;
  st?: Statement;
  prop?: Property;
  comment?: string;
}

/** The formatted text, or undefined when the text has syntax errors. */
export function formatText(original: string, parsed: SyntaxFile = parse(original)): string | undefined {
  if (parsed.tree.errors.length > 0) return undefined;
  const file = parsed.ast;
  // the lexer skips a byte-order mark without counting it as a character of line 0
  const bom = original.charCodeAt(0) === 0xfeff ? '\uFEFF' : '';
  const text = bom ? original.slice(1) : original;
  const starts = lineStarts(text);
  const src = (r: Range) => sliceRange(text, starts, r);
  const srcLines = text.split(/\r\n|\r|\n/);

  // comments: trailing (code before it on its line) or own-line
  const trailing = new Map<number, string>();
  const ownLine: { line: number; text: string }[] = [];
  for (const c of file.comments) {
    const l = c.range.start.line;
    const before = (srcLines[l] ?? '').slice(0, c.range.start.character);
    if (before.trim() === '') ownLine.push({ line: l, text: c.text.trimEnd() });
    else trailing.set(l, c.text.trimEnd());
  }

  const atom = (a: Atom): string => {
    switch (a.kind) {
      case 'name':
        return src(a.range);
      case 'punct':
        return a.value;
      default:
        return a.text;
    }
  };
  // a list of numbers and ranges (CPUs, vectors) stays tight, as the language writes it: `0-3,8-11`,
  // `in-use 1,7 : 0x21-0x24,0x30`; other lists take `, ` (`scope 0000:00-7f, ioapic 2`)
  const numeric = (a: Atom | undefined) => a?.kind === 'number' || a?.kind === 'range';
  const groups = (gs: Atom[][]) =>
    gs
      .map((g, i) => {
        const text = g.map(atom).join(' ');
        if (i === 0) return text;
        return (numeric(gs[i - 1][gs[i - 1].length - 1]) && numeric(g[0]) ? ',' : ', ') + text;
      })
      .join('');
  const target = (t: IrqRef) => {
    let s = src(t.device.range);
    if (t.name) s += '.' + src(t.name.range);
    if (t.index) s += src(t.index.range).replace(/\s+/g, '');
    return s;
  };
  const prop = (p: Property) => (p.groups.length ? `${p.name.value} ${groups(p.groups)}` : p.name.value);

  const header = (st: Statement): string => {
    switch (st.type) {
      case 'setting':
        return st.groups.length ? `${st.keyword.value} ${groups(st.groups)}` : st.keyword.value;
      case 'include':
        return `include ${st.path ? src(st.path.range) : ''}`.trimEnd();
      case 'domain':
        return `domain ${src(st.name.range)}${st.kind ? ` : ${src(st.kind.range)}` : ''}`;
      case 'device':
        return `device ${src(st.name.range)}`;
      case 'irq': {
        let s = `irq ${target(st.target)}`;
        if (st.source) s += ` : ${[src(st.source.kind.range), ...st.source.args.map(atom)].join(' ')}`;
        return s;
      }
      case 'expect':
        return [
          `expect ${target(st.target)}`,
          ...st.clauses.map((c) => [c.name.value, ...c.args.map(atom)].join(' ')),
        ].join(' ');
      case 'inject':
        return [
          'inject',
          st.address && atom(st.address),
          st.data && atom(st.data),
          st.from && `from ${src(st.from.range)}`,
        ]
          .filter(Boolean)
          .join(' ');
      case 'node':
        return `node ${st.id ? atom(st.id) : ''} cpus ${groups(st.groups)}`;
      case 'release':
        return `release ${st.device ? src(st.device.range) : ''}`.trimEnd();
    }
  };

  const out: Line[] = [];
  const blockOf = (st: Statement): Block | undefined =>
    st.type === 'domain' || st.type === 'device' || st.type === 'irq' ? st.block : undefined;

  // own-line comments inside a block belong to it
  const blockComments = new Map<Statement, Unit[]>();
  const topUnits: Unit[] = file.statements.map((st) => ({
    startLine: st.range.start.line,
    endLine: st.range.end.line,
    st,
  }));
  {
    let si = 0;
    for (const c of ownLine) {
      while (si < file.statements.length && file.statements[si].range.end.line < c.line) si++;
      const st = file.statements[si];
      const b = st && blockOf(st);
      const unit: Unit = { startLine: c.line, endLine: c.line, comment: c.text };
      if (st && b && b.range.start.line < c.line && c.line < b.range.end.line) {
        const list = blockComments.get(st) ?? [];
        list.push(unit);
        blockComments.set(st, list);
      } else topUnits.push(unit);
    }
  }
  topUnits.sort((a, b) => a.startLine - b.startLine || (a.comment !== undefined ? -1 : 1));

  let prevEnd = -1;
  for (const u of topUnits) {
    const blank = prevEnd >= 0 && u.startLine - prevEnd > 1;
    prevEnd = Math.max(prevEnd, u.endLine);
    if (u.comment !== undefined) {
      out.push({ indent: 0, code: u.comment, srcLine: -1, blankBefore: blank });
      continue;
    }
    const st = u.st!;
    const h = header(st);
    const b = blockOf(st);
    if (!b) {
      out.push({ indent: 0, code: h, srcLine: st.range.end.line, blankBefore: blank });
      continue;
    }
    const inner = blockComments.get(st) ?? [];
    const props = b.properties.map(prop);
    const inline = props.length ? `${h} { ${props.join('; ')} }` : `${h} {}`;
    if (b.range.start.line === b.range.end.line && inner.length === 0 && inline.length <= WIDTH) {
      out.push({ indent: 0, code: inline, srcLine: st.range.end.line, blankBefore: blank });
      continue;
    }
    out.push({ indent: 0, code: `${h} {`, srcLine: b.range.start.line, blankBefore: blank });
    const units: Unit[] = [
      ...b.properties.map((p): Unit => ({
        startLine: p.range.start.line,
        endLine: p.range.end.line,
        prop: p,
      })),
      ...inner,
    ].sort((x, y) => x.startLine - y.startLine || (x.comment !== undefined ? -1 : 1));
    let innerPrev = -1;
    for (const iu of units) {
      const iblank = innerPrev >= 0 && iu.startLine - innerPrev > 1;
      innerPrev = Math.max(innerPrev, iu.endLine);
      if (iu.comment !== undefined)
        out.push({ indent: 1, code: iu.comment, srcLine: -1, blankBefore: iblank });
      else
        out.push({ indent: 1, code: prop(iu.prop!), srcLine: iu.prop!.range.end.line, blankBefore: iblank });
    }
    out.push({ indent: 0, code: '}', srcLine: b.range.end.line, blankBefore: false });
  }

  // trailing comments: to the last output line of their source line (or the nearest before it)
  const byLine = new Map<number, number>();
  out.forEach((l, i) => {
    if (l.srcLine >= 0) byLine.set(l.srcLine, i);
  });
  const lost: string[] = [];
  for (const [line, text] of [...trailing].sort((a, b) => a[0] - b[0])) {
    let i = byLine.get(line);
    if (i === undefined) {
      for (let j = out.length - 1; j >= 0; j--)
        if (out[j].srcLine >= 0 && out[j].srcLine < line) {
          i = j;
          break;
        }
    }
    if (i === undefined || out[i].comment !== undefined) lost.push(text);
    else out[i].comment = text;
  }
  for (const t of lost.reverse()) out.unshift({ indent: 0, code: t, srcLine: -1, blankBefore: false });

  // align trailing comments in runs of consecutive commented lines
  const rendered: string[] = [];
  for (let i = 0; i < out.length;) {
    if (out[i].comment === undefined) {
      rendered.push(render(out[i]));
      i++;
      continue;
    }
    let j = i;
    while (j + 1 < out.length && out[j + 1].comment !== undefined && !out[j + 1].blankBefore) j++;
    // (a loop, not Math.max(...): a run may be 100,000 lines, beyond the arguments a call takes)
    let col = 0;
    for (let k = i; k <= j; k++) col = Math.max(col, out[k].indent * INDENT.length + out[k].code.length);
    col += 2;
    for (let k = i; k <= j; k++) {
      const l = out[k];
      const code = INDENT.repeat(l.indent) + l.code;
      rendered.push((l.blankBefore ? '\n' : '') + code + ' '.repeat(col - code.length) + l.comment);
    }
    i = j + 1;
  }
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const body = rendered.join('\n').split('\n').join(eol);
  return body.length ? bom + body + eol : bom;
}

function render(l: Line): string {
  return (l.blankBefore ? '\n' : '') + INDENT.repeat(l.indent) + l.code;
}

/** The edits that format a document: none when it is formatted already or cannot be parsed. */
export function formatEdits(text: string, file?: SyntaxFile): TextEdit[] {
  const formatted = formatText(text, file);
  if (formatted === undefined || formatted === text) return [];
  const starts = lineStarts(text);
  const lastLine = starts.length - 1;
  return [
    {
      range: {
        start: { line: 0, character: 0 },
        end: { line: lastLine, character: text.length - starts[lastLine] },
      },
      newText: formatted,
    },
  ];
}
