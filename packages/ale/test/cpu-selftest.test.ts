// A self-checking 6502 program (written for this project, assembled with our assembler): every check branches to
// `fail` with the check number in $00 on a mismatch; reaching `pass` means all checks passed.
import { describe, expect, it } from 'vitest';
import { asmMachine, stepChecked } from './cpu-helpers.js';

const PROGRAM = `
TEST = $00
PTR  = $10
SRC  = $0380        ; copy source, crosses into page 4
DST  = $05f0        ; copy destination, crosses into page 6
COUNT = $20
        .org $0200
start:  cld
        ldx #$ff
        txs
; 1: 16-bit sum 1..100 = 5050 = $13BA
        lda #1
        sta TEST
        lda #0
        sta $30
        sta $31
        ldx #100
sum:    txa
        clc
        adc $30
        sta $30
        bcc nocarry
        inc $31
nocarry: dex
        bne sum
        lda $30
        cmp #$ba
        bne fail1
        lda $31
        cmp #$13
        bne fail1
; 2: copy 32 bytes with (zp),Y across pages, verify with abs,X
        lda #2
        sta TEST
        ldx #0
fill:   txa
        eor #$a5
        sta SRC,x
        inx
        cpx #32
        bne fill
        lda #<SRC
        sta PTR
        lda #>SRC
        sta PTR+1
        lda #<DST
        sta PTR+2
        lda #>DST
        sta PTR+3
        ldy #31
copy:   lda (PTR),y
        sta (PTR+2),y
        dey
        bpl copy
        ldx #31
verify: lda DST,x
        cmp SRC,x
        bne fail1
        dex
        bpl verify
        jmp t3
fail1:  jmp fail
; 3: stack LIFO
t3:     lda #3
        sta TEST
        ldx #0
push:   txa
        pha
        inx
        cpx #10
        bne push
pull:   dex
        pla
        stx $31
        cmp $31
        bne fail1
        cpx #0
        bne pull
        tsx
        cpx #$ff
        bne fail1
; 4: BCD counter: 99 decimal increments give $99, one more gives $00 with carry
        lda #4
        sta TEST
        sed
        lda #0
        ldx #99
bcd:    clc
        adc #1
        dex
        bne bcd
        cmp #$99
        bne fail2
        clc
        adc #1
        bcc fail2
        cmp #0
        bne fail2
; 5: decimal SBC: $00 - 1 = $99 with borrow, $50 - $25 = $25
        lda #5
        sta TEST
        sec
        lda #0
        sbc #1
        bcs fail2
        cmp #$99
        bne fail2
        sec
        lda #$50
        sbc #$25
        cmp #$25
        bne fail2
        cld
; 6: recursive factorial 5 = 120
        lda #6
        sta TEST
        lda #5
        jsr fact
        cmp #120
        bne fail2
        jmp t7
fail2:  jmp fail
; fact: A = n -> A = n! (8-bit), recursive through the stack
fact:   cmp #2
        bcc fdone
        pha
        sec
        sbc #1
        jsr fact
        sta $32         ; (n-1)!
        pla             ; n
        tax
        lda #0
fmul:   clc
        adc $32
        dex
        bne fmul
fdone:  rts
; 7: jump table via the RTS trick and JMP (ind)
t7:     lda #7
        sta TEST
        lda #>(target-1)
        pha
        lda #<(target-1)
        pha
        rts
        jmp fail
target: lda #<t7b
        sta $40
        lda #>t7b
        sta $41
        jmp ($0040)
        jmp fail
t7b:
; 8: status via PHP/PLA
        lda #8
        sta TEST
        lda #$80
        sec
        sed
        php
        pla
        cld
        and #$cb        ; drop B, bit 5 and I
        cmp #$89        ; N D C
        bne fail3
; 9: shift-add multiply 13 * 11 = 143
        lda #9
        sta TEST
        lda #13
        sta $33
        lda #11
        sta $34
        lda #0
        ldx #8
mul:    lsr $34
        bcc noadd
        clc
        adc $33
noadd:  asl $33
        dex
        bne mul
        cmp #143
        bne fail3
; 10: undocumented opcodes
        lda #10
        sta TEST
        lax val5a
        cpx #$5a
        bne fail3
        lda #$f0
        ldx #$3c
        sax $35
        lda $35
        cmp #$30
        bne fail3
        lda #3          ; DCP as a loop counter
        sta COUNT
        ldy #0
dcploop: iny
        lda #0
        dcp COUNT
        bne dcploop
        cpy #3
        bne fail3
        lda #$01        ; SLO
        sta $36
        lda #$10
        slo $36
        cmp #$12
        bne fail3
        sec
        lda #$10        ; ISB: $0f -> $10, A = $10 - $10 = 0
        ldx #$0f
        stx $37
        isb $37
        bne fail3
        jmp t11
fail3:  jmp fail
val5a:  .byte $5a
; 11: BRK / RTI
t11:    lda #11
        sta TEST
        lda #0
        sta $38
        brk
        .byte $ff
        lda $38
        cmp #1
        bne fail4
; 12: JMP ($xxFF) reads the high byte from $xx00
        lda #12
        sta TEST
        lda #<t12ok
        sta $03ff
        lda #>t12ok
        sta $0300
        lda #>fail
        sta $0400
        jmp ($03ff)
t12ok:
; 13: zp,X wraps within page zero; abs,X crosses pages
        lda #13
        sta TEST
        lda #$77
        sta $05
        ldx #$10
        lda $f5,x
        cmp #$77
        bne fail4
        ldx #$ff
        lda #$66
        sta $0401
        lda $0302,x
        cmp #$66
        bne fail4
; 14: overflow flag
        lda #14
        sta TEST
        clc
        lda #$7f
        adc #1
        bvc fail4
        clv
        sec
        lda #$80
        sbc #1
        bvc fail4
        lda #$20
        bit bit40
        bvc fail4
        beq fail4
        jmp pass
fail4:  jmp fail
bit40:  .byte $60
irq:    inc $38
        rti
pass:   jmp pass
fail:   jmp fail
        .org $fffe
        .word irq
`;

describe('self-checking program', () => {
  it('runs to `pass`', () => {
    const { cpu, bus, labels } = asmMachine(PROGRAM, 0x0200);
    bus.logging = false;
    let cycles = 0;
    for (let i = 0; i < 100000 && cpu.pc !== labels.pass && cpu.pc !== labels.fail; i++)
      cycles += stepChecked(cpu, bus);
    expect({
      pc: cpu.pc === labels.pass ? 'pass' : cpu.pc === labels.fail ? 'fail' : cpu.pc,
      test: bus.mem[0],
    }).toEqual({
      pc: 'pass',
      test: 14,
    });
    expect(cycles).toBeGreaterThan(1000);
  });
});
