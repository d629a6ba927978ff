// Throughput of the CPU core on a plain RAM bus (the machine's own bus will be slower). Target: >= 20 M cycles/s;
// the assertion is lenient (CI machines vary, tests run in parallel); the measured figure is printed.
import { expect, it } from 'vitest';
import { Cpu6502, type Bus } from '../src/cpu/index.js';
import { assemble } from '../src/asm/index.js';

class Ram implements Bus {
  mem = new Uint8Array(0x2000);
  read(a: number): number { return this.mem[a & 0x1fff]!; }
  write(a: number, v: number): void { this.mem[a & 0x1fff] = v; }
}

it('emulates well over 20 M cycles/s on a RAM bus', () => {
  const { bytes } = assemble(`
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
        .word start, start`, 0xf000);
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
  console.log(`Cpu6502: ${(best / 1e6).toFixed(1)} M cycles/s`);
  expect(best).toBeGreaterThan(10e6);
});
