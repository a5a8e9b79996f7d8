// `irqtopo routes` and `irqtopo inject`, run in-process with a captured IO.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { ROOT } from '../core/helpers';
import { run } from './check.test';

const ISSUE = 'test/fixtures/sim/issue-example.irqtopo';

describe('irqtopo routes', () => {
  it('prints the JSON shape of issue 3 (nic0.q[1] on CPU 1, vector 32, message 0xfee01000 / 32)', async () => {
    const r = await run(['routes', ISSUE, '--format', 'json']);
    assert.equal(r.code, 0, r.err);
    const j = JSON.parse(r.out);
    assert.deepEqual(Object.keys(j), ['routes', 'cpus', 'domains']);
    assert.deepEqual(j.routes[1], {
      irq: 'nic0.q[1]',
      cpu: 1,
      vector: 32,
      lpi: null,
      irte: null,
      event: null,
      managed: false,
      mask: [0, 1, 2, 3],
      node: null,
      observed: [],
      path: ['PCI-MSIX-0000:03:00.0', 'VECTOR'],
      hops: [
        { domain: 'PCI-MSIX-0000:03:00.0', hwirq: 1 },
        { domain: 'VECTOR', hwirq: 32 },
      ],
      message: { address_hi: 0, address_lo: 4276097024, data: 32 },
    });
    // 201 vectors per CPU (newest rules); CPUs 0 and 1 hold one each
    const cpu = (c: number, used: number) => ({
      cpu: c,
      apic_id: c,
      online: true,
      node: null,
      used,
      available: 201 - used,
      managed: 0,
      managed_allocated: 0,
    });
    assert.deepEqual(j.cpus[0], cpu(0, 1));
    assert.deepEqual(j.cpus[2], cpu(2, 0));
    assert.deepEqual(
      j.domains.find((d: { name: string }) => d.name === 'VECTOR'),
      { name: 'VECTOR', used: 2, size: 804 },
    );
  });

  it('marks observed values with * in the table and lists them in the JSON', async () => {
    // pins.irqtopo: nic0.q[1] is pinned to CPU 0 vector 0x21 (observed); nic0.q[0] is simulated
    const t = await run(['routes', 'test/fixtures/sim/pins.irqtopo']);
    assert.match(t.out, /^nic0\.q\[1\]\s+0\*\s+0x21\*\s/m);
    assert.match(t.out, /^nic0\.q\[0\]\s+0\s+0x23\s/m);
    assert.match(t.out, /^\* observed: a pin read from the machine/m);
    const j = JSON.parse((await run(['routes', 'test/fixtures/sim/pins.irqtopo', '--format=json'])).out);
    assert.deepEqual(
      j.routes.map((r: { irq: string; observed: string[] }) => [r.irq, r.observed]),
      [
        ['nic0.q[0]', []],
        ['nic0.q[1]', ['cpu', 'vector']],
        ['a.intx', []],
        ['b.intx', []],
      ],
    );
  });

  it('shows the placement after the last offline, and with --before-offline the boot placement', async () => {
    // test/fixtures/checks/irq-shutdown/fire.irqtopo derives both by hand (docs/kernel-placement.md 3.3)
    const file = 'test/fixtures/checks/irq-shutdown/fire.irqtopo';
    const after = JSON.parse((await run(['routes', file, '--format', 'json'])).out);
    const boot = JSON.parse((await run(['routes', file, '--format', 'json', '--before-offline'])).out);
    const pick = (
      j: { routes: { irq: string; cpu: number | null; vector: number | null; offline?: string }[] },
      irq: string,
    ) => {
      const r = j.routes.find((x) => x.irq === irq)!;
      return [r.cpu, r.vector, r.offline ?? null];
    };
    assert.deepEqual(pick(boot, 'nvme0.io[3]'), [3, 0x20, null]);
    assert.deepEqual(pick(after, 'nvme0.io[3]'), [null, null, 'shut-down']);
    assert.deepEqual(pick(boot, 'nic0.q[0]'), [3, 0x22, null]);
    assert.deepEqual(pick(after, 'nic0.q[0]'), [0, 0x23, 'moved']);
    assert.deepEqual(after.routes.find((x: { irq: string }) => x.irq === 'nic0.q[0]').mask, [0, 1, 2]);
    assert.deepEqual(boot.routes.find((x: { irq: string }) => x.irq === 'nic0.q[0]').mask, [3]);
    assert.equal(after.cpus.find((c: { cpu: number }) => c.cpu === 3).online, false);
    const t = await run(['routes', file]);
    assert.match(t.out, /^nvme0\.io\[3\]\s+-\s+-.*shut down by offline/m);
  });

  it('prints a table with the interrupt, CPU, vector, IRTE, message and path', async () => {
    const r = await run(['routes', 'examples/two-ir-units.irqtopo']);
    assert.equal(r.code, 0, r.err);
    const lines = r.out.split('\n');
    assert.match(lines[0], /^INTERRUPT\s+CPU\s+VECTOR\/LPI\s+IRTE\/EVENT\s+MESSAGE\s+PATH$/);
    const admin = lines.find((l) => l.startsWith('nvme0.admin'))!;
    assert.match(
      admin,
      /^nvme0\.admin\s+0\s+0x21\s+IRTE 0\s+0xfee00018 \/ 0x0000\s+IR-PCI-MSIX-0000:31:00\.0\[0\] > IR-0\[0\] > VECTOR$/,
    );
    assert.match(r.out, /^IR-0\s+27\/65536\s+IRTE$/m);
    assert.match(r.err, /48 interrupts simulated: 0 not allocated, 0 errors/);
  });

  it('exits 1 and says why when an interrupt cannot be allocated', async () => {
    const r = await run(['routes', 'test/fixtures/checks/vector-exhausted/fire.irqtopo']);
    assert.equal(r.code, 1);
    assert.match(r.out, /nic0\.q\[0\]\s+-\s+-\s+-\s+-\s+not allocated: vector-exhausted/);
    assert.match(r.err, /fire\.irqtopo:8:5: error vector-exhausted: nic0\.q\[0\] finds no free vector/);
  });

  it('refuses a file it cannot simulate, and bad usage', async () => {
    const r = await run(['routes', 'x.irqtopo'], {
      [path.join(ROOT, 'x.irqtopo')]: 'cpus 0-1\n',
    });
    assert.equal(r.code, 1);
    assert.match(r.err, /cannot be simulated: no arch/);
    assert.equal((await run(['routes'])).code, 2);
    assert.equal((await run(['routes', ISSUE, '--format', 'sarif'])).code, 2);
  });
});

