// The block compiler against the interpreter: the paper games, machine by machine, frame by frame.
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VENV_PYTHON } from '../scripts/compare-lib.js';
import { AleEmulator } from '../src/ale/emulator.js';
import { loadRom } from '../src/ale/roms.js';
import { compiledBlockCount, setCompileAfter } from '../src/cpu/blocks.js';
import { Mt19937 } from '@vinegym/rng';
import { kernelRom } from './helpers.js';
import { Machine } from '../src/machine.js';

/** Whether two machines' saved states (registers, cycles, RAM, TIA, RIOT, cartridge) are byte for byte equal. */
function sameState(a: Machine, b: Machine): boolean {
  return Buffer.compare(Buffer.from(a.saveState()), Buffer.from(b.saveState())) === 0;
}

const PAPER_GAMES = ['pong', 'breakout', 'beam_rider', 'enduro', 'qbert', 'seaquest', 'space_invaders'];
const FRAMES = 3000;

function requireVenv(): void {
  if (!existsSync(VENV_PYTHON)) throw new Error('Python venv with ale-py missing: run `pnpm test:setup`');
}

/**
 * First frame where the two emulators differ (whole machine state or screen), or null. Yields to the event loop
 * now and then: a game takes tens of seconds on a loaded machine, and the test runner's worker must keep talking.
 */
async function firstDifference(game: string, frames: number, seed: number): Promise<string | null> {
  const rom = loadRom(game);
  const options = (compileBlocks: boolean) => ({ randomSeed: seed, machine: { compileBlocks } });
  const reference = new AleEmulator(rom, undefined, options(false));
  const compiled = new AleEmulator(rom, undefined, options(true));
  const actions = new Mt19937(seed);
  const minimal = reference.minimalActionSet;
  for (let frame = 0; frame < frames; frame++) {
    if (frame % 250 === 0) await new Promise((resolve) => setImmediate(resolve));
    if (reference.isTerminal()) {
      reference.reset();
      compiled.reset();
    }
    const action = minimal[actions.next() % minimal.length]!;
    const reward = reference.act(action);
    if (compiled.act(action) !== reward) return `frame ${frame}: reward`;
    const a = reference.machine;
    const b = compiled.machine;
    const registers = (m: typeof a) => [...m.cpu.saveState(), m.cycles, m.lastAccess, m.instructions].join(',');
    if (registers(a) !== registers(b)) return `frame ${frame}: registers ${registers(a)} vs ${registers(b)}`;
    if (Buffer.compare(Buffer.from(a.ram()), Buffer.from(b.ram())) !== 0) return `frame ${frame}: RAM`;
    // The whole machine (TIA, RIOT, cartridge) now and then: its state is large.
    if (frame % 100 === 99 && !sameState(a, b)) {
      return `frame ${frame}: machine state`;
    }
    if (Buffer.compare(Buffer.from(a.screen()), Buffer.from(b.screen())) !== 0) return `frame ${frame}: screen`;
  }
  return null;
}

