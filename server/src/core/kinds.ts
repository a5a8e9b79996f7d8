// The vocabulary of the language: domain kinds, properties, sources and what each means.
// One table, used by the binder, the checks, completion and hover.

export type Arch = 'x86' | 'arm64' | 'riscv';
export const ARCHES: readonly Arch[] = ['x86', 'arm64', 'riscv'];

export type DomainKind =
  | 'vector'
  | 'gic'
  | 'imsic'
  | 'remap'
  | 'its'
  | 'dmar-msi'
  | 'ioapic'
  | 'hpet'
  | 'pci-msi'
  | 'ims'
  | 'platform-msi'
  | 'ntb'
  | 'aplic';

export type DomainClass = 'root' | 'msi-parent' | 'device' | 'wired';

export interface KindInfo {
  kind: DomainKind;
  arches: readonly Arch[];
  /** root of the hierarchy (no parent) */
  root: boolean;
  /** IRQ_DOMAIN_FLAG_MSI_PARENT: per-device message domains may be created under it */
  msiParent: boolean;
  /** display class, for colouring and the diagram */
  cls: DomainClass;
  /** the properties this kind accepts */
  properties: readonly string[];
  /** what the kind is, for hovers and completion */
  doc: string;
  /** who may be its parent, for hovers and messages */
  parentRule: string;
}

const K = (
  kind: DomainKind,
  arches: readonly Arch[],
  cls: DomainClass,
  root: boolean,
  msiParent: boolean,
  properties: readonly string[],
  doc: string,
  parentRule: string,
): KindInfo => ({ kind, arches, cls, root, msiParent, properties, doc, parentRule });

export const KINDS: Readonly<Record<DomainKind, KindInfo>> = {
  vector: K(
    'vector',
    ['x86'],
    'root',
    true,
    true,
    ['system-vectors', 'in-use'],
    'The x86 CPU vector domain (VECTOR, chip "APIC"): one matrix allocator hands out (CPU, vector) pairs. From 6.2 it is itself the MSI parent when interrupt remapping is off (x86_vector_msi_parent_ops).',
    'none: it is the root',
  ),
  gic: K(
    'gic',
    ['arm64'],
    'root',
    true,
    false,
    [],
    'The arm64 GICv3 root domain: SGIs, PPIs, SPIs and LPIs (INTIDs from 8192). MSIs reach it through an ITS.',
    'none: it is the root',
  ),
  imsic: K(
    'imsic',
    ['riscv'],
    'root',
    true,
    true,
    [],
    'The RISC-V IMSIC: the root and an MSI parent (imsic_msi_parent_ops, no multi-MSI). A message is a per-hart interrupt-file page address plus an identity.',
    'none: it is the root',
  ),
  remap: K(
    'remap',
    ['x86'],
    'msi-parent',
    false,
    true,
    ['parent', 'vendor', 'entries', 'scope', 'multi-msi', 'no-multi-msi'],
    'An interrupt-remapping unit (INTEL-IR-n / AMD-IR-n): the MSI parent of the devices in its scope. Each unit owns its remap table (IRTEs) and source-ID checks.',
    'the root (VECTOR)',
  ),
  its: K(
    'its',
    ['arm64'],
    'msi-parent',
    false,
    true,
    ['parent', 'scope', 'base', 'node', 'multi-msi', 'no-multi-msi'],
    'A GICv3 Interrupt Translation Service: translates (DeviceID, EventID) to an LPI. The MSI parent on arm64 (gic_v3_its_msi_parent_ops, 6.11+).',
    'the root (GICv3)',
  ),
  'dmar-msi': K(
    'dmar-msi',
    ['x86'],
    'device',
    false,
    false,
    ['parent'],
    "The IOMMU's own fault and event interrupts (DMAR-MSI). Always a child of VECTOR: the IOMMU cannot remap its own interrupt.",
    'the root only (never a remap unit)',
  ),
  ioapic: K(
    'ioapic',
    ['x86'],
    'wired',
    false,
    false,
    ['parent', 'id', 'pins'],
    'An IO-APIC (IO-APIC-<id>): wired interrupts on pins. Under a remap unit when that unit lists it in its DRHD scope (chip IR-IO-APIC).',
    'the root, or the remap unit whose scope holds it',
  ),
  hpet: K(
    'hpet',
    ['x86'],
    'device',
    false,
    false,
    ['parent', 'id'],
    'The HPET MSI domain (HPET-MSI): the HPET channels deliver MSIs.',
    'the root, or the remap unit whose scope holds it',
  ),
  'pci-msi': K(
    'pci-msi',
    ['x86', 'arm64', 'riscv'],
    'device',
    false,
    false,
    ['parent', 'device', 'multi-msi', 'no-multi-msi'],
    'A PCI/MSI(-X) domain: global (one per MSI parent, up to 6.1 on x86 and 6.10 on arm64) or per device (PCI-MSI(X)-<bdf>, 6.2+ on x86).',
    'an MSI parent (vector, remap, its, imsic)',
  ),
  ims: K(
    'ims',
    ['x86'],
    'device',
    false,
    false,
    ['parent', 'device', 'slots'],
    'A per-device Interrupt Message Store domain (PCI/IMS, Linux 6.2 to 6.9): device-specific message storage with its own slot allocator, beside (not under) the PCI/MSI domain.',
    'an MSI parent (the remap unit or VECTOR), never a pci-msi domain',
  ),
  'platform-msi': K(
    'platform-msi',
    ['arm64', 'riscv'],
    'device',
    false,
    false,
    ['parent', 'device'],
    'A platform-device MSI domain (ITS-pMSI, per device from about 6.12).',
    'an MSI parent (its, imsic)',
  ),
  ntb: K(
    'ntb',
    ['x86', 'arm64', 'riscv'],
    'device',
    false,
    false,
    ['parent', 'device'],
    "A per-device NTB domain: interrupts a peer raises through the device's memory windows. Not PCI/MSI-X entries.",
    'an MSI parent',
  ),
  aplic: K(
    'aplic',
    ['riscv'],
    'wired',
    false,
    false,
    ['parent', 'device'],
    'A RISC-V APLIC in MSI mode: a wired-to-MSI bridge feeding the IMSIC (APLIC-MSI-<dev>).',
    'imsic',
  ),
};

