// MSI message composition and decoding (LANGUAGE.md section 3 "Messages"; kernel-rules.md d).

import type { MsiMessage } from './types';

/** X86_MSI_BASE_ADDRESS_LOW: 0xfee << 20 */
export const X86_MSI_BASE = 0xfee00000;
/** GITS_TRANSLATER offset in the ITS frame (include/linux/irqchip/arm-gic-v3.h) */
export const GITS_TRANSLATER = 0x10040;

/**
 * x86 compatibility format (arch/x86/kernel/apic/apic.c __irq_msi_compose_msg): address bits 19:12 =
 * destination APIC ID 7:0, data 7:0 = vector, fixed delivery, edge. Only DMAR-MSI (the IOMMU's own
 * interrupt) puts destination ID bits 31:8 into address_hi bits 31:8.
 */
export function compatMessage(apicId: number, vector: number, dmar = false): MsiMessage {
  return {
    address_hi: dmar ? (apicId & 0xffffff00) >>> 0 : 0,
    address_lo: (X86_MSI_BASE | ((apicId & 0xff) << 12)) >>> 0,
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

/** AMD-Vi: the device keeps the base address; data = the index in its per-device remap table. */
export function amdMessage(index: number): MsiMessage {
  return { address_hi: 0, address_lo: X86_MSI_BASE, data: index };
}

/** GICv3 ITS: address = ITS base + GITS_TRANSLATER, data = event ID. */
export function itsMessage(base: number, event: number): MsiMessage {
  const addr = base + GITS_TRANSLATER;
  return { address_hi: Math.floor(addr / 2 ** 32) >>> 0, address_lo: addr >>> 0, data: event };
}

export type DecodedX86 =
  | { kind: 'not-msi'; address: number }
  | { kind: 'compat'; apicId: number; vector: number; extDest: number }
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
  return { kind: 'compat', apicId: (lo >>> 12) & 0xff, vector: data & 0xff, extDest: (lo >>> 5) & 0x7f };
}

export function hexAddr(m: MsiMessage): string {
  return m.address_hi
    ? `0x${m.address_hi.toString(16)}${m.address_lo.toString(16).padStart(8, '0')}`
    : `0x${m.address_lo.toString(16).padStart(8, '0')}`;
}

export function formatMessage(m: MsiMessage): string {
  return `${hexAddr(m)} / 0x${m.data.toString(16).padStart(4, '0')}`;
}
