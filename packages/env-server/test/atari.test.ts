/**
 * ALE/<Game>-v5 through the embedded service: the paper's preprocessed input ([52, 40, 4] uint8), snapshots
 * (snapshot -> k steps -> restore -> k steps gives identical observations and rewards), kwargs validation, and the
 * error when ROMs are missing. Needs ale-py's ROMs (`pnpm test:setup`).
 */
import { AleEnv, compiledBlockCount } from '@vinegym/ale';
import { ndarray } from '@vinegym/protocol';
import type { NDArray } from '@vinegym/protocol';
import { describe, expect, it } from 'vitest';
import { ATARI_ENVS } from '../src/envs/atari.js';
import { createDefaultRegistry } from '../src/registry.js';
import { decodeSnapshot, encodeSnapshot } from '../src/snapshot.js';
import { EnvService } from '../src/service.js';

const PAPER_KWARGS = {
  obs_type: 'grayscale',
  downsample: 4,
  frame_stack: 4,
  max_pool: true,
  repeat_action_probability: 0,
};

/** Code and message of the error `fn` throws. */
async function failure(fn: () => unknown): Promise<string> {
  try {
    await fn();
  } catch (error) {
    const e = error as { code?: string; message?: string };
    return `${e.code}: ${e.message}`;
  }
  return 'no error';
}

