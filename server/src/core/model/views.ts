// Objects on demand: a device, an interrupt statement or an interrupt as an object, for the
// services that answer one question at a time (hover, completion, quick fixes). Hot paths read
// the columns (./types.ts) instead.

import type { IrqSourceKind } from '../kinds';
import type { IrqStatement, Property, Range } from '../syntax/ast';
import { propertyNode, statementNode } from '../syntax/view';
import type { SyntaxFile } from '../syntax/view';
import {
  groupOfIrq,
  groupPropSite,
  groupsOfDevice,
  irqDead,
  irqName,
  pciText,
  sourceSite,
  targetSite,
} from './queries';
import { GroupFlag, SOURCE_CODES, rangeOf, type Domain, type Model, type NameRef } from './types';

export interface PciAddress {
  segment: number;
  bus: number;
  dev: number;
  fn: number;
  rid: number;
  text: string;
}

export interface RefView {
  name: string;
  uri: string;
  range: Range;
}

function refView(file: SyntaxFile, atom: number): RefView | undefined {
  if (atom < 0) return undefined;
  const t = file.tree;
  return { name: t.nameOf(atom), uri: file.uri, range: file.range(t.aStart[atom], t.aEnd(atom)) };
}

export function nameRefView(r: NameRef | undefined): RefView | undefined {
  return r ? { name: r.name, uri: r.file.uri, range: rangeOf(r) } : undefined;
}

/** A device as an object (made on demand). */
export class DeviceView {
  constructor(
    readonly m: Model,
    readonly index: number,
  ) {}

  private get D() {
    return this.m.devices;
  }
  get file(): SyntaxFile {
    return this.m.files[this.D.file[this.index]];
  }
  get name(): string {
    return this.D.name[this.index];
  }
  get uri(): string {
    return this.file.uri;
  }
  get nameRange(): Range {
    return this.file.range(this.D.nameStart[this.index], this.D.nameEnd[this.index]);
  }
  get range(): Range {
    return this.file.range(this.D.start[this.index], this.D.end[this.index]);
  }
  get pci(): PciAddress | undefined {
    const rid = this.D.rid[this.index];
    if (rid < 0) return undefined;
    return {
      segment: this.D.segment[this.index],
      bus: rid >> 8,
      dev: (rid >> 3) & 0x1f,
      fn: rid & 7,
      rid,
      text: pciText(this.m, this.index)!,
    };
  }
  private opt(col: Int32Array): number | undefined {
    const v = col[this.index];
    return v < 0 ? undefined : v;
  }
  private dom(col: Int32Array): Domain | undefined {
    const v = col[this.index];
    return v < 0 ? undefined : this.m.domains[v];
  }
  get msix(): number | undefined {
    return this.opt(this.D.msix);
  }
  get msi(): number | undefined {
    return this.opt(this.D.msi);
  }
  get windows(): number | undefined {
    return this.opt(this.D.windows);
  }
  get node(): number | undefined {
    return this.opt(this.D.node);
  }
  get platform(): boolean {
    return this.D.platform[this.index] === 1;
  }
  get assign(): string | undefined {
    return this.D.assign[this.index] ? 'vfio' : undefined;
  }
  get msiDomain(): Domain | undefined {
    return this.dom(this.D.msiDomain);
  }
  get ims(): Domain | undefined {
    return this.dom(this.D.ims);
  }
  get ntb(): Domain | undefined {
    return this.dom(this.D.ntb);
  }
  get ioapic(): Domain | undefined {
    return this.dom(this.D.ioapic);
  }
  get msiDomainRef(): RefView | undefined {
    return refView(this.file, this.D.msiDomainRef[this.index]);
  }
  get imsRef(): RefView | undefined {
    return refView(this.file, this.D.imsRef[this.index]);
  }
  get ntbRef(): RefView | undefined {
    return refView(this.file, this.D.ntbRef[this.index]);
  }
  get ioapicRef(): RefView | undefined {
    return refView(this.file, this.D.ioapicRef[this.index]);
  }
  /** the properties as written (first of each name) */
  get properties(): Map<string, Property> {
    const out = new Map<string, Property>();
    const t = this.file.tree;
    const s = this.D.stmt[this.index];
    for (let p = t.sProps[s]; p < t.sProps[s] + t.sNProps[s]; p++) {
      const n = t.names.names[t.pName[p]];
      if (!out.has(n)) out.set(n, propertyNode(t, p));
    }
    return out;
  }
  get groups(): GroupView[] {
    return [...groupsOfDevice(this.m, this.index)].map((g) => new GroupView(this.m, g));
  }
  get irqs(): IrqView[] {
    return this.groups.flatMap((g) => g.irqs);
  }
  get irqCount(): number {
    return this.D.irqs[this.index];
  }
}

