/**
 * `pnpm bench:ale-cpu`: throughput of the 6502 core alone on a plain RAM bus (the machine's own bus is slower), in
 * emulated M cycles/s, best of 5 rounds of 5 M cycles, with the load average next to it (a shared machine's load
 * moves it). Goal: >= 20 M cycles/s on an idle core. The whole emulator against ale-py is `pnpm bench:ale`.
 */
import { loadavg } from 'node:os';
import { Cpu6502, type Bus } from '../src/cpu/index.js';
import { assemble } from '../src/asm/index.js';

class Ram implements Bus {
  mem = new Uint8Array(0x2000);
  read(a: number): number {
    return this.mem[a & 0x1fff]!;
  }
  write(a: number, v: number): void {
    this.mem[a & 0x1fff] = v;
  }
}

function cyclesPerSecond(): number {
  const { bytes } = assemble(
    `
start:  ldx #100
loop:   lda table,x
        sta $80
        adc $81
        sta $81
        ldy $80
        iny
        sty $82
        inc $83
        asl $84
        jsr sub
        lda $85,x
        pha
        pla
        sbc #3
        dex
        bne loop
        sed
        adc #$19
        cld
        jmp start
sub:    lda ($86),y
        cmp #$40
        bcc skip
        eor #$ff
skip:   rts
        .org $f100
table:  .ds 256, $37
        .org $fffc
        .word start, start`,
    0xf000,
  );
  const bus = new Ram();
  bus.mem.set(bytes, 0x1000);
  const cpu = new Cpu6502(bus);
  cpu.reset();
  let best = 0;
  for (let round = 0; round < 5; round++) {
    const t0 = performance.now();
    let cycles = 0;
    while (cycles < 5_000_000) cycles += cpu.step();
    best = Math.max(best, cycles / ((performance.now() - t0) / 1000));
  }
  return best;
}

const best = cyclesPerSecond();
console.log(
  `Cpu6502 on a RAM bus: ${(best / 1e6).toFixed(1)} M cycles/s (goal >= 20), load average ${loadavg()
    .map((x) => x.toFixed(2))
    .join(', ')}`,
);
