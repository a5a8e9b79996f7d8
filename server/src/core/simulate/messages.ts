// MSI message composition and decoding (LANGUAGE.md section 3 "Messages"; kernel-rules.md d).

import type { MsiMessage } from './types';

/** X86_MSI_BASE_ADDRESS_LOW: 0xfee << 20 */
export const X86_MSI_BASE = 0xfee00000;
/** GITS_TRANSLATER offset in the ITS frame (include/linux/irqchip/arm-gic-v3.h) */
export const GITS_TRANSLATER = 0x10040;

/** How the APIC driver addresses a CPU (docs/kernel-placement.md 7.1). */
export interface ApicDest {
  /** calc_dest_apicid(): the APIC ID, or a logical ID (flat: 1 << cpu; x2APIC cluster: cluster << 16 | 1 << (id & 15)) */
  dest: number;
  /** dest_mode_logical: address bit 2 */
  logical: boolean;
}

/** The destination of CPU `cpu` (APIC ID `apicId`) under an APIC driver; physflat and x2apic-phys: the APIC ID. */
export function apicDest(
  mode: 'flat' | 'physflat' | 'x2apic-cluster' | 'x2apic-phys',
  cpu: number,
  apicId: number,
): ApicDest {
  if (mode === 'flat') return { dest: (1 << cpu) >>> 0, logical: true }; // apic_flat_calc_apicid (before 6.12)
  if (mode === 'x2apic-cluster')
    return { dest: ((apicId >>> 4) << 16) | (1 << (apicId & 0xf)), logical: true }; // init_x2apic_ldr
  return { dest: apicId, logical: false };
}

/**
 * x86 compatibility format (arch/x86/kernel/apic/apic.c __irq_msi_compose_msg): address bits 19:12 =
 * destination 7:0, bit 2 = logical destination mode, data 7:0 = vector, fixed delivery, edge. Only
 * DMAR-MSI (the IOMMU's own interrupt) puts destination bits 31:8 into address_hi bits 31:8; any other
 * message puts bits 14:8 into address bits 11:5 when the hypervisor offers the extended destination ID
 * (virt_ext_dest_id) and the destination is below 0x8000.
 */
export function compatMessage(
  d: ApicDest | number,
  vector: number,
  dmar = false,
  extDestId = false,
): MsiMessage {
  const { dest, logical } = typeof d === 'number' ? { dest: d, logical: false } : d;
  const ext = !dmar && extDestId && dest < 0x8000 ? (dest >>> 8) & 0x7f : 0;
  return {
    address_hi: dmar ? (dest & 0xffffff00) >>> 0 : 0,
    address_lo: (X86_MSI_BASE | ((dest & 0xff) << 12) | (ext << 5) | (logical ? 4 : 0)) >>> 0,
    data: vector & 0xff,
  };
}

/**
 * Intel VT-d remappable format (drivers/iommu/intel/irq_remapping.c fill_msi_msg): address 19:5 =
 * handle 14:0, bit 4 = 1 (remappable), bit 3 = SHV (Linux always sets it), bit 2 = handle 15;
 * data = subhandle. The hardware uses IRTE handle + subhandle.
 */
export function intelMessage(handle: number, subhandle: number): MsiMessage {
  return {
    address_hi: 0,
    address_lo:
      (X86_MSI_BASE | ((handle & 0x7fff) << 5) | (1 << 4) | (1 << 3) | (((handle >> 15) & 1) << 2)) >>> 0,
    data: subhandle,
  };
}

/**
 * AMD-Vi: the device keeps the base address; data = the index in its per-device remap table. With the
 * 2K-entry tables (EFR2 NUM_INT_REMAP_MODE 2K) of 6.15+, fill_msi_msg() sets the destination-mode bit:
 * address 0xfee00004 (19e5cc156cbc; drivers/iommu/amd/iommu.c).
 */
export function amdMessage(index: number, dmBit = false): MsiMessage {
  return { address_hi: 0, address_lo: (X86_MSI_BASE | (dmBit ? 4 : 0)) >>> 0, data: index };
}

/** GICv3 ITS: address = ITS base + GITS_TRANSLATER, data = event ID. */
export function itsMessage(base: number, event: number): MsiMessage {
  const addr = base + GITS_TRANSLATER;
  return { address_hi: Math.floor(addr / 2 ** 32) >>> 0, address_lo: addr >>> 0, data: event };
}

export type DecodedX86 =
  | { kind: 'not-msi'; address: number }
  | { kind: 'compat'; apicId: number; vector: number; extDest: number; logical: boolean }
  | { kind: 'remappable'; handle: number; shv: boolean; subhandle: number; index: number };

/** Decodes a write to the x86 MSI window (0xfeexxxxx). */
export function decodeX86(address: number, data: number): DecodedX86 {
  const lo = (address % 2 ** 32) >>> 0;
  if (address >= 2 ** 32 || lo >>> 20 !== 0xfee) return { kind: 'not-msi', address };
  if (lo & (1 << 4)) {
    const handle = ((lo >>> 5) & 0x7fff) | (((lo >>> 2) & 1) << 15);
    const shv = (lo & (1 << 3)) !== 0;
    const subhandle = shv ? data & 0xffff : 0;
    return { kind: 'remappable', handle, shv, subhandle, index: handle + subhandle };
  }
  return {
    kind: 'compat',
    apicId: (lo >>> 12) & 0xff,
    vector: data & 0xff,
    extDest: (lo >>> 5) & 0x7f,
    logical: (lo & 4) !== 0,
  };
}

export function hexAddr(m: MsiMessage): string {
  return m.address_hi
    ? `0x${m.address_hi.toString(16)}${m.address_lo.toString(16).padStart(8, '0')}`
    : `0x${m.address_lo.toString(16).padStart(8, '0')}`;
}

export function formatMessage(m: MsiMessage): string {
  return `${hexAddr(m)} / 0x${m.data.toString(16).padStart(4, '0')}`;
}
