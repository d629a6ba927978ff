/**
 * Attacks by a client that holds the token: small requests that ask for huge work, frames over the decode budget,
 * echo of large client text, a client that pipelines requests and never reads, and a message that stops half way.
 * Same harness and assertions as before-hello.test.ts (PROTOCOL.md section 9, docs/reliability.md).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeFrame, encodeFrame } from '@vinegym/protocol';
import { expectServerHeld, runAttack, startTarget, until } from '../harness/attack.js';
import type { AttackTarget } from '../harness/attack.js';
import { frame, frameHeader, parseServerFrames, rawWebSocket, serverClose } from '../harness/raw-socket.js';
import type { RawWebSocket } from '../harness/raw-socket.js';
import type { RunningServer, ServerCommand } from '../harness/server-under-test.js';

const MiB = 1024 * 1024;

/** A raw connection that said hello with the token; `request` frames are written as they are. */
async function greeted(server: RunningServer): Promise<RawWebSocket> {
  const raw = await rawWebSocket(server.url);
  await raw.write(
    frame(
      encodeFrame({
        id: 0,
        type: 'hello',
        body: { protocol_versions: [1], client: { name: 'attacker', version: '0' }, token: server.token },
      }),
    ),
  );
  await answers(raw, 1, 5000);
  return raw;
}

