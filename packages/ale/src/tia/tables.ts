/**
 * Precomputed TIA tables following the model of the Stella 2.x TIA inside ALE (src/ale/emucore/TIA.cxx): object
 * masks indexed by [alignment][...][x] over a 320-wide wrap-around window, the playfield bit table, the collision
 * table, the priority encoder, and the late-HMOVE motion table. Matching ALE frame-exactly means matching this
 * model (including its approximations), not the real chip. Tables are built once at module load.
 */

// Object bits in the "enabled objects" byte.
export const PF_BIT = 0x01;
export const BL_BIT = 0x02;
export const P1_BIT = 0x04;
export const M1_BIT = 0x08;
export const P0_BIT = 0x10;
export const M0_BIT = 0x20;
// CTRLPF bits 1 (score) and 2 (priority) shifted left by 5.
export const SCORE_BIT = 0x40;
export const PRIORITY_BIT = 0x80;

/** Offsets into the flat mask tables. */
export const playerMaskIndex = (align: number, enable: number, mode: number): number =>
  ((align * 2 + enable) * 8 + mode) * 320;
export const missileMaskIndex = (align: number, number: number, size: number): number =>
  ((align * 8 + number) * 4 + size) * 320;
export const ballMaskIndex = (align: number, size: number): number => (align * 4 + size) * 320;

/** Player masks [4 align][2 enable][8 mode][320]: the GRP bit shown at each x (0 = nothing). */
export const PLAYER_MASKS = new Uint8Array(4 * 2 * 8 * 320);
/** Missile masks [4 align][8 number][4 size][320], followed by 640 zero bytes (the "disabled" mask). */
export const MISSILE_MASKS = new Uint8Array(4 * 8 * 4 * 320 + 640);
export const MISSILE_DISABLED_INDEX = 4 * 8 * 4 * 320;
/** Ball masks [4 align][4 size][320]. */
export const BALL_MASKS = new Uint8Array(4 * 4 * 320);
/** Playfield bit masks [2 reflect][160] over the 20-bit PF register (PF0 bits 0-3, PF1 bits 4-11, PF2 12-19). */
export const PLAYFIELD_MASKS = [new Uint32Array(160), new Uint32Array(160)] as const;
/** Collision latch bits for each combination of the six object bits. */
export const COLLISION_TABLE = new Uint16Array(64);
/** Colour register (0 BK, 1 PF, 2 P0, 3 P1) per half-screen [0 left, 1 right] and enabled|priority|score byte. */
export const PRIORITY_ENCODER = [new Uint8Array(256), new Uint8Array(256)] as const;
/** Bit-reversed bytes (REFPx). */
export const REFLECT = new Uint8Array(256);
/** [mode][oldx][newx] -> -1 (RESPx in the start delay of a copy), 1 (during a copy), 0 (otherwise). */
export const PLAYER_RESET_WHEN = new Int8Array(8 * 160 * 160);
export const resetWhenIndex = (mode: number, oldx: number, newx: number): number => (mode * 160 + oldx) * 160 + newx;

/** Per-register delay (colour clocks) applied before a TIA write takes effect; -1 = playfield (position dependent). */
export const POKE_DELAY = new Int16Array([
  0, 1, 0, 0, 8, 8, 0, 0, 0, 0, 0, 1, 1, -1, -1, -1, 0, 0, 8, 8, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
]);

/** CPU cycles within a line (0-75) at which an HMOVE write enables the HMOVE blank. */
export const HMOVE_BLANK_CYCLES = new Uint8Array(76);
for (let i = 0; i <= 20; i++) HMOVE_BLANK_CYCLES[i] = 1;
HMOVE_BLANK_CYCLES[75] = 1;

/**
 * Motion applied by HMOVE written at CPU cycle x of the line, per HMxx nibble: the Stella 2.x table that models late
 * HMOVEs. Rows 21-54 apply no motion. Stored as [76][16].
 */