describe('compiled blocks', () => {
  // Compile nearly every block a game runs (the default waits for hot code): the comparison then covers them all.
  let defaultCompileAfter = 0;
  beforeAll(() => {
    defaultCompileAfter = setCompileAfter(8);
  });
  afterAll(() => {
    setCompileAfter(defaultCompileAfter);
  });

  for (const game of PAPER_GAMES) {
    it(`${game}: registers, cycles, RAM and screen equal the interpreter's every frame for ${FRAMES} frames`, async () => {
      requireVenv();
      const before = compiledBlockCount();
      expect(await firstDifference(game, FRAMES, 11)).toBeNull();
      expect(compiledBlockCount()).toBeGreaterThan(before);
    }, 300_000);
  }

  it('stops at the same instruction as the interpreter under any instruction budget', () => {
    // Budgets of 1-23 instructions end inside blocks, inside loops and inside timer waits.
    const rom = kernelRom(
      '  lda #$F0\n  sta $91',
      '  ldx #4\nl:\n  lda $80,x\n  sta COLUPF\n  dex\n  bne l\n  inc $85',
      '  lda #$08\n  sta TIM64T\nw:\n  lda INTIM\n  bne w',
    );
    const a = new Machine(rom, { format: 'NTSC', compileBlocks: false });
    const b = new Machine(rom, { format: 'NTSC', compileBlocks: true });
    const before = compiledBlockCount();
    for (let i = 0; i < 8_000; i++) {
      const budget = 1 + ((i * 7) % 23);
      a.stopRequested = b.stopRequested = false;
      expect(b.cpu.run(budget)).toBe(a.cpu.run(budget));
      if (i % 97 === 0) expect(sameState(a, b)).toBe(true);
    }
    expect(compiledBlockCount()).toBeGreaterThan(before);
    expect(sameState(a, b)).toBe(true);
  });

  it('a test kernel with timer waits, indexed and indirect accesses, stack and decimal mode runs identically', () => {
    const rom = kernelRom(
      '  lda #$10\n  sta $90\n  lda #$F0\n  sta $91',
      '  lda ($90),y\n  sta COLUBK\n  lda $80,x\n  adc $F000,y\n  sta $82,x\n  inc $83\n  dec $84,x\n  tya\n  pha\n  pla\n  php\n  plp',
      '  sed\n  lda $85\n  clc\n  adc #$17\n  sta $85\n  sbc #$09\n  cld\n  lda #$20\n  sta TIM64T\nw:\n  lda INTIM\n  bne w',
    );
    const a = new Machine(rom, { format: 'NTSC', compileBlocks: false });
    const b = new Machine(rom, { format: 'NTSC', compileBlocks: true });
    for (let i = 0; i < 60; i++) {
      a.runFrame();
      b.runFrame();
      expect(sameState(a, b)).toBe(true);
    }
  });
  it('blocks that go on through JMP and JSR stop where the interpreter does when the pushes end the frame', () => {
    // Once a frame, a JSR pushes its return address into the TIA: $101 (VBLANK), then $100 (VSYNC), which ends the
    // frame when the low byte has bit 1 clear (one of the NOP paddings gives that) and the run must stop after the
    // JSR. Every line, a JSR and a JMP the block goes on through.
    for (let padding = 0; padding < 4; padding++) {
      const rom = kernelRom(
        '  lda #$10\n  sta $90',
        '  jsr sub\n  jmp next\nsub:\n  lda $90\n  sta COLUBK\n  inc $90\n  rts\nnext:\n  lda $90\n  sta COLUPF',
        `  lda #2\n  sta VSYNC\n  sta WSYNC\n${'  nop\n'.repeat(padding)}  ldx #$01\n  txs\n  jsr tiasub\n` +
          'tiasub:\n  ldx #$FF\n  txs\n  lda #0\n  sta VBLANK',
      );
      const a = new Machine(rom, { format: 'NTSC', compileBlocks: false });
      const b = new Machine(rom, { format: 'NTSC', compileBlocks: true });
      const before = compiledBlockCount();
      for (let i = 0; i < 60; i++) {
        a.runFrame();
        b.runFrame();
        expect(sameState(a, b)).toBe(true);
      }
      expect(compiledBlockCount()).toBeGreaterThan(before);
    }
  });
});

describe('compiled blocks at the default threshold', () => {
  it('boxing (a ROM no other test here compiles): only hot blocks are compiled, frames equal the interpreter', async () => {
    requireVenv();
    const before = compiledBlockCount();
    expect(await firstDifference('boxing', FRAMES, 12)).toBeNull();
    const compiled = compiledBlockCount() - before;
    // The kernel loops run hundreds of times a frame; start-up and once-a-frame code stays interpreted.
    expect(compiled).toBeGreaterThan(0);
    expect(compiled).toBeLessThan(60);
  }, 300_000);
});
