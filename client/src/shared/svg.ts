// The exported SVG as a well-formed XML document. The browser's XMLSerializer writes text and
// attribute values as they are, and a name can hold characters XML 1.0 does not allow at all, not
// even as a character reference (a quoted name with U+0001): the file would not open in an SVG
// viewer or an XML tool. Such characters can only be in text and attribute values (the element and
// attribute names are the page's own), so they are replaced in the serialized markup.

/**
 * The characters XML 1.0 forbids (outside `Char`: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] |
 * [#x10000-#x10FFFF], https://www.w3.org/TR/xml/#charsets): C0 controls but tab, LF and CR, lone
 * surrogates, U+FFFE and U+FFFF.
 */
const NOT_XML =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** Markup with every character XML forbids replaced: C0 controls by their Control Pictures (U+2400 + c), the rest by U+FFFD. */
export function wellFormedXml(markup: string): string {
  return markup.replace(NOT_XML, (c) => {
    const n = c.charCodeAt(0);
    return n < 0x20 ? String.fromCharCode(0x2400 + n) : '\ufffd';
  });
}