describe('ALE/<Game>-v5 envs', () => {
  it('registers the ale-py v5 ids, the paper games included', () => {
    const ids = ATARI_ENVS.map((d) => d.id);
    expect(ids).toHaveLength(104);
    for (const game of ['Pong', 'Breakout', 'BeamRider', 'Enduro', 'Qbert', 'Seaquest', 'SpaceInvaders']) {
      expect(ids).toContain(`ALE/${game}-v5`);
    }
    expect(ids).toContain('ALE/TicTacToe3D-v5');
  });

  it('compile_blocks: the compiled emulator gives the episode of the interpreter, step by step', async () => {
    // In-process envs (no worker threads), so that this process's block count shows the compiled path ran.
    const service = new EnvService({ registry: createDefaultRegistry(), workers: 0 });
    const owner = {};
    const open = async (kwargs: Record<string, string | number | boolean>) => {
      const made = await service.make({ env_id: 'ALE/Pong-v5', kwargs, num_envs: 2 }, owner);
      await service.reset({ session_id: made.session_id, seed: 3 }, owner);
      return made.session_id;
    };
    const kwargs = { obs_type: 'grayscale', downsample: 2 };
    const sessions = [
      await open({ ...kwargs, compile_blocks: false }),
      await open({ ...kwargs, compile_blocks: true }),
    ];
    const compiledBefore = compiledBlockCount();
    try {
      // 400 steps = 1,600 frames per env: Pong's kernel loops are compiled within the first hundred frames.
      for (let t = 0; t < 400; t++) {
        const actions = ndarray('int64', [2], [t % 6, (t * 7) % 6]);
        const [a, b] = await Promise.all(sessions.map((session_id) => service.step({ session_id, actions }, owner)));
        expect(
          Buffer.compare(
            Buffer.from((a!.observations as NDArray).data as Uint8Array),
            Buffer.from((b!.observations as NDArray).data as Uint8Array),
          ),
        ).toBe(0);
        expect([...b!.rewards.data]).toEqual([...a!.rewards.data]);
      }
      expect(compiledBlockCount()).toBeGreaterThan(compiledBefore);
    } finally {
      service.closeAll();
    }
  }, 120_000);

  it('compiled blocks are the default; compile_blocks: false runs the interpreter alone', async () => {
    // AleEnv, the env the server wraps. Its first machine also runs the once-per-process warm-up, which compiles
    // blocks of its own program: done before the counts below.
    expect(new AleEnv({ game: 'pong' }).ale.machine.cpu.compileBlocks).toBe(true);
    expect(new AleEnv({ game: 'pong', compileBlocks: false }).ale.machine.cpu.compileBlocks).toBe(false);
    // Through the server's kwargs: Enduro, a ROM no other test in this file runs, so its blocks are compiled here or
    // not at all (blocks are shared per process and ROM).
    const service = new EnvService({ registry: createDefaultRegistry(), workers: 0 });
    const owner = {};
    const blocksCompiledBy = async (kwargs: Record<string, boolean>) => {
      const before = compiledBlockCount();
      const { session_id } = await service.make({ env_id: 'ALE/Enduro-v5', kwargs, num_envs: 2 }, owner);
      await service.reset({ session_id, seed: 5 }, owner);
      // 150 steps = 600 frames per env: the kernel loops reach the compile threshold within the first hundred.
      for (let t = 0; t < 150; t++) {
        await service.step({ session_id, actions: ndarray('int64', [2], [t % 9, (t * 5) % 9]) }, owner);
      }
      return compiledBlockCount() - before;
    };
    try {
      expect(await blocksCompiledBy({ compile_blocks: false })).toBe(0);
      expect(await blocksCompiledBy({})).toBeGreaterThan(0);
    } finally {
      service.closeAll();
    }
  }, 120_000);

  it('ALE/Pong-v5 with preprocessing gives [52, 40, 4] uint8 and snapshots restore exactly', async () => {
    const service = new EnvService({ registry: createDefaultRegistry() });
    const owner = {};
    const made = await service.make({ env_id: 'ALE/Pong-v5', kwargs: PAPER_KWARGS, num_envs: 1 }, owner);
    const session_id = made.session_id;
    const reset = await service.reset({ session_id, seed: 7 }, owner);
    const first = reset.observations as NDArray<'uint8'>;
    expect(first.dtype).toBe('uint8');
    expect(first.shape).toEqual([1, 52, 40, 4]);
    const act = (a: number) => service.step({ session_id, actions: ndarray('int64', [1], [a]) }, owner);
    for (let t = 0; t < 30; t++) await act(t % 6);
    const [snapshot] = (await service.snapshot({ session_id, env_indices: [0] }, owner)).snapshots;
    const run = async () => {
      const out: string[] = [];
      for (let t = 0; t < 25; t++) {
        const r = await act((t * 5) % 6);
        out.push(`${Buffer.from((r.observations as NDArray<'uint8'>).data).toString('base64')}:${r.rewards.data[0]}`);
      }
      return out;
    };
    const before = await run();
    await service.restore({ session_id, env_index: 0, snapshot: snapshot! }, owner);
    expect(await run()).toEqual(before);
    // The stacked frames really differ (the game moves) and stay in the uint8 range.
    expect(new Set(before).size).toBeGreaterThan(1);
    service.closeAllOwnedBy(owner);
  }, 120_000);

  it('refuses a snapshot of an older Atari state format with BAD_REQUEST naming both versions; the session lives on', async () => {
    const service = new EnvService({ registry: createDefaultRegistry() });
    const owner = {};
    const { session_id } = await service.make({ env_id: 'ALE/Pong-v5', kwargs: PAPER_KWARGS, num_envs: 1 }, owner);
    await service.reset({ session_id, seed: 7 }, owner);
    const [snapshot] = (await service.snapshot({ session_id, env_indices: [0] }, owner)).snapshots;
    // The same snapshot as a server that wrote Atari state format 1 would have labelled it.
    const { header, state } = decodeSnapshot(snapshot);
    const magic = Buffer.from(state).indexOf('vinegym-atari-env-2');
    expect(magic).toBeGreaterThan(0);
    state[magic + 'vinegym-atari-env-'.length] = '1'.charCodeAt(0);
    const older = encodeSnapshot(header, state);
    expect(await failure(() => service.restore({ session_id, env_index: 0, snapshot: older }, owner))).toBe(
      'BAD_REQUEST: Atari env state has format version 1; this server restores version 2 only (take the snapshot again on this server)',
    );
    const step = await service.step({ session_id, actions: ndarray('int64', [1], [0]) }, owner);
    expect(step.rewards.data).toHaveLength(1);
    service.closeAllOwnedBy(owner);
  }, 120_000);

  it('keeps ale-py shapes without preprocessing and validates kwargs', async () => {
    const service = new EnvService({ registry: createDefaultRegistry() });
    const owner = {};
    const made = await service.make({ env_id: 'ALE/Breakout-v5', kwargs: { obs_type: 'ram' } }, owner);
    const reset = await service.reset({ session_id: made.session_id, seed: 1 }, owner);
    expect((reset.observations as NDArray).shape).toEqual([1, 128]);
    // Single kwargs are checked by the registry, combinations by the env: both INVALID_KWARGS.
    expect(await failure(() => service.make({ env_id: 'ALE/Pong-v5', kwargs: { frameskip: 0 } }, owner))).toMatch(
      /^INVALID_KWARGS/,
    );
    expect(
      await failure(() => service.make({ env_id: 'ALE/Pong-v5', kwargs: { obs_type: 'ram', frame_stack: 4 } }, owner)),
    ).toMatch(/^INVALID_KWARGS.*obs_type rgb or grayscale/);
    expect(await failure(() => service.make({ env_id: 'ALE/Pong-v5', kwargs: { resize_height: 84 } }, owner))).toMatch(
      /resize_width go together/,
    );
    expect(await failure(() => service.make({ env_id: 'ALE/Pong-v5', kwargs: { mode: 3 } }, owner))).toMatch(
      /only the default mode/,
    );
    service.closeAllOwnedBy(owner);
  }, 120_000);

  it('fails make with ENV_ERROR naming pnpm test:setup when the ROMs are missing', async () => {
    const saved = process.env.ALE_PY_ROMS;
    process.env.ALE_PY_ROMS = '/nonexistent-ale-roms';
    try {
      const service = new EnvService({ registry: createDefaultRegistry() });
      let error: { code?: string; message?: string } = {};
      try {
        await service.make({ env_id: 'ALE/Pong-v5' }, {});
      } catch (e) {
        error = e as typeof error;
      }
      expect(error.code).toBe('ENV_ERROR');
      expect(error.message).toContain('pnpm test:setup');
    } finally {
      if (saved === undefined) delete process.env.ALE_PY_ROMS;
      else process.env.ALE_PY_ROMS = saved;
    }
  });
});