export const DOMAIN_KINDS = Object.keys(KINDS) as DomainKind[];

export function isDomainKind(s: string): s is DomainKind {
  return Object.prototype.hasOwnProperty.call(KINDS, s);
}

export const DEVICE_PROPERTIES = [
  'pci',
  'msix',
  'msi',
  'msi-domain',
  'ims',
  'ntb',
  'windows',
  'platform',
  'assign',
  'ioapic',
  'node',
] as const;

export const IRQ_PROPERTIES = [
  'affinity',
  'managed',
  'spread',
  'cpu',
  'vector',
  'lpi',
  'irte',
  'inactive',
  'masked',
  'counts',
] as const;

export const IRQ_SOURCES = ['msix', 'msi', 'ims', 'pin', 'window', 'virtual'] as const;
export type IrqSourceKind = (typeof IRQ_SOURCES)[number];

export const EXPECT_CLAUSES = ['cpu', 'vector', 'lpi', 'irte', 'path', 'message'] as const;

/** What each keyword, property, source and clause means: hovers and completion use this. */
export const KEYWORD_DOCS: Readonly<Record<string, string>> = {
  arch: 'arch x86 | arm64 | riscv: required once. Selects the domain kinds, limits and message formats.',
  kernel:
    'kernel MAJOR.MINOR: optional. Enables version-gated rules (per-device MSI domains from 6.2 on x86 and 6.11 on arm64, IMS only in 6.2-6.9, vector 0x20 usable from 6.6, first system vector 0xeb from 6.10). Omitted: architecture-only checks, newest behaviour.',
  cpus: 'cpus LIST: required. The online CPUs, e.g. 0-63.',
  'possible-cpus':
    'possible-cpus LIST: the possible CPUs (cpu_possible_mask); default: the online CPUs. Managed spreading covers every possible CPU, present (online) ones first.',
  node: 'node N cpus LIST: a NUMA node and its CPUs (default: one node 0 holding every CPU). As a device or its property, node N: the NUMA node it is on (dev_to_node, its->numa_node).',
  smt: 'smt N [adjacent]: N hardware threads per core. Siblings of CPU c: (c mod C) + k*C with C = possible CPUs / N (the usual server enumeration); with adjacent, c - c mod N .. + N-1 (QEMU threads=).',
  apic: 'apic flat | physflat | x2apic-cluster | x2apic-phys (x86): the kernel\'s APIC driver, as dmesg reports it ("Switched APIC routing to ..."). Default: physical destination mode.',
  'ext-dest-id':
    'ext-dest-id (x86 guests): the hypervisor offers the MSI extended destination ID: address bits 11:5 carry APIC ID bits 14:8, so APIC IDs up to 32767 are reachable without remapping.',
  offline:
    "offline CPULIST: after every interrupt is allocated, these CPUs go offline one at a time, in the order written, as the kernel's CPU hotplug does (lapic_can_unplug_cpu, migrate_one_irq).",
  release:
    "release DEVICE: history. The device's interrupts so far are freed here (a driver unbind, a rebind to vfio-pci); its later irq statements allocate anew.",
  'apic-ids':
    'apic-ids LIST: optional (x86). The APIC ID of each CPU, in CPU order; default: the CPU number.',
  include:
    'include "path": another topology file, relative to this one; no cycles. Its statements come first.',
  domain: 'domain NAME : KIND { PROPERTY... }: an interrupt domain, as the kernel builds its hierarchy.',
  device: 'device NAME { PROPERTY... }: a device that raises interrupts.',
  irq: 'irq DEVICE.NAME[RANGE] : SOURCE { PROPERTY... }: interrupts the device requests, allocated in file order.',
  expect:
    'expect DEVICE.NAME[INDEX] CLAUSE...: an assertion on the simulated route (cpu, vector, lpi, irte, path, message).',
  inject:
    'inject ADDRESS DATA from DEVICE: a memory write the device issues, resolved as the hardware would.',
  from: 'from DEVICE: the device that issues the injected write (its requester ID selects the remap unit or ITS).',
  // domain properties
  parent:
    'parent NAME: the parent domain. Each level allocates its own resource and asks its parent for the rest.',
  vendor:
    'vendor intel | amd (remap): Intel VT-d (one table of 65536 IRTEs per unit) or AMD-Vi (a remap table per device).',
  entries:
    'entries N (remap): the remap table size. Default: intel 65536 per unit (INTR_REMAP_TABLE_ENTRIES), amd 512 per device.',
  scope:
    'scope SSSS:BB-BB, ioapic ID, hpet ID (remap, its): the buses, IO-APICs and HPETs the unit covers (the DRHD device scope). Omitted on a remap: INCLUDE_PCI_ALL.',
  id: 'id N (ioapic, hpet): the ID that a remap scope names.',
  slots: "slots N (ims): the size of the device's interrupt message store.",
  pins: 'pins N (ioapic): the number of redirection entries.',
  base: 'base ADDRESS (its): the ITS physical base. The doorbell is base + 0x10040 (GITS_TRANSLATER).',
  'multi-msi':
    "multi-msi: the domain supports multi-MSI (MSI_FLAG_MULTI_PCI_MSI), overriding the parent's default.",
  'no-multi-msi':
    'no-multi-msi: the domain does not support multi-MSI; the kernel then grants one MSI vector.',
  'system-vectors':
    "system-vectors LIST (vector): the vectors not available to devices, as a VECTOR matrix's System: line shows them. Replaces the era's default set.",
  'in-use':
    'in-use CPULIST : VECTORLIST (vector): vectors already taken on those CPUs, as imported from a live machine.',
  // device properties
  pci: 'pci SSSS:BB:DD.F: the requester ID. Decides which remap or ITS scope holds the device.',
  msix: 'msix N: the MSI-X table size (1..2048). As an irq source: msix INDEX? (next free entry when omitted).',
  msi: 'msi N: the MSI capability, vectors (1..32, a power of two). As an irq source: one MSI vector of the block.',
  'msi-domain':
    "msi-domain NAME: the device's message domain. Omitted on x86 >= 6.2 (arm64 >= 6.11, or no kernel): a per-device PCI-MSI(X)-<bdf> domain is implied.",
  ims: 'ims NAME: the IMS domain of the device. As an irq source: the next free IMS slot.',
  ntb: 'ntb NAME: the NTB domain for memory-window interrupts.',
  windows: 'windows N: the NTB memory windows.',
  platform: 'platform: a non-PCI device (its msi-domain names a platform-msi, hpet or dmar-msi domain).',
  assign: 'assign vfio: the device is handed to a guest, which needs isolated (remapped or translated) MSI.',
  ioapic: 'ioapic NAME: the IO-APIC its pin interrupts are wired to (implied when there is only one).',
  // irq properties
  affinity: 'affinity CPULIST: the CPUs the interrupt may target (default: all CPUs).',
  managed:
    'managed: kernel-managed affinity (PCI_IRQ_AFFINITY): one vector reserved on every CPU of the mask.',
  cpu: 'cpu N: pin the observed target CPU (as imported from a live machine). As an expectation: the simulated CPU.',
  vector: 'vector V (x86): pin the observed vector. As an expectation: the simulated vector.',
  lpi: 'lpi L (arm64): pin the observed LPI (>= 8192). As an expectation: the simulated LPI.',
  masked: 'masked: the interrupt is masked.',
  spread:
    'spread (on a range; implies managed): each element gets the mask irq_create_affinity_masks() gives it through group_cpus_evenly(): nodes first, SMT siblings together, present CPUs before the other possible ones.',
  inactive:
    'inactive: allocated but never activated (no driver requested it): the kernel holds only a reservation (debugfs: Vector: 0, has_reserved: 1).',
  adjacent:
    'adjacent (smt): SMT siblings are numbered next to each other (c - c mod N .. + N-1), as QEMU enumerates threads.',
  counts:
    'counts N N ...: per-CPU fire counts in cpus order, as imported from /proc/interrupts (informational).',
  // sources
  pin: 'pin N: an IO-APIC pin (wired interrupt).',
  window: 'window W: an NTB memory-window interrupt (belongs in the device’s ntb domain).',
  virtual:
    'virtual: an MSI-X entry beyond the hardware table (PCI_IRQ_VIRTUAL). Not PCI/MSI-X: use an ntb domain.',
  // expect clauses
  irte: 'irte N: the remap table index the route takes (Intel IRTE handle + subhandle, AMD table index). As an irq property, the observed index, pinned (as imported).',
  path: 'path A > B > C: the domains the route walks, endpoint first.',
  message: 'message ADDRESS DATA: the MSI message the device writes (address_lo and data).',
};