export const HMOVE_MOTION = new Int8Array(76 * 16);
{
  const early = [0, -1, -2, -3, -4, -5, -6, -7, 8, 7, 6, 5, 4, 3, 2, 1];
  const rows: Record<number, number[]> = {
    0: early,
    1: early,
    2: early,
    3: early,
    4: [0, -1, -2, -3, -4, -5, -6, -6, 8, 7, 6, 5, 4, 3, 2, 1],
    5: [0, -1, -2, -3, -4, -5, -5, -5, 8, 7, 6, 5, 4, 3, 2, 1],
    6: [0, -1, -2, -3, -4, -5, -5, -5, 8, 7, 6, 5, 4, 3, 2, 1],
    7: [0, -1, -2, -3, -4, -4, -4, -4, 8, 7, 6, 5, 4, 3, 2, 1],
    8: [0, -1, -2, -3, -3, -3, -3, -3, 8, 7, 6, 5, 4, 3, 2, 1],
    9: [0, -1, -2, -2, -2, -2, -2, -2, 8, 7, 6, 5, 4, 3, 2, 1],
    10: [0, -1, -2, -2, -2, -2, -2, -2, 8, 7, 6, 5, 4, 3, 2, 1],
    11: [0, -1, -1, -1, -1, -1, -1, -1, 8, 7, 6, 5, 4, 3, 2, 1],
    12: [0, 0, 0, 0, 0, 0, 0, 0, 8, 7, 6, 5, 4, 3, 2, 1],
    13: [1, 1, 1, 1, 1, 1, 1, 1, 8, 7, 6, 5, 4, 3, 2, 1],
    14: [1, 1, 1, 1, 1, 1, 1, 1, 8, 7, 6, 5, 4, 3, 2, 1],
    15: [2, 2, 2, 2, 2, 2, 2, 2, 8, 7, 6, 5, 4, 3, 2, 2],
    16: [3, 3, 3, 3, 3, 3, 3, 3, 8, 7, 6, 5, 4, 3, 3, 3],
    17: [4, 4, 4, 4, 4, 4, 4, 4, 8, 7, 6, 5, 4, 4, 4, 4],
    18: [4, 4, 4, 4, 4, 4, 4, 4, 8, 7, 6, 5, 4, 4, 4, 4],
    19: [5, 5, 5, 5, 5, 5, 5, 5, 8, 7, 6, 5, 5, 5, 5, 5],
    20: [6, 6, 6, 6, 6, 6, 6, 6, 8, 7, 6, 6, 6, 6, 6, 6],
    55: [0, 0, 0, 0, 0, 0, 0, -1, 0, 0, 0, 0, 0, 0, 0, 0],
    56: [0, 0, 0, 0, 0, 0, -1, -2, 0, 0, 0, 0, 0, 0, 0, 0],
    57: [0, 0, 0, 0, 0, -1, -2, -3, 0, 0, 0, 0, 0, 0, 0, 0],
    58: [0, 0, 0, 0, 0, -1, -2, -3, 0, 0, 0, 0, 0, 0, 0, 0],
    59: [0, 0, 0, 0, -1, -2, -3, -4, 0, 0, 0, 0, 0, 0, 0, 0],
    60: [0, 0, 0, -1, -2, -3, -4, -5, 0, 0, 0, 0, 0, 0, 0, 0],
    61: [0, 0, -1, -2, -3, -4, -5, -6, 0, 0, 0, 0, 0, 0, 0, 0],
    62: [0, 0, -1, -2, -3, -4, -5, -6, 0, 0, 0, 0, 0, 0, 0, 0],
    63: [0, -1, -2, -3, -4, -5, -6, -7, 0, 0, 0, 0, 0, 0, 0, 0],
    64: [-1, -2, -3, -4, -5, -6, -7, -8, 0, 0, 0, 0, 0, 0, 0, 0],
    65: [-2, -3, -4, -5, -6, -7, -8, -9, 0, 0, 0, 0, 0, 0, 0, -1],
    66: [-2, -3, -4, -5, -6, -7, -8, -9, 0, 0, 0, 0, 0, 0, 0, -1],
    67: [-3, -4, -5, -6, -7, -8, -9, -10, 0, 0, 0, 0, 0, 0, -1, -2],
    68: [-4, -5, -6, -7, -8, -9, -10, -11, 0, 0, 0, 0, 0, -1, -2, -3],
    69: [-5, -6, -7, -8, -9, -10, -11, -12, 0, 0, 0, 0, -1, -2, -3, -4],
    70: [-5, -6, -7, -8, -9, -10, -11, -12, 0, 0, 0, 0, -1, -2, -3, -4],
    71: [-6, -7, -8, -9, -10, -11, -12, -13, 0, 0, 0, -1, -2, -3, -4, -5],
    72: [-7, -8, -9, -10, -11, -12, -13, -14, 0, 0, -1, -2, -3, -4, -5, -6],
    73: [-8, -9, -10, -11, -12, -13, -14, -15, 0, -1, -2, -3, -4, -5, -6, -7],
    74: [-8, -9, -10, -11, -12, -13, -14, -15, 0, -1, -2, -3, -4, -5, -6, -7],
    75: early,
  };
  for (const [row, values] of Object.entries(rows)) HMOVE_MOTION.set(values, Number(row) * 16);
}

