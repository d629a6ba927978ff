/**
 * Client MJCF is compiled in a disposable sandbox thread within the server's budgets, and refusals are
 * INVALID_KWARGS; through the service, mujoco/custom-v0 never compiles a document the sandbox has not passed.
 */
import { VinegymError } from '@vinegym/protocol';
import { describe, expect, it } from 'vitest';
import { HOPPER_XML, loadMujocoRuntime, mujocoRuntime } from '../src/envs/mujoco/index.js';
import { MjcfSandbox } from '../src/envs/mujoco/mjcf-sandbox.js';
import { createDefaultRegistry } from '../src/registry.js';
import { EnvService } from '../src/service.js';

/** 110 bytes that take MuJoCo more than 20 s to compile (10,000 replicated geoms). */
const SLOW_XML =
  '<mujoco><worldbody><replicate count="10000" offset=".1 0 0"><geom size=".1"/></replicate></worldbody></mujoco>';
/** 180 bytes that need more than 256 MiB to compile (1,600 free bodies). */
const GREEDY_XML =
  '<mujoco><worldbody><replicate count="40" offset="1 0 0"><replicate count="40" offset="0 1 0"><body><freejoint/><geom size=".1"/></body></replicate></replicate></worldbody></mujoco>';
const ONE_BODY = '<mujoco><worldbody><body><freejoint/><geom size=".1"/></body></worldbody></mujoco>';

async function failure(promise: Promise<unknown>): Promise<VinegymError> {
  try {
    await promise;
  } catch (error) {
    return error as VinegymError;
  }
  throw new Error('expected a failure');
}

const check = (sandbox: MjcfSandbox, xml: string, quoteErrors = true) =>
  sandbox.check(xml, { key: 'xml', quoteErrors });

