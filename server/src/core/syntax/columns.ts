// Growable typed-array columns, shared by the syntax tables and the model's tables: a column grows by
// doubling (at least to n) and keeps its rows.

export function grow32(a: Int32Array<ArrayBuffer>, n: number, fill = 0): Int32Array<ArrayBuffer> {
  if (n <= a.length) return a;
  const b = new Int32Array(Math.max(n, a.length * 2));
  b.set(a);
  if (fill !== 0) b.fill(fill, a.length);
  return b;
}

export function grow16(a: Uint16Array<ArrayBuffer>, n: number): Uint16Array<ArrayBuffer> {
  if (n <= a.length) return a;
  const b = new Uint16Array(Math.max(n, a.length * 2));
  b.set(a);
  return b;
}

export function grow8(a: Uint8Array<ArrayBuffer>, n: number): Uint8Array<ArrayBuffer> {
  if (n <= a.length) return a;
  const b = new Uint8Array(Math.max(n, a.length * 2));
  b.set(a);
  return b;
}