/** Copy x offsets for each NUSIZ mode (player copies 8 px wide; modes 5/7 are one stretched copy). */
const COPIES: readonly (readonly number[])[] = [[0], [0, 16], [0, 32], [0, 16, 32], [0, 64], [0], [0, 32, 64], [0]];

function buildMasks(): void {
  // Players, alignment 0. Modes 5 and 7 are delayed by one pixel (">" instead of ">=").
  for (let enable = 0; enable < 2; enable++) {
    for (let mode = 0; mode < 8; mode++) {
      const base = playerMaskIndex(0, enable, mode);
      for (let x = 0; x < 160 + 72; x++) {
        let v = -1;
        if (mode === 5) {
          if (enable === 0 && x > 0 && x <= 16) v = 0x80 >> ((x - 1) >> 1);
        } else if (mode === 7) {
          if (enable === 0 && x > 0 && x <= 32) v = 0x80 >> ((x - 1) >> 2);
        } else {
          const copies = COPIES[mode]!;
          if (enable === 0 && x >= 0 && x < 8) v = 0x80 >> x;
          else {
            for (let c = 1; c < copies.length; c++) {
              const d = x - copies[c]!;
              if (d >= 0 && d < 8) {
                v = 0x80 >> d;
                break;
              }
            }
          }
        }
        if (v >= 0) PLAYER_MASKS[base + (x % 160)] = v;
      }
      for (let x = 0; x < 160; x++) PLAYER_MASKS[base + x + 160] = PLAYER_MASKS[base + x]!;
    }
  }
  // Missiles, alignment 0. Modes 5 and 7 show one copy.
  const missileCopies: readonly (readonly number[])[] = [
    [0],
    [0, 16],
    [0, 32],
    [0, 16, 32],
    [0, 64],
    [0],
    [0, 32, 64],
    [0],
  ];
  for (let number = 0; number < 8; number++) {
    for (let size = 0; size < 4; size++) {
      const base = missileMaskIndex(0, number, size);
      const w = 1 << size;
      for (let x = 0; x < 160 + 72; x++) {
        for (const c of missileCopies[number]!) {
          if (x - c >= 0 && x - c < w) {
            MISSILE_MASKS[base + (x % 160)] = 1;
            break;
          }
        }
      }
      for (let x = 0; x < 160; x++) MISSILE_MASKS[base + x + 160] = MISSILE_MASKS[base + x]!;
    }
  }
  // Ball, alignment 0.
  for (let size = 0; size < 4; size++) {
    const base = ballMaskIndex(0, size);
    for (let x = 0; x < 1 << size; x++) BALL_MASKS[base + x] = 1;
    for (let x = 0; x < 160; x++) BALL_MASKS[base + x + 160] = BALL_MASKS[base + x]!;
  }
  // Alignments 1-3 are the alignment-0 tables shifted right by align (mod 320).
  for (let align = 1; align < 4; align++) {
    for (let enable = 0; enable < 2; enable++) {
      for (let mode = 0; mode < 8; mode++) {
        const src = playerMaskIndex(0, enable, mode);
        const dst = playerMaskIndex(align, enable, mode);
        for (let x = 0; x < 320; x++) PLAYER_MASKS[dst + x] = PLAYER_MASKS[src + ((x + 320 - align) % 320)]!;
      }
    }
    for (let number = 0; number < 8; number++) {
      for (let size = 0; size < 4; size++) {
        const src = missileMaskIndex(0, number, size);
        const dst = missileMaskIndex(align, number, size);
        for (let x = 0; x < 320; x++) MISSILE_MASKS[dst + x] = MISSILE_MASKS[src + ((x + 320 - align) % 320)]!;
      }
    }
    for (let size = 0; size < 4; size++) {
      const src = ballMaskIndex(0, size);
      const dst = ballMaskIndex(align, size);
      for (let x = 0; x < 320; x++) BALL_MASKS[dst + x] = BALL_MASKS[src + ((x + 320 - align) % 320)]!;
    }
  }
}

