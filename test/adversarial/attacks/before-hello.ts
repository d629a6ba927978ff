/**
 * Attacks by peers without the token, against a server started the documented way (a ServerCommand: --token,
 * default limits). Each runs for a few seconds while a token-holding client steps the command's env; the server must
 * stay up, keep that client's p99 step latency under 50 ms and its resident memory growth under the bound stated in
 * each test (PROTOCOL.md sections 6 and 9, docs/reliability.md).
 */
import { readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeFrame, encodeFrame } from '@vinegym/protocol';
import { expectServerHeld, runAttack, serverMetric, startTarget, until } from '../harness/attack.js';
import type { AttackTarget } from '../harness/attack.js';
import {
  ConnectMeter,
  CONNECT_BATCH,
  describeRates,
  floodDurationMs,
  MIN_FLOOD_RATE_SHARE,
  quietConnectRate,
} from '../harness/connect-rate.js';
import { frame, frameHeader, parseServerFrames, rawWebSocket, serverClose, tcpConnect } from '../harness/raw-socket.js';
import type { RawWebSocket } from '../harness/raw-socket.js';
import type { RunningServer, ServerCommand } from '../harness/server-under-test.js';

const MiB = 1024 * 1024;

/** A MessagePack array32 of `n` empty maps: one object per byte for a decoder without a budget. */
function emptyMapsBomb(n: number): Buffer {
  const bytes = Buffer.alloc(5 + n, 0x80);
  bytes[0] = 0xdd;
  bytes.writeUInt32BE(n, 1);
  return bytes;
}

const helloFrame = (id: number, token: string) =>
  encodeFrame({
    id,
    type: 'hello',
    body: { protocol_versions: [1], client: { name: 'attacker', version: '0' }, token },
  });