describe('irqtopo inject', () => {
  it('names the interrupt that fires (issue 3 JSON)', async () => {
    const r = await run(['inject', ISSUE, '0xfee01000', '0x20', '--from', 'nic0', '--format', 'json']);
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(JSON.parse(r.out), { irq: 'nic0.q[1]', cpu: 1, vector: 32 });
  });

  it('says why nothing fires', async () => {
    const r = await run(['inject', ISSUE, '0xfee01000', '0x30', '--from', 'nic0', '--format', 'json']);
    assert.equal(r.code, 1);
    assert.deepEqual(JSON.parse(r.out), {
      irq: null,
      reason: "CPU 1 vector 0x30 is not allocated: the kernel would log 'No irq handler for vector'",
    });
    const t = await run(['inject', ISSUE, '0xfee01000', '0x30', '--from', 'nic0']);
    assert.match(t.out, /^no interrupt fires: CPU 1 vector 0x30 is not allocated/);
  });

  it('resolves remappable writes through the device IR unit, with its source-id check', async () => {
    const ok = await run([
      'inject',
      'examples/two-ir-units.irqtopo',
      '0xfee00218',
      '0x2',
      '--from',
      'ahci0',
      '--format',
      'json',
    ]);
    // handle 16 + subhandle 2 = IRTE 18: ahci0.ports[2], CPU 31 vector 0x21
    assert.deepEqual(JSON.parse(ok.out), { irq: 'ahci0.ports[2]', cpu: 31, vector: 0x21 });
    const foreign = await run([
      'inject',
      'examples/two-ir-units.irqtopo',
      '0xfee00018',
      '0',
      '--from',
      'nic0',
      '--format',
      'json',
    ]);
    assert.equal(foreign.code, 1);
    assert.match(
      JSON.parse(foreign.out).reason,
      /IRTE 0 of 'IR-0' belongs to nvme0\.admin .*source-id check rejects a write from nic0/,
    );
    const compat = await run([
      'inject',
      'examples/two-ir-units.irqtopo',
      '0xfee00000',
      '0x20',
      '--from',
      'nvme0',
      '--format',
      'json',
    ]);
    assert.match(
      JSON.parse(compat.out).reason,
      /compatibility-format write .* blocks compatibility-format MSIs/,
    );
  });

  it('resolves ITS writes by device ID and event', async () => {
    const r = await run([
      'inject',
      'examples/arm64-gicv3-its.irqtopo',
      '0x0e060040',
      '1',
      '--from',
      'nvme0',
      '--format',
      'json',
    ]);
    // CPU 0: derived in examples/arm64-gicv3-its.irqtopo (5.19+ parking)
    assert.deepEqual(JSON.parse(r.out), { irq: 'nvme0.q[1]', cpu: 0, vector: null, lpi: 8193 });
    const bad = await run([
      'inject',
      'examples/arm64-gicv3-its.irqtopo',
      '0x0e060040',
      '9',
      '--from',
      'nvme0',
      '--format',
      'json',
    ]);
    assert.match(JSON.parse(bad.out).reason, /event 9 of device ID 0x9100 \(nvme0\) is not mapped/);
  });

  it('rejects bad usage', async () => {
    assert.equal((await run(['inject', ISSUE, '0xfee01000', '0x20'])).code, 2);
    assert.equal((await run(['inject', ISSUE, 'zz', '0x20', '--from', 'nic0'])).code, 2);
    assert.equal((await run(['inject', ISSUE, '0xfee01000', '0x20', '--from', 'nope'])).code, 2);
  });
});

describe('irqtopo import (wired into the CLI)', () => {
  it('imports a /proc/interrupts dump and the result simulates', async () => {
    const r = await run(['import', 'test/fixtures/sim/proc-interrupts-2cpu.txt']);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^arch x86$/m);
    const routes = await run(['routes', 'imported.irqtopo', '--format', 'json'], {
      [path.join(ROOT, 'imported.irqtopo')]: r.out,
    });
    assert.ok(JSON.parse(routes.out).routes.length > 0);
  });
});