function buildPlayfield(): void {
  const [normal, reflected] = PLAYFIELD_MASKS;
  for (let x = 0; x < 160; x++) {
    if (x < 16) normal[x] = 0x00001 << (x >> 2);
    else if (x < 48) normal[x] = 0x00800 >>> ((x - 16) >> 2);
    else if (x < 80) normal[x] = 0x01000 << ((x - 48) >> 2);
    else if (x < 96) normal[x] = 0x00001 << ((x - 80) >> 2);
    else if (x < 128) normal[x] = 0x00800 >>> ((x - 96) >> 2);
    else normal[x] = 0x01000 << ((x - 128) >> 2);

    if (x < 80) reflected[x] = normal[x]!;
    else if (x < 112) reflected[x] = 0x80000 >>> ((x - 80) >> 2);
    else if (x < 144) reflected[x] = 0x00010 << ((x - 112) >> 2);
    else reflected[x] = 0x00008 >>> ((x - 144) >> 2);
  }
}

function buildCollisions(): void {
  const pairs: [number, number, number][] = [
    [M0_BIT, P1_BIT, 0x0001],
    [M0_BIT, P0_BIT, 0x0002],
    [M1_BIT, P0_BIT, 0x0004],
    [M1_BIT, P1_BIT, 0x0008],
    [P0_BIT, PF_BIT, 0x0010],
    [P0_BIT, BL_BIT, 0x0020],
    [P1_BIT, PF_BIT, 0x0040],
    [P1_BIT, BL_BIT, 0x0080],
    [M0_BIT, PF_BIT, 0x0100],
    [M0_BIT, BL_BIT, 0x0200],
    [M1_BIT, PF_BIT, 0x0400],
    [M1_BIT, BL_BIT, 0x0800],
    [BL_BIT, PF_BIT, 0x1000],
    [P0_BIT, P1_BIT, 0x2000],
    [M0_BIT, M1_BIT, 0x4000],
  ];
  for (let i = 0; i < 64; i++) {
    let v = 0;
    for (const [a, b, bit] of pairs) if (i & a && i & b) v |= bit;
    COLLISION_TABLE[i] = v;
  }
}

function buildPriority(): void {
  for (let half = 0; half < 2; half++) {
    for (let e = 0; e < 256; e++) {
      let color = 0;
      if (e & PRIORITY_BIT) {
        if (e & (P1_BIT | M1_BIT)) color = 3;
        if (e & (P0_BIT | M0_BIT)) color = 2;
        if (e & BL_BIT) color = 1;
        if (e & PF_BIT) color = 1;
      } else {
        if (e & BL_BIT) color = 1;
        if (e & PF_BIT) color = e & SCORE_BIT ? (half === 0 ? 2 : 3) : 1;
        if (e & (P1_BIT | M1_BIT)) color = color !== 2 ? 3 : 2;
        if (e & (P0_BIT | M0_BIT)) color = 2;
      }
      PRIORITY_ENCODER[half][e] = color;
    }
  }
}

function buildReflect(): void {
  for (let i = 0; i < 256; i++) {
    let r = 0;
    for (let t = 1; t <= 128; t *= 2) r = (r << 1) | (i & t ? 1 : 0);
    REFLECT[i] = r;
  }
}

function buildResetWhen(): void {
  for (let mode = 0; mode < 8; mode++) {
    const copies = mode === 5 || mode === 7 ? [0] : COPIES[mode]!;
    const width = mode === 5 ? 16 : mode === 7 ? 32 : 8;
    for (let oldx = 0; oldx < 160; oldx++) {
      const row = (mode * 160 + oldx) * 160;
      for (let newx = 0; newx < 160 + 72 + 5; newx++) {
        for (const c of copies) {
          if (newx >= oldx + c && newx < oldx + c + 4) PLAYER_RESET_WHEN[row + (newx % 160)] = -1;
        }
        for (const c of copies) {
          if (newx >= oldx + c + 4 && newx < oldx + c + 4 + width) PLAYER_RESET_WHEN[row + (newx % 160)] = 1;
        }
      }
    }
  }
}

buildMasks();
buildPlayfield();
buildCollisions();
buildPriority();
buildReflect();
buildResetWhen();
