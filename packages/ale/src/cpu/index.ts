export type { Bus, CycleBus } from './bus.js';
export { DUMMY_READ, NO_WINDOW, WRITE_FLAG } from './bus.js';
export { Cpu6502 } from './cpu.js';
export { OPCODES, MODE_BYTES, MNEMONIC_ALIASES } from './opcodes.js';
export type { Mode, OpInfo } from './opcodes.js';
export { UNSTABLE_MAGIC } from './arith.js';
export { compiledBlockCount } from './blocks.js';
