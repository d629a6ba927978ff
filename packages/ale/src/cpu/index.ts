export type { Bus } from './bus.js';
export { Cpu6502 } from './cpu.js';
export { OPCODES, MODE_BYTES, MNEMONIC_ALIASES } from './opcodes.js';
export type { Mode, OpInfo } from './opcodes.js';
export { UNSTABLE_MAGIC } from './alu.js';
