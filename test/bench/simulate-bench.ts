// The simulation part of `npm run bench` (issue 3): 10,000 and 100,000 interrupts over 1,024 CPUs
// and 8 Intel remap units. Times `simulate(model)` alone (the model is built once), and reports the
// heap the result keeps and the growth ratio. Prints figures, asserts nothing.
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { buildModel } from '../../server/src/core/model';
import { simulate } from '../../server/src/core/simulate';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

/**
 * 8 IR units, each covering 32 buses; devices with 64-entry MSI-X tables, one `irq` statement per
 * device. Every 8th device has managed queues with a 4-CPU mask (as nvme's spread), every 4th
 * a one-CPU affinity (irqbalance-style pins), the rest the default affinity (all CPUs).
 */
export function simTopology(irqs: number, cpus = 1024, units = 8): string {
  const out = ['arch x86', 'kernel 6.8', `cpus 0-${cpus - 1}`, 'domain VECTOR : vector'];
  const busesPer = 256 / units;
  for (let u = 0; u < units; u++) {
    const first = u * busesPer;
    out.push(
      `domain IR-${u} : remap { parent VECTOR; vendor intel; scope 0000:${h2(first)}-${h2(first + busesPer - 1)} }`,
    );
  }
  const per = 64;
  for (let d = 0, n = 0; n < irqs; d++) {
    const count = Math.min(per, irqs - n);
    // spread devices over the units' bus ranges: unit = d % units
    const bus = (d % units) * busesPer + (Math.floor(d / units) % busesPer);
    const slot = Math.floor(d / 256) % 32;
    const fn = Math.floor(d / 8192) % 8;
    out.push(`device nic${d} { pci 0000:${h2(bus)}:${h2(slot)}.${fn}; msix ${per} }`);
    const props =
      d % 8 === 0
        ? ` { managed; affinity ${(d / 2) % cpus}-${((d / 2) % cpus) + 3} }`
        : d % 4 === 0
          ? ` { affinity ${d % cpus} }`
          : '';
    out.push(`irq nic${d}.q[0..${count - 1}] : msix${props}`);
    n += count;
  }
  return out.join('\n') + '\n';
}

function h2(n: number): string {
  return n.toString(16).padStart(2, '0');
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

export function benchSimulate(): Promise<string[]> {
  const lines = [
    '## Simulation: interrupts over 1,024 CPUs and 8 remap units (simulate() only, median of 5 runs; heap = JS heap + typed arrays)',
    '| interrupts | ms | allocated | failed | heap at the end of simulate (MB above baseline) | heap kept by the result (MB) | RSS growth (MB) |',
    '|---|---|---|---|---|---|---|',
  ];
  const times: number[] = [];
  const kept: unknown[] = [];
  for (const n of [10_000, 100_000, 200_000]) {
    const model = buildModel('/bench/sim.irqtopo', simTopology(n));
    simulate(model); // warm-up
    const ts: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t0 = process.hrtime.bigint();
      simulate(model);
      ts.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    const t = median(ts);
    times.push(t);
    gc();
    gc();
    const mem = () => process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
    const heap0 = mem();
    const rss0 = process.memoryUsage().rss;
    const sim = simulate(model);
    const peak = mem();
    const rss1 = process.memoryUsage().rss;
    gc();
    const heap1 = mem();
    let failed = 0;
    for (let k = 0; k < model.irqCount; k++) if (sim.placement.failure[k]) failed++;
    kept.push(sim); // keep the result alive through the measurement
    lines.push(
      `| ${n.toLocaleString('en')} | ${t.toFixed(1)} | ${model.irqCount - failed} | ${failed} | ${((peak - heap0) / 1e6).toFixed(1)} | ${((heap1 - heap0) / 1e6).toFixed(1)} | ${((rss1 - rss0) / 1e6).toFixed(1)} |`,
    );
  }
  lines.push(
    '',
    `growth 10k -> 100k: x${(times[1] / times[0]).toFixed(1)} for x10 interrupts, 100k -> 200k: x${(times[2] / times[1]).toFixed(1)} for x2 (linear = 10 and 2). Target: 100,000 under 50 ms, linear.`,
  );
  return Promise.resolve(lines);
}