export function describeBeforeHelloAttacks(command: ServerCommand): void {
  describe(`attacks before hello: ${command.name}`, () => {
    let target: AttackTarget;
    let server: RunningServer;
    beforeAll(async () => {
      target = await startTarget(command);
      server = target.server;
    });
    afterAll(async () => {
      await target?.stop();
    });

    it('a 64 MiB frame of empty maps is refused at 1009 before it is buffered, from 8 sockets at once, repeatedly', async () => {
      const bomb = frame(emptyMapsBomb(64 * MiB - 16));
      const report = await runAttack(
        target,
        { name: '64 MiB map bombs before hello', durationMs: 4000 },
        async ({ deadline }) => {
          const codes: (number | undefined | 'open')[] = [];
          await until(deadline, 6, async () => {
            const sockets = await Promise.all(Array.from({ length: 8 }, () => rawWebSocket(server.url)));
            await Promise.all(sockets.map((raw) => raw.write(bomb)));
            codes.push(...(await Promise.all(sockets.map((raw) => serverClose(raw, 5000)))));
            sockets.forEach((raw) => raw.destroy());
          });
          return codes;
        },
      );
      expect(report.outcome.length).toBeGreaterThan(0);
      expect(new Set(report.outcome)).toEqual(new Set([1009]));
      expectServerHeld(report, 64);
    }, 60_000);

    it('small frames over the decode budget before hello are answered LIMIT_EXCEEDED without being decoded', async () => {
      const report = await runAttack(
        target,
        { name: 'budget bombs before hello', durationMs: 3000 },
        async ({ deadline }) => {
          const raw = await rawWebSocket(server.url);
          const bomb = frame(emptyMapsBomb(8000)); // under the 8 KiB message limit, over the 256-value budget
          const sent = await until(deadline, 2000, async () => raw.write(bomb));
          await new Promise((resolve) => setTimeout(resolve, 300));
          const answers = parseServerFrames(raw.received())
            .filter((f) => f.opcode === 0x2)
            .map((f) => decodeFrame(f.payload) as any);
          raw.destroy();
          return { sent, answers };
        },
      );
      expect(report.outcome.answers.length).toBeGreaterThan(0);
      for (const answer of report.outcome.answers.slice(0, 20)) {
        expect(answer).toMatchObject({
          id: null,
          ok: false,
          error: { code: 'LIMIT_EXCEEDED', details: { limit: 'max_frame_values_before_hello', max: 256 } },
        });
      }
      expectServerHeld(report, 64);
    }, 60_000);

    it('partial frames (most of a declared 64 MiB, then silence) are cut at the small limit and hold nothing', async () => {
      const report = await runAttack(
        target,
        { name: 'partial frames before hello', durationMs: 3000 },
        async ({ deadline }) => {
          const codes: (number | undefined | 'open')[] = [];
          await until(deadline, 4, async () => {
            const sockets = await Promise.all(Array.from({ length: 20 }, () => rawWebSocket(server.url)));
            const part = Buffer.alloc(4 * MiB);
            await Promise.all(
              sockets.map(async (raw) => {
                await raw.write(frameHeader(64 * MiB));
                await raw.write(part);
              }),
            );
            codes.push(...(await Promise.all(sockets.map((raw) => serverClose(raw, 3000)))));
            sockets.forEach((raw) => raw.destroy());
          });
          return codes;
        },
      );
      expect(new Set(report.outcome)).toEqual(new Set([1009]));
      expectServerHeld(report, 64);
    }, 60_000);

    it('sockets that never say hello, reopened as they are dropped, do not keep a token holder out', async () => {
      // Runs until the flood has cycled 400 connections through the pool of 128 and the token holder has tried 5
      // times: 15 s, or longer on a machine too loaded to open them in that time at the attacker's quiet rate.
      const needed = 400;
      const quietRate = await quietConnectRate(() => rawWebSocket(server.url));
      const durationMs = floodDurationMs(needed, quietRate, 15_000, 45_000);
      const meter = new ConnectMeter();
      const report = await runAttack(target, { name: 'silent socket flood', durationMs }, async ({ deadline }) => {
        const silent = new Set<RawWebSocket>();
        let tries = 0;
        let admitted = 0;
        const done = () => performance.now() > deadline || (meter.count >= needed && tries >= 5);
        const flood = until(deadline, 100_000, async () => {
          // Keep ~300 silent connections open (more than the pending pool), replacing those the server drops.
          while (silent.size < 300 && !done()) {
            for (const raw of await meter.batch(() => rawWebSocket(server.url))) {
              silent.add(raw);
              void raw.closed.then(() => silent.delete(raw));
            }
          }
          await new Promise((resolve) => setTimeout(resolve, 5));
        });
        // Meanwhile a token holder connects again and again; every attempt must get through hello.
        await new Promise((resolve) => setTimeout(resolve, 500));
        await until(deadline, 200, async () => {
          if (done()) return;
          tries++;
          const raw = await rawWebSocket(server.url).catch(() => null);
          if (raw === null) return;
          await raw.write(frame(helloFrame(1, server.token)));
          const answered = await new Promise<boolean>((resolve) => {
            const timer = setTimeout(() => resolve(false), 2000);
            const check = () => {
              const frames = parseServerFrames(raw.received()).filter((f) => f.opcode === 0x2);
              if (frames.length) {
                clearTimeout(timer);
                resolve((decodeFrame(frames[0].payload) as any).ok === true);
              } else if (!raw.socket.destroyed) setTimeout(check, 5);
              else resolve(false);
            };
            check();
          });
          if (answered) admitted++;
          raw.destroy();
        });
        while (!done()) await new Promise((resolve) => setTimeout(resolve, 50));
        await flood;
        for (const raw of silent) raw.destroy();
        return { opened: meter.count, tries, admitted };
      });
      console.log(describeRates('silent socket flood', meter, quietRate));
      expect(report.outcome.opened).toBeGreaterThanOrEqual(needed); // three times what the pool holds
      expect(meter.rate()).toBeGreaterThan(MIN_FLOOD_RATE_SHARE * quietRate);
      expect(
        await serverMetric(server, 'vinegym_connections_refused_total{reason="pending_pool_full"}'),
      ).toBeGreaterThan(0);
      expect(report.outcome.tries).toBeGreaterThanOrEqual(5);
      expect(report.outcome.admitted).toBe(report.outcome.tries);
      expectServerHeld(report, 64);
    }, 120_000);

    it('hundreds of half-open HTTP requests, more than both pools hold, neither exhaust file descriptors nor keep anyone out', async () => {
      // Until 800 half-open requests (about twice both pools together): 12 s, or longer on a machine too loaded to open
      // them in that time at the attacker's quiet rate.
      const needed = 800;
      const quietRate = await quietConnectRate(() => tcpConnect(server.url));
      const durationMs = floodDurationMs(needed, quietRate, 12_000, 45_000);
      const meter = new ConnectMeter();
      const report = await runAttack(target, { name: 'half-open HTTP requests', durationMs }, async ({ deadline }) => {
        const sockets: import('node:net').Socket[] = [];
        let maxServerFds = 0;
        const serverPid = () => server.child.pid!;
        await until(deadline, needed / CONNECT_BATCH, async () => {
          await new Promise((resolve) => setTimeout(resolve, 20));
          for (const socket of await meter.batch(() => tcpConnect(server.url))) {
            socket.on('error', () => undefined);
            socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ');
            sockets.push(socket);
          }
          maxServerFds = Math.max(maxServerFds, openFds(serverPid()));
        });
        const probe = await fetch(`${server.httpUrl}/healthz`).then(
          (r) => r.status,
          () => null,
        );
        for (const socket of sockets) socket.destroy();
        return { sockets: sockets.length, maxServerFds, probe };
      });
      console.log(
        `half-open HTTP requests: ${report.outcome.sockets} sockets opened, server file descriptors at most ${report.outcome.maxServerFds}`,
      );
      console.log(describeRates('half-open HTTP requests', meter, quietRate));
      expect(report.outcome.sockets).toBeGreaterThan(128 + 256); // more than both pools together
      expect(meter.rate()).toBeGreaterThan(MIN_FLOOD_RATE_SHARE * quietRate);
      expect(
        await serverMetric(server, 'vinegym_connections_refused_total{reason="pending_pool_full"}'),
      ).toBeGreaterThan(0);
      // Bounded by the two pools (128 + 256) plus the process's own descriptors, whatever the peers open.
      expect(report.outcome.maxServerFds).toBeLessThan(128 + 256 + 200);
      expect(report.outcome.probe).toBe(200);
      expectServerHeld(report, 64);
    }, 120_000);

    // Garbage frames cost the server CPU per frame: bounded per event-loop turn by the connection's handler slice
    // (shorter before hello), so other connections are read in every turn (docs/reliability.md).
    it('a flood of text frames and garbage before hello costs others nothing', async () => {
      const report = await runAttack(
        target,
        { name: 'garbage before hello', durationMs: 3000 },
        async ({ deadline }) => {
          const sockets = await Promise.all(Array.from({ length: 4 }, () => rawWebSocket(server.url)));
          const garbage = Buffer.concat([
            frame(Buffer.from('not msgpack'), 0x1),
            frame(Buffer.from([0xc1])),
            frame(Buffer.from([0xd4, 0x01, 0x00])),
            frame(Buffer.from([0xa2, 0xc3, 0x28])),
            frame(Buffer.alloc(7000, 0x91)), // nested 7000 deep
          ]);
          const batch = Buffer.concat(Array.from({ length: 8 }, () => garbage));
          const rounds = await until(deadline, 5000, async () => {
            await Promise.all(sockets.map((raw) => raw.write(batch)));
          });
          sockets.forEach((raw) => raw.destroy());
          return rounds;
        },
      );
      expect(report.outcome).toBeGreaterThan(10);
      expectServerHeld(report, 64);
    }, 60_000);
  });

  // Back-off is per address: after these guesses from loopback, a new legitimate client from loopback would be
  // refused too for up to a minute (PROTOCOL.md 6), so this attack gets a server of its own.
  describe(`token guessing: ${command.name}`, () => {
    let target: AttackTarget;
    let server: RunningServer;
    beforeAll(async () => {
      target = await startTarget(command);
      server = target.server;
    });
    afterAll(async () => {
      await target?.stop();
    });

    it('wrong tokens: one guess per connection, frames behind it unanswered, then back-off for the address', async () => {
      const report = await runAttack(target, { name: 'token guessing', durationMs: 3000 }, async ({ deadline }) => {
        // 800 pipelined hellos with wrong tokens on one connection: one answer, then close 1008.
        const raw = await rawWebSocket(server.url);
        await raw.write(Buffer.concat(Array.from({ length: 800 }, (_, i) => frame(helloFrame(i, `guess-${i}`)))));
        const pipelinedClose = await serverClose(raw, 5000);
        await new Promise((resolve) => setTimeout(resolve, 100)); // anything the server might still send
        const pipelined = parseServerFrames(raw.received());
        raw.destroy();
        // Then one guess per connection, as fast as possible: after 3 failures the address is in back-off.
        const codes: string[] = [];
        let retryAfter: number | undefined;
        await until(deadline, 40, async () => {
          const guess = await rawWebSocket(server.url);
          await guess.write(frame(helloFrame(1, 'wrong')));
          await serverClose(guess, 5000);
          guess.destroy();
          const answer = parseServerFrames(guess.received()).find((f) => f.opcode === 0x2);
          const error = answer ? (decodeFrame(answer.payload) as any).error : undefined;
          codes.push(error?.code ?? 'none');
          if (error?.details?.retry_after_s !== undefined) retryAfter ??= error.details.retry_after_s as number;
        });
        return { pipelined, pipelinedClose, codes, retryAfter };
      });
      const { pipelined, pipelinedClose, codes, retryAfter } = report.outcome;
      expect(pipelined.filter((f) => f.opcode === 0x2)).toHaveLength(1);
      expect(pipelinedClose).toBe(1008);
      expect(codes.length).toBeGreaterThan(5);
      expect(new Set(codes)).toEqual(new Set(['UNAUTHORIZED']));
      expect(retryAfter).toBeGreaterThan(0);
      expectServerHeld(report, 64);
    }, 60_000);
  });
}

function openFds(pid: number): number {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return 0;
  }
}
