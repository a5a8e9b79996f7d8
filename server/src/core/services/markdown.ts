// Text from a topology put into hover Markdown: names (a quoted name may hold any character), kind
// words, and messages that quote them. Each must read as written: never a link, a remote image, an
// autolink, HTML, a heading or a table, whatever the file says.

/**
 * ASCII punctuation that opens a Markdown or HTML construct, escaped with a backslash (CommonMark:
 * any ASCII punctuation may be). Not `. / + -`, which start nothing inside a line, so that bare
 * names (`IR-0`, `PCI/MSI-0`) stay as written; not `[`, `]`, `(` and `)` either (see LINK).
 */
const SPECIAL = /[\\`*_<>!&|~#{}@$]/g;
/**
 * A `]` that a link, an image or a link definition needs next to it: `](`, `][` or `]:`. Escaping
 * it is enough (there is no link without it), and interrupt names (`nvme0.io[0]`) stay as written.
 */
const LINK = /\](?=[([:])/g;
/** Bare URLs (GFM autolinks) and `www.` names: their `:` or `.` escaped, so they stay text. */
const AUTOLINK = /([a-z][a-z0-9+.-]*):(?=\/\/)|\b(www)\.(?=\S)/gi;
/** In messages the backticks of their code words stay (a name in one may pair with them: then it shows in code, still no link). */
const SPECIAL_IN_MESSAGE = /[\\*_<>!&|~#{}@$]/g;

function escape(s: string, special: RegExp): string {
  return visible(s)
    .replace(special, (c) => `\\${c}`)
    .replace(LINK, '\\]')
    .replace(AUTOLINK, (_, scheme: string | undefined, www: string | undefined) =>
      scheme !== undefined ? `${scheme}\\:` : `${www}\\.`,
    );
}

/** C0 controls and DEL as their visible Control Pictures (U+2400..U+2421); other invisible controls as U+FFFD. */
function visible(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => {
    const n = c.charCodeAt(0);
    return n < 0x20 ? String.fromCharCode(0x2400 + n) : n === 0x7f ? '\u2421' : '\ufffd';
  });
}

/** A name (or other text of the file) as Markdown text that shows exactly it. */
export function md(s: string): string {
  return escape(s, SPECIAL);
}

/** A message (which quotes names) as Markdown: its `code` words kept, no link, image or HTML. */
export function mdMessage(s: string): string {
  return escape(s, SPECIAL_IN_MESSAGE);
}

/** Text as a Markdown code span: a fence longer than any run of backticks in it (CommonMark 6.1). */
export function mdCode(s: string): string {
  const text = visible(s);
  let longest = 0;
  for (const run of text.match(/`+/g) ?? []) longest = Math.max(longest, run.length);
  const fence = '`'.repeat(longest + 1);
  // a span that starts or ends with a backtick (or a space) is padded with one space each side
  const pad = /^[` ]|[` ]$/.test(text) ? ' ' : '';
  return `${fence}${pad}${text}${pad}${fence}`;
}
