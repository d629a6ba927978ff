import { Cpu6502, type Bus } from '../src/cpu/index.js';
import { assemble } from '../src/asm/index.js';

export type Access = [kind: 'r' | 'w', address: number, value: number];

/** 64 KB RAM bus that can log every access. */
export class RamBus implements Bus {
  readonly mem = new Uint8Array(0x10000);
  log: Access[] = [];
  logging = true;
  reads = 0;
  writes = 0;
  read(address: number): number {
    if (address < 0 || address > 0xffff || !Number.isInteger(address)) throw new Error(`bad read address ${address}`);
    this.reads++;
    const v = this.mem[address]!;
    if (this.logging) this.log.push(['r', address, v]);
    return v;
  }
  write(address: number, value: number): void {
    if (address < 0 || address > 0xffff || !Number.isInteger(address)) throw new Error(`bad write address ${address}`);
    if (value < 0 || value > 0xff || !Number.isInteger(value)) throw new Error(`bad write value ${value}`);
    this.writes++;
    this.mem[address] = value;
    if (this.logging) this.log.push(['w', address, value]);
  }
  get accesses(): number {
    return this.reads + this.writes;
  }
  clear(): void {
    this.log = [];
    this.reads = this.writes = 0;
  }
}

/** A CPU on a RAM bus with `bytes` loaded at `org` and PC there. */
export function machine(bytes: ArrayLike<number>, org = 0x0200): { cpu: Cpu6502; bus: RamBus } {
  const bus = new RamBus();
  bus.mem.set(bytes as Uint8Array, org);
  const cpu = new Cpu6502(bus);
  cpu.pc = org;
  cpu.sp = 0xfd;
  return { cpu, bus };
}

/** Assemble at `org`, return a machine ready to run it. */
export function asmMachine(src: string, org = 0x0200): { cpu: Cpu6502; bus: RamBus; labels: Record<string, number> } {
  const { bytes, labels } = assemble(src, org);
  return { ...machine(bytes, org), labels };
}

/** Step once and check that the returned cycle count equals the number of bus accesses. */
export function stepChecked(cpu: Cpu6502, bus: RamBus): number {
  const before = bus.accesses;
  const n = cpu.step();
  const made = bus.accesses - before;
  if (n !== made) throw new Error(`step() returned ${n} but made ${made} bus accesses`);
  return n;
}

export const hex = (v: number, w = 2) => '$' + v.toString(16).toUpperCase().padStart(w, '0');
