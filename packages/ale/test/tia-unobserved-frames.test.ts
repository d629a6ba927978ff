// Unobserved frames (tia.ts): an emulator that draws only the frames it is told are observed gives the same
// screens, collision latches, RAM and saved states as one that draws every frame.
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { VENV_PYTHON } from '../scripts/compare-lib.js';
import { AleEmulator } from '../src/ale/emulator.js';
import { AleEnv } from '../src/ale/env.js';
import { loadRom } from '../src/ale/roms.js';
import { Machine } from '../src/machine.js';
import { Mt19937 } from '@vinegym/rng';
import { kernelRom } from './helpers.js';

/**
 * Paper games, and games whose frames do not always cover the window: Q*bert, Alien and Journey Escape end some
 * frames (Journey Escape nearly all) before the window's last line, Maze Craze is interrupted by the instruction
 * limit. Their later frames show pixels of undrawn ones, which must then be drawn after all.
 */
const GAMES = ['pong', 'space_invaders', 'seaquest', 'qbert', 'alien', 'journey_escape', 'maze_craze'];
const FRAMES = 1000;

function requireVenv(): void {
  if (!existsSync(VENV_PYTHON)) throw new Error('Python venv with ale-py missing: run `pnpm test:setup`');
}

const same = (a: Uint8Array, b: Uint8Array) => Buffer.compare(Buffer.from(a), Buffer.from(b)) === 0;

/** First difference between an eager and a lazy emulator over `frames` frames, or null. */
async function firstDifference(game: string, frames: number, seed: number): Promise<string | null> {
  const rom = loadRom(game);
  const eager = new AleEmulator(rom, undefined, { randomSeed: seed });
  const lazy = new AleEmulator(rom, undefined, { randomSeed: seed });
  const rng = new Mt19937(seed);
  const minimal = eager.minimalActionSet;
  for (let frame = 0; frame < frames; frame++) {
    if (frame % 250 === 0) await new Promise((resolve) => setImmediate(resolve));
    if (eager.isTerminal()) {
      eager.reset();
      lazy.reset();
    }
    const action = minimal[rng.next() % minimal.length]!;
    // About one frame in four observed, as with ALE's frame skip of 4; runs of unobserved frames of any length.
    const observed = rng.next() % 4 === 0;
    eager.act(action);
    lazy.act(action, observed);
    if (eager.machine.tia.collision !== lazy.machine.tia.collision) return `frame ${frame}: collisions`;
    if (!same(eager.machine.ram(), lazy.machine.ram())) return `frame ${frame}: RAM`;
    if (observed || frame % 13 === 0) {
      if (!same(eager.machine.screen(), lazy.machine.screen())) return `frame ${frame}: screen`;
    }
    if (frame % 97 === 0 && !same(eager.saveState(), lazy.saveState())) return `frame ${frame}: state`;
  }
  return same(eager.saveState(), lazy.saveState()) ? null : 'end: state';
}

/**
 * A test ROM whose background colour changes every frame and whose every fourth frame ends at line 134, short of
 * the window's last line (244): that frame's last lines show the frame two before it.
 */
const SHORT_FRAMES = kernelRom(
  '  lda #0\n  sta $80',
  '  lda $80\n  and #3\n  bne long\n  cpy #120\n  bne long\n  ldy #1\nlong:',
  '  inc $80\n  lda $80\n  asl\n  sta COLUBK',
);

describe('unobserved frames', () => {
  it('frames that end short show the undrawn frame two before them, drawn after all', { timeout: 120_000 }, () => {
    for (let phase = 0; phase < 6; phase++) {
      const eager = new Machine(SHORT_FRAMES, { format: 'NTSC' });
      const lazy = new Machine(SHORT_FRAMES, { format: 'NTSC' });
      for (let frame = 0; frame < 1400; frame++) {
        // Phases 0-3: one frame in four observed, each phase against the short frames; 4 and 5: every third
        // frame, and 5 also looks at every short frame (an undrawn one is then drawn over the undrawn one before).
        const observed = phase < 4 ? frame % 4 === phase : frame % 3 === 0;
        const lines = eager.runFrame();
        lazy.runFrame(observed);
        if (observed || (phase === 5 && lines < 200)) {
          expect(same(eager.screen(), lazy.screen()), `phase ${phase}, frame ${frame}`).toBe(true);
        }
      }
      expect(same(eager.saveState(), lazy.saveState())).toBe(true);
    }
  });

  for (const game of GAMES) {
    it(`${game}: lazy drawing gives the eager screens, collisions, RAM and states`, { timeout: 120_000 }, async () => {
      requireVenv();
      expect(await firstDifference(game, FRAMES, 3)).toBeNull();
    });
  }

  it('one frame drawn after all (Q*bert after a reset) does not make the next frames eager; frames that keep ending short do', () => {
    requireVenv();
    const eagerFrames = (m: Machine) => (m.tia as unknown as { undrawn: { eagerFrames: number } }).undrawn.eagerFrames;
    // Q*bert's first frame after a reset runs past the instruction limit: it is drawn at once, once.
    const env = new AleEnv({ game: 'qbert' });
    for (let episode = 0; episode < 2; episode++) {
      env.reset(episode);
      for (let step = 0; step < 20; step++) env.act(0);
      expect(eagerFrames(env.ale.machine)).toBe(0);
    }
    // SHORT_FRAMES ends every fourth frame short: unobserved, each of those is drawn after all.
    const short = new Machine(SHORT_FRAMES, { format: 'NTSC' });
    for (let frame = 0; frame < 12; frame++) short.runFrame(false);
    expect(eagerFrames(short)).toBeGreaterThan(0);
  });

  it(
    'AleEnv: steps draw only the observed frames, and the observations are the eager ones',
    { timeout: 60_000 },
    () => {
      requireVenv();
      // RGB observations, and grayscale with the penultimate screen (max-pooling); RAM observations with renders.
      for (const obsType of ['rgb', 'grayscale', 'ram'] as const) {
        const env = new AleEnv({ game: 'qbert', obsType });
        const eager = new AleEmulator(loadRom('qbert'), undefined, { randomSeed: 0 });
        env.reset(5);
        eager.loadState(env.ale.saveState());
        const penultimate = new Uint8Array(210 * 160);
        const rng = new Mt19937(1);
        for (let step = 0; step < 300; step++) {
          const action = rng.next() % env.actionSpace.n;
          env.act(action, obsType === 'grayscale' ? penultimate : undefined);
          let eagerPenultimate: Uint8Array | null = null;
          for (let i = 0; i < 4; i++) {
            if (i === 3) eagerPenultimate = eager.machine.screen().slice();
            eager.act(env.actionSet[action]!);
          }
          if (obsType === 'grayscale') expect(same(penultimate, eagerPenultimate!)).toBe(true);
          if (obsType !== 'ram' || step % 10 === 0) {
            expect(same(env.render().data, eager.machine.screenRGB())).toBe(true);
          }
          if (env.terminated) break;
        }
      }
    },
  );
});
