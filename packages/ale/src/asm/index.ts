export { assemble, AsmError } from './assembler.js';
export type { AssembleResult } from './assembler.js';
export { evaluate } from './expr.js';