describe('MjcfSandbox', () => {
  it('describes a model that compiles, and remembers it', async () => {
    const sandbox = new MjcfSandbox();
    const report = await check(sandbox, HOPPER_XML);
    // Hopper's arena is <size memory="1M"/>; its buffers and model add ~20 KB.
    expect(report.bytesPerEnv).toBeGreaterThan(1024 * 1024);
    expect(report.bytesPerEnv).toBeLessThan(1.1 * 1024 * 1024);
    const started = performance.now();
    expect(await check(sandbox, HOPPER_XML)).toEqual(report);
    expect(performance.now() - started).toBeLessThan(50); // no thread was started
  });

  it('refuses what MuJoCo rejects with its message, or without it for documents the client did not send', async () => {
    const sandbox = new MjcfSandbox();
    const secret = '<mujoco><worldbody><geom type="hunter2"/></worldbody></mujoco>';
    const quoted = await failure(check(sandbox, secret));
    expect(quoted).toMatchObject({ code: 'INVALID_KWARGS', details: { key: 'xml' } });
    expect(quoted.message).toMatch(/^MuJoCo could not compile the model: XML Error: invalid keyword: 'hunter2'/);
    const withheld = await failure(sandbox.check(secret, { key: 'xml_path', quoteErrors: false }));
    expect(withheld).toMatchObject({ code: 'INVALID_KWARGS', details: { key: 'xml_path' } });
    expect(withheld.message).not.toContain('hunter2');
    expect((await failure(check(sandbox, 'not xml at all'))).message).toMatch(/XML parse error/);
  });

  it('stops a compile at its time budget and at its memory budget', async () => {
    let started = performance.now();
    const slow = await failure(check(new MjcfSandbox({ mjcfCompileTimeoutMs: 1000 }), SLOW_XML));
    expect(slow).toMatchObject({
      code: 'INVALID_KWARGS',
      details: { key: 'xml', limit: 'mjcf_compile_timeout_s', max: 1 },
    });
    expect(performance.now() - started).toBeLessThan(15_000); // 1 s of compile after the thread's start
    started = performance.now();
    const greedy = await failure(
      check(new MjcfSandbox({ mjcfCompileTimeoutMs: 20_000, maxMjcfCompileBytes: 128 * 1024 * 1024 }), GREEDY_XML),
    );
    expect(greedy).toMatchObject({
      code: 'INVALID_KWARGS',
      details: { limit: 'max_mjcf_compile_bytes', max: 128 * 1024 * 1024 },
    });
    expect(performance.now() - started).toBeLessThan(15_000);
  });

  it('caps the document size and the model size', async () => {
    const sandbox = new MjcfSandbox({ maxMjcfBytes: 200, maxModelBytes: 2 * 1024 * 1024 });
    expect((await failure(check(sandbox, `<mujoco>${' '.repeat(200)}</mujoco>`))).details).toMatchObject({
      limit: 'max_mjcf_bytes',
      max: 200,
    });
    // MuJoCo's automatic arena for even one body is ~13 MiB per env; <size memory> sets it.
    expect((await failure(check(sandbox, ONE_BODY))).details).toMatchObject({ limit: 'max_model_bytes' });
    expect(await check(sandbox, ONE_BODY.replace('<worldbody>', '<size memory="1M"/><worldbody>'))).toMatchObject({
      bytesPerEnv: expect.any(Number),
    });
    const huge = await failure(check(sandbox, ONE_BODY.replace('<worldbody>', '<size memory="1G"/><worldbody>')));
    expect(huge.details).toMatchObject({ limit: expect.stringMatching(/^max_(model|mjcf_compile)_bytes$/) });
  });

  it('runs a bounded number of compiles at once, refuses more waiting ones, and stops all when closed', async () => {
    const sandbox = new MjcfSandbox({ mjcfCompileTimeoutMs: 20_000, maxConcurrentCompiles: 1, maxQueuedCompiles: 1 });
    const running = failure(check(sandbox, SLOW_XML));
    await new Promise((resolve) => setTimeout(resolve, 50));
    const waiting = failure(check(sandbox, SLOW_XML.replace('10000', '10001')));
    const refused = await failure(check(sandbox, SLOW_XML.replace('10000', '10002')));
    expect(refused).toMatchObject({ code: 'LIMIT_EXCEEDED', details: { limit: 'max_queued_mjcf_compiles', max: 1 } });
    const started = performance.now();
    sandbox.close();
    expect(await running).toMatchObject({ code: 'ENV_ERROR', message: 'the server is shutting down' });
    expect(await waiting).toMatchObject({ code: 'ENV_ERROR', message: 'the server is shutting down' });
    expect(performance.now() - started).toBeLessThan(2000);
  });
});

describe('mujoco/custom-v0 through the service', () => {
  it('answers INVALID_KWARGS for rejected MJCF and unknown bodies, and never compiles a rejected document in-process', async () => {
    const service = new EnvService({ registry: createDefaultRegistry(), workers: 0 });
    const owner = {};
    const make = async (kwargs: Record<string, string | number | boolean | null>) =>
      service.make({ env_id: 'mujoco/custom-v0', kwargs }, owner);
    await loadMujocoRuntime();
    expect(mujocoRuntime().warningsPrinted).toBe(true);
    for (let i = 0; i < 5; i++) {
      const error = await failure(make({ xml: `<mujoco><worldbody><geom type="pyramid${i}"/></worldbody></mujoco>` }));
      expect(error).toMatchObject({ code: 'INVALID_KWARGS', details: { key: 'xml' } });
    }
    expect(await failure(make({ xml: HOPPER_XML, forward_body: 'tail' }))).toMatchObject({
      code: 'INVALID_KWARGS',
      details: { key: 'forward_body' },
    });
    expect(await failure(make({ xml_path: 'hopper.xml' }))).toMatchObject({
      code: 'INVALID_KWARGS',
      details: { key: 'xml_path' },
    });
    // A failed compile in the server's own MuJoCo would have switched its warning capture off.
    expect(mujocoRuntime().warningsPrinted).toBe(true);
    expect(service.stats()).toMatchObject({ sessions: 0, sessionMemoryBytes: 0 });
    service.shutdown();
  });
});
