// What each word of the language means, for hovers and completion: the core's vocabulary
// (KEYWORD_DOCS in ../kinds.ts) with the v2 statements and properties told the way a kernel engineer
// checks them (the kernel function, the era, the figure), and the values that have a meaning of their
// own (the APIC drivers, `adjacent`). The facts are those of LANGUAGE.md v2 and docs/kernel-placement.md.

import { KEYWORD_DOCS } from '../kinds';
import { APIC_MODES, type ApicMode } from '../model';

/** The v2 words, longer than the one-line vocabulary: `signature: what it does (kernel facts)`. */
const V2_DOCS: Readonly<Record<string, string>> = {
  'possible-cpus':
    'possible-cpus LIST: the possible CPUs (cpu_possible_mask); default: the online CPUs (`cpus`), which must be a subset. Managed spreading (`spread`) covers every possible CPU: group_cpus_evenly() spreads the present (here: online) CPUs first, then the possible CPUs that are not present, wrapping over the same groups.',
  node: "node N cpus LIST: NUMA node N and its CPUs (cpu_to_node); default: one node 0 holding every possible CPU. With `node` statements every possible CPU belongs to exactly one node. Nodes steer placement: a non-managed x86 activation searches as assign_irq_vector_any_locked() does (the device's node ∩ its affinity, then the node, then the affinity, then every online CPU); the ITS picks an unmanaged LPI's CPU on its own node first (its_select_cpu(), 5.10+); spreading gives each node groups in proportion to its CPUs. As a device or `its` property, `node N`: the NUMA node it is on (dev_to_node(), its->numa_node); omitted: no node preference.",
  smt: 'smt N [adjacent]: N hardware threads per core. Siblings of CPU c: (c mod C) + k*C with C = possible CPUs / N (thread 0 of every core first, the usual server enumeration); with `adjacent`, c - c mod N .. + N-1 (QEMU threads=). Spreading keeps siblings in one group (grp_spread_init_one() takes a CPU, then its siblings still left); the sibling masks are those of online CPUs only.',
  adjacent:
    'adjacent (smt): SMT siblings are numbered next to each other: the siblings of CPU c are c - c mod N .. c - c mod N + N-1, as QEMU enumerates `-smp threads=N`. Without it: (c mod C) + k*C, C = possible CPUs / N.',
  apic: 'apic flat | physflat | x2apic-cluster | x2apic-phys (x86): the kernel\'s APIC driver, as dmesg reports it ("Switched APIC routing to: ..."; x86_64_probe_apic()). It decides the compatibility-format destination and the IRTE destination. Omitted: physical destination mode, `physflat`, or `x2apic-phys` when an APIC ID is above 255.',
  'ext-dest-id':
    'ext-dest-id (x86 guests): the hypervisor offers the MSI extended destination ID (msi_ext_dest_id(), KVM_FEATURE_MSI_EXT_DEST_ID): __irq_msi_compose_msg() puts APIC ID bits 14:8 in address bits 11:5 (virt_destid_8_14), so APIC IDs up to 32767 are reachable without interrupt remapping. Without it and without IR, x2apic_set_max_apicid(255): a CPU with a larger APIC ID is not brought online (`apic-id-unreachable`).',
  offline:
    'offline CPULIST: CPU hotplug, a what-if. After every interrupt is allocated, these CPUs go down one at a time, in the order written, as the kernel\'s CPU-down path does. First lapic_can_unplug_cpu() (arch/x86/kernel/apic/vector.c): the CPU\'s allocated vectors (managed ones not counted from 6.7, a0b0bad10587) must fit in what the other online CPUs have available, else "CPU N has X vectors, Y available. Cannot disable CPU" (-ENOSPC) and the CPU stays online (`cpu-unplug-refused`); the last online CPU, and on x86 CPU 0 from 6.5, cannot go either. Then migrate_one_irq() (kernel/irq/cpuhotplug.c), in irq order: a managed interrupt moves inside its mask, or is shut down when no CPU of it is online (`irq-shutdown`); a non-managed one moves to its affinity ∩ online, or to every online CPU (broken affinity: "IRQ n: no longer affine to CPUm", at debug level since 5.15; `affinity-broken`); no free vector: "IRQn: set affinity failed(-28)." (`set-affinity-failed`), from 6.10 only after a retry with every online CPU (88d724e2301a). `in-use` vectors on the CPU move too. Routes, hovers and views then show the placement after the last `offline`.',
  release:
    "release DEVICE: history. Everything the device holds so far is freed at this point, as a driver unbind or a rebind to vfio-pci frees it: vectors and managed reservations, IRTEs, IMS slots, MSI-X entries, ITS events and LPIs; later allocations reuse the lowest free, as the kernel's allocators do. It closes the device's reservation-mode batch: its later `irq` statements allocate anew, as a new batch at their own place.",
  irte: 'irte N: as an irq property, the observed remap-table index, pinned (as imported from debugfs: the Intel IRTE handle, the AMD per-device table index). Pinned indexes are taken before anything is allocated, as observed vectors are. As an expectation: the index the route takes (Intel handle + subhandle, AMD index).',
  inactive:
    'inactive: allocated but never activated: no driver called request_irq() for it, so the kernel holds only a reservation (debugfs: `Vector: 0`, `has_reserved: 1`). It takes no vector and no IRTE programming beyond its allocation, and CPU hotplug skips it (migrate_one_irq() moves only started interrupts).',
  spread:
    'spread (on a range; implies managed): each element gets the mask irq_create_affinity_masks() computes through group_cpus_evenly() (lib/group_cpus.c from 6.3, kernel/irq/affinity.c before), as pci_alloc_irq_vectors_affinity() asks for it: nodes first, each given groups in proportion to its CPUs; SMT siblings kept together; present (online) CPUs before the other possible ones. Each element is then managed on its own mask. Not with `affinity` (the kernel computes the masks). An element the kernel leaves empty fails with -EINVAL.',
  managed:
    'managed: kernel-managed affinity (PCI_IRQ_AFFINITY): one vector reserved on every CPU of the mask at allocation; activation picks the CPU of the mask with the fewest managed allocations, ties to the highest (matrix_find_best_cpu_managed()). At CPU hotplug it moves inside its mask, or is shut down.',
};

