// Generates realistic topologies of a given size for the benchmarks: an x86 server with 8 remap
// units, each covering a bus range, and PCI devices with multi-queue MSI-X interrupts.

export interface GenOptions {
  /** approximate number of lines */
  lines: number;
  cpus?: number;
  units?: number;
  /** interrupts per device */
  perDevice?: number;
  /** declare each interrupt on its own line (true) or as ranges (false) */
  single?: boolean;
  /** stop after this many devices (with `lines: Infinity`) */
  devices?: number;
}

export function generateTopology(o: GenOptions): { text: string; irqs: number } {
  const cpus = o.cpus ?? 1024;
  const units = o.units ?? 8;
  const per = o.perDevice ?? 16;
  const out: string[] = [
    '# generated benchmark topology',
    'arch x86',
    'kernel 6.8',
    `cpus 0-${cpus - 1}`,
    'domain VECTOR : vector',
    'domain DMAR-MSI : dmar-msi { parent VECTOR }',
  ];
  const busesPer = Math.floor(256 / units);
  for (let u = 0; u < units; u++) {
    const first = u * busesPer;
    const last = u === units - 1 ? 255 : first + busesPer - 1;
    out.push(
      `domain IR-${u} : remap {`,
      '  parent VECTOR',
      '  vendor intel',
      `  scope 0000:${hex2(first)}-${hex2(last)}`,
      '}',
    );
  }
  let irqs = 0;
  let dev = 0;
  while (out.length < o.lines && (o.devices === undefined || dev < o.devices)) {
    const bus = dev % 256;
    const slot = Math.floor(dev / 256) % 32;
    const seg = Math.floor(dev / (256 * 32));
    const name = `nic${dev}`;
    out.push(`device ${name} {`, `  pci ${hex4(seg)}:${hex2(bus)}:${hex2(slot)}.0`, `  msix ${per}`, '}');
    if (o.single ?? true) {
      for (let q = 0; q < per && out.length < o.lines; q++) {
        out.push(`irq ${name}.q[${q}] : msix ${q} { affinity ${(dev + q) % cpus} }`);
        irqs++;
      }
    } else {
      out.push(`irq ${name}.q[0..${per - 1}] : msix { managed }`);
      irqs += per;
    }
    dev++;
  }
  return { text: out.join('\n') + '\n', irqs };
}

/**
 * The same content as JSON, cut to the same byte size, for the JSON.parse baseline: one object per
 * line with its words, as a JSON description of the topology would be.
 */
export function generateJsonLike(text: string): string {
  const target = Buffer.byteLength(text);
  const parts: string[] = [];
  let size = 2;
  for (const [i, line] of text.split('\n').entries()) {
    const item = JSON.stringify({ line: i, words: line.trim().split(/\s+/) });
    if (size + item.length + 1 > target) break;
    parts.push(item);
    size += item.length + 1;
  }
  return '[' + parts.join(',') + ']';
}

function hex2(n: number): string {
  return n.toString(16).padStart(2, '0');
}
function hex4(n: number): string {
  return n.toString(16).padStart(4, '0');
}
