/**
 * The CPU's view of the machine. The CPU passes full 16-bit addresses; the 6507's 13 address lines are the bus's
 * business (it masks). Every call is exactly one CPU cycle.
 */
export interface Bus {
  /** returns the byte (0..255) at `address` */
  read(address: number): number;
  write(address: number, value: number): void;
}