/** Waits for `count` binary frames from the server (or `ms`); returns those decoded. */
async function answers(raw: RawWebSocket, count: number, ms: number): Promise<Record<string, any>[]> {
  const deadline = performance.now() + ms;
  for (;;) {
    const frames = parseServerFrames(raw.received()).filter((f) => f.opcode === 0x2);
    if (frames.length >= count || performance.now() > deadline || raw.socket.destroyed)
      return frames.map((f) => decodeFrame(f.payload) as Record<string, any>);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const request = (id: number, type: string, body: object) => frame(encodeFrame({ id, type, body }));

export function describeAfterHelloAttacks(command: ServerCommand): void {
  describe(`attacks after hello: ${command.name}`, () => {
    let target: AttackTarget;
    let server: RunningServer;
    beforeAll(async () => {
      target = await startTarget(command);
      server = target.server;
    });
    afterAll(async () => {
      await target?.stop();
    });

    it('a client that pipelines renders and never reads makes the server hold about max_buffered_bytes, not a gigabyte', async () => {
      const report = await runAttack(
        target,
        { name: 'pipelined renders, never read', durationMs: 4000 },
        async ({ deadline }) => {
          const raw = await greeted(server);
          await raw.write(request(1, 'make', { env_id: command.envId, seed: 0 }));
          const [made] = (await answers(raw, 2, 5000)).slice(1);
          const sessionId = made.body.session_id as string;
          await raw.write(request(2, 'reset', { session_id: sessionId }));
          await answers(raw, 3, 5000);
          raw.socket.pause(); // never read again: responses pile up on the server
          // 2,000 renders of 600 x 400 x 3 bytes would be 1.4 GB of answers.
          const renders = Buffer.concat(
            Array.from({ length: 2000 }, (_, i) => request(3 + i, 'render', { session_id: sessionId, env_index: 0 })),
          );
          await Promise.race([
            raw.write(renders),
            new Promise((resolve) => setTimeout(resolve, Math.max(0, deadline - performance.now()))),
          ]);
          await new Promise((resolve) => setTimeout(resolve, Math.max(0, deadline - performance.now())));
          raw.destroy();
          return renders.length;
        },
      );
      expectServerHeld(report, 96);
    }, 60_000);

    it('a snapshot of 800k repeated indices is refused before decoding; 1,000 repeats are a BAD_REQUEST, not a 169 MB reply', async () => {
      const report = await runAttack(
        target,
        { name: 'snapshot index repeats', durationMs: 3000 },
        async ({ deadline }) => {
          const raw = await greeted(server);
          await raw.write(request(1, 'make', { env_id: command.envId, num_envs: 4, seed: 0 }));
          const sessionId = (await answers(raw, 2, 5000))[1].body.session_id as string;
          await raw.write(request(2, 'reset', { session_id: sessionId }));
          await answers(raw, 3, 5000);
          const huge = request(3, 'snapshot', { session_id: sessionId, env_indices: new Array(800_000).fill(0) });
          const repeats = request(4, 'snapshot', { session_id: sessionId, env_indices: new Array(1000).fill(0) });
          let sent = 0;
          await until(
            deadline,
            20,
            async () => {
              await raw.write(huge);
              await raw.write(repeats);
              sent += 2;
              await answers(raw, 3 + sent, 5000);
            },
            100,
          );
          const replies = (await answers(raw, 3 + sent, 5000)).slice(3);
          const bytes = raw.received().length;
          raw.destroy();
          return { replies, bytes };
        },
      );
      const { replies, bytes } = report.outcome;
      expect(replies.length).toBeGreaterThan(1);
      for (let k = 0; k + 1 < replies.length; k += 2) {
        expect(replies[k]).toMatchObject({
          id: null,
          ok: false,
          error: { code: 'LIMIT_EXCEEDED', details: { limit: 'max_frame_values' } },
        });
        expect(replies[k + 1]).toMatchObject({ id: 4, ok: false, error: { code: 'BAD_REQUEST' } });
      }
      expect(bytes).toBeLessThan(64 * 1024);
      expectServerHeld(report, 64);
    }, 60_000);

    it('an 8 MB unknown field name is not echoed: replies and log lines quote at most 64 characters', async () => {
      const report = await runAttack(target, { name: '8 MB field names', durationMs: 3000 }, async ({ deadline }) => {
        const raw = await greeted(server);
        const name = 'x'.repeat(8 * MiB);
        const stderrBefore = server.stderr().length;
        let sent = 0;
        await until(
          deadline,
          10,
          async () => {
            await raw.write(frame(encodeFrame({ id: 10 + sent, type: 'list', body: { [name]: 1 } })));
            sent++;
            await answers(raw, 1 + sent, 5000);
          },
          200,
        );
        const replies = (await answers(raw, 1 + sent, 5000)).slice(1);
        raw.destroy();
        return {
          replies,
          longestReply: Math.max(...replies.map((r) => JSON.stringify(r).length)),
          logged: server.stderr().length - stderrBefore,
          sent,
        };
      });
      const { replies, longestReply, logged, sent } = report.outcome;
      expect(replies.length).toBe(sent);
      for (const reply of replies)
        expect(reply).toMatchObject({
          ok: false,
          error: { code: 'BAD_REQUEST', message: expect.stringContaining('(8388608 characters)') },
        });
      expect(longestReply).toBeLessThan(400);
      expect(logged).toBeLessThan(sent * 1000);
      expectServerHeld(report, 96);
    }, 60_000);

    it('an 8 MiB array of empty maps after hello is refused at its header and the connection stays usable', async () => {
      // 8 MiB (8 million objects without a budget): receiving a message costs ws a copy of it before anything can look
      // at it, the same for a legitimate one; the bomb's cost beyond that is the scan's, refused at the array header.
      const report = await runAttack(
        target,
        { name: '8 MiB map bombs after hello', durationMs: 4000 },
        async ({ deadline }) => {
          const raw = await greeted(server);
          const n = 8 * MiB - 64;
          const bomb = Buffer.alloc(5 + n, 0x80);
          bomb[0] = 0xdd;
          bomb.writeUInt32BE(n, 1);
          const bombFrame = frame(bomb);
          let sent = 0;
          await until(
            deadline,
            8,
            async () => {
              await raw.write(bombFrame);
              sent++;
              await answers(raw, 1 + sent, 10_000);
            },
            200,
          );
          await raw.write(request(99, 'list', {}));
          const replies = (await answers(raw, sent + 2, 10_000)).slice(1);
          raw.destroy();
          return { sent, replies };
        },
      );
      const { sent, replies } = report.outcome;
      expect(sent).toBeGreaterThan(0);
      expect(
        replies
          .slice(0, sent)
          .every((r) => r.error?.code === 'LIMIT_EXCEEDED' && r.error.details.limit === 'max_frame_values'),
      ).toBe(true);
      expect(replies[sent]).toMatchObject({ id: 99, ok: true });
      expectServerHeld(report, 128);
    }, 60_000);

    it('counts in requests are bounded: 60,000 reset indices or seeds fail fast with BAD_REQUEST', async () => {
      const report = await runAttack(target, { name: 'huge index lists', durationMs: 3000 }, async ({ deadline }) => {
        const raw = await greeted(server);
        await raw.write(request(1, 'make', { env_id: command.envId, num_envs: 2, seed: 0 }));
        const sessionId = (await answers(raw, 2, 5000))[1].body.session_id as string;
        const many = Array.from({ length: 60_000 }, (_, i) => i);
        const frames = Buffer.concat([
          request(2, 'reset', { session_id: sessionId, env_indices: many }),
          request(3, 'reset', { session_id: sessionId, seeds: many }),
          request(4, 'snapshot', { session_id: sessionId, env_indices: many }),
        ]);
        let sent = 0;
        await until(
          deadline,
          30,
          async () => {
            await raw.write(frames);
            sent += 3;
            await answers(raw, 2 + sent, 5000);
          },
          250,
        );
        const replies = (await answers(raw, 2 + sent, 5000)).slice(2);
        raw.destroy();
        return replies;
      });
      expect(report.outcome.length).toBeGreaterThan(2);
      expect(new Set(report.outcome.map((r) => r.error?.code))).toEqual(new Set(['BAD_REQUEST']));
      expectServerHeld(report, 64);
    }, 60_000);
  });

  describe(`a message that stops half way: ${command.name}`, () => {
    let target: AttackTarget;
    let server: RunningServer;
    beforeAll(async () => {
      // The default message timeout is 30 s; a shorter one keeps the test short, the mechanism is the same.
      target = await startTarget(command, { extraArgs: ['--message-timeout', '1'] });
      server = target.server;
    });
    afterAll(async () => {
      await target?.stop();
    });

    it('is cut (4002) once message_timeout_s has passed since its first byte, freeing what it held', async () => {
      const report = await runAttack(target, { name: 'partial frames after hello', durationMs: 4000 }, async () => {
        const sockets = await Promise.all(Array.from({ length: 2 }, () => greeted(server)));
        await Promise.all(
          sockets.map(async (raw) => {
            await raw.write(frameHeader(64 * MiB));
            await raw.write(Buffer.alloc(8 * MiB));
          }),
        );
        const codes = await Promise.all(sockets.map((raw) => serverClose(raw, 4000)));
        sockets.forEach((raw) => raw.destroy());
        return codes;
      });
      expect(report.outcome).toEqual([4002, 4002]);
      expectServerHeld(report, 96);
    }, 60_000);
  });
}