/** An `irq` statement (a group row) as an object. */
export class GroupView {
  constructor(
    readonly m: Model,
    readonly index: number,
  ) {}

  get file(): SyntaxFile {
    return this.m.files[this.m.groups.file[this.index]];
  }
  get device(): DeviceView {
    return new DeviceView(this.m, this.m.groups.device[this.index]);
  }
  get name(): string {
    return this.m.groups.name[this.index];
  }
  get uri(): string {
    return this.file.uri;
  }
  get statement(): IrqStatement {
    return statementNode(this.file.tree, this.m.groups.stmt[this.index]) as IrqStatement;
  }
  /** the target DEVICE.NAME[RANGE] */
  get nameRange(): Range {
    return rangeOf(targetSite(this.m, this.index));
  }
  get first(): number | undefined {
    const f = this.m.groups.first[this.index];
    return f < 0 ? undefined : f;
  }
  get last(): number | undefined {
    const f = this.m.groups.first[this.index];
    return f < 0 ? undefined : this.m.groups.last[this.index];
  }
  get size(): number {
    return this.m.groups.size[this.index];
  }
  get irqs(): IrqView[] {
    const out: IrqView[] = [];
    const G = this.m.groups;
    for (let i = 0; i < G.size[this.index]; i++) {
      const k = G.order[this.index] + i;
      if (!irqDead(this.m, k)) out.push(new IrqView(this.m, k));
    }
    return out;
  }
}

/** One interrupt as an object. */
export class IrqView {
  readonly g: number;
  constructor(
    readonly m: Model,
    readonly k: number,
  ) {
    this.g = groupOfIrq(m, k);
  }

  get id(): string {
    return irqName(this.m, this.k);
  }
  get group(): GroupView {
    return new GroupView(this.m, this.g);
  }
  get device(): DeviceView {
    return new DeviceView(this.m, this.m.groups.device[this.g]);
  }
  get name(): string {
    return this.m.groups.name[this.g];
  }
  get index(): number | undefined {
    const G = this.m.groups;
    return G.first[this.g] < 0 ? undefined : G.first[this.g] + (this.k - G.order[this.g]);
  }
  get uri(): string {
    return this.m.files[this.m.groups.file[this.g]].uri;
  }
  /** the `irq` statement's range */
  get range(): Range {
    const file = this.m.files[this.m.groups.file[this.g]];
    const s = this.m.groups.stmt[this.g];
    return file.range(file.tree.sStart[s], file.tree.sEnd[s]);
  }
  get source(): { kind: IrqSourceKind; arg?: number; range: Range } | undefined {
    const G = this.m.groups;
    const src = G.source[this.g];
    if (!src) return undefined;
    const arg = G.sourceArg[this.g];
    return {
      kind: SOURCE_CODES[src] as IrqSourceKind,
      arg: arg < 0 ? undefined : arg,
      range: rangeOf(sourceSite(this.m, this.g)),
    };
  }
  get affinity(): number[] | undefined {
    const a = this.m.groups.affinity[this.g];
    return a < 0 ? undefined : this.m.masks[a];
  }
  get managed(): boolean {
    return (this.m.groups.flags[this.g] & GroupFlag.Managed) !== 0;
  }
  get cpu(): { value: number; range: Range } | undefined {
    return this.pin(this.m.groups.cpu, 'cpu');
  }
  get vector(): { value: number; range: Range } | undefined {
    return this.pin(this.m.groups.vector, 'vector');
  }
  get lpi(): { value: number; range: Range } | undefined {
    return this.pin(this.m.groups.lpi, 'lpi');
  }
  private pin(col: Int32Array, prop: string): { value: number; range: Range } | undefined {
    const v = col[this.g];
    return v < 0 ? undefined : { value: v, range: rangeOf(groupPropSite(this.m, this.g, prop)) };
  }
  get domain(): Domain | undefined {
    const d = this.m.groups.domain[this.g];
    return d < 0 ? undefined : this.m.domains[d];
  }
}

export function deviceView(m: Model, i: number): DeviceView {
  return new DeviceView(m, i);
}

export function deviceByName(m: Model, name: string): DeviceView | undefined {
  const i = m.devicesByName.get(name);
  return i === undefined ? undefined : new DeviceView(m, i);
}

/** Every device as an object (for outline-sized work; a file of 30,000 devices makes 30,000 views). */
export function deviceViews(m: Model): DeviceView[] {
  const out: DeviceView[] = [];
  for (let i = 0; i < m.devices.count; i++) out.push(new DeviceView(m, i));
  return out;
}