/** The APIC drivers (`apic MODE`), each with its destination and its era (docs/kernel-placement.md 7). */
export const APIC_MODE_DOCS: Readonly<Record<ApicMode, string>> = {
  flat: 'apic flat: dmesg "Switched APIC routing to: flat". Logical destination mode; the destination is `1 << cpu` (the CPU number, apic_flat_calc_apicid()) and address bit 2 is set. Only before 6.12 (removed by "x86/apic: Remove logical destination mode for 64-bit", 838ba7733e4e) and with at most 8 possible CPUs; otherwise `apic-mode`.',
  physflat:
    'apic physflat: dmesg "Switched APIC routing to: physical flat". Physical destination mode: the destination is the 8-bit APIC ID (address bits 19:12). The xAPIC driver when there are more than 8 possible CPUs, and the only xAPIC driver from 6.12.',
  'x2apic-cluster':
    'apic x2apic-cluster: dmesg "Switched APIC routing to: cluster x2apic". Logical destination mode; the destination is the logical ID (APIC ID >> 4) << 16 | 1 << (APIC ID & 0xf) (init_x2apic_ldr()). Needs interrupt remapping in x2APIC mode for every message domain: without IR the kernel forces physical x2APIC (try_to_enable_x2apic()); otherwise `apic-mode`. DMAR-MSI, never remapped, carries destination bits 31:8 in address_hi.',
  'x2apic-phys':
    'apic x2apic-phys: dmesg "Switched APIC routing to: physical x2apic". Physical destination mode with the 32-bit x2APIC ID. Without remapping only APIC IDs up to 255 are reachable (32767 with `ext-dest-id`); a guest without IR gets this driver.',
};

const DOCS: Readonly<Record<string, string>> = { ...KEYWORD_DOCS, ...V2_DOCS };

/** The doc of a keyword, property, source or clause (`signature: meaning`), or undefined. */
export function keywordDoc(word: string): string | undefined {
  return Object.prototype.hasOwnProperty.call(DOCS, word) ? DOCS[word] : undefined;
}

export function isApicMode(word: string): word is ApicMode {
  return (APIC_MODES as readonly string[]).includes(word);
}

/** A `signature: meaning` doc as hover Markdown: the signature as code, then the meaning. */
export function docMarkdown(doc: string): string {
  const colon = doc.indexOf(': ');
  return colon > 0 ? `\`${doc.slice(0, colon)}\`\n\n${doc.slice(colon + 2)}` : doc;
}
