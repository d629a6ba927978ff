/**
 * The model file policy (xml_path): nothing without a directory; inside it, regular files only, with a size cap;
 * one message for every refusal, so that errors tell nothing about what exists on the server.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VinegymError } from '@vinegym/protocol';
import { describe, expect, it } from 'vitest';
import { ModelFileReader } from '../src/model-files.js';

async function failure(promise: Promise<unknown>): Promise<VinegymError> {
  try {
    await promise;
  } catch (error) {
    return error as VinegymError;
  }
  throw new Error('expected a refusal');
}

/** A model directory with a file, a subdirectory, symlinks in and out, a FIFO; and a secret outside it. */
function fixture() {
  const root = mkdtempSync(join(tmpdir(), 'vinegym-model-files-'));
  const dir = join(root, 'models');
  mkdirSync(join(dir, 'sub'), { recursive: true });
  writeFileSync(join(dir, 'ok.xml'), '<mujoco/>');
  writeFileSync(join(dir, 'sub', 'deep.xml'), '<mujoco model="deep"/>');
  writeFileSync(join(dir, 'big.xml'), 'x'.repeat(2000));
  writeFileSync(join(root, 'secret.xml'), '<secret password="hunter2"/>');
  symlinkSync(join(dir, 'ok.xml'), join(dir, 'alias.xml'));
  symlinkSync(join(root, 'secret.xml'), join(dir, 'escape.xml'));
  symlinkSync('/dev/zero', join(dir, 'zero.xml'));
  symlinkSync(root, join(dir, 'up'));
  execFileSync('mkfifo', [join(dir, 'fifo.xml')]);
  return { root, dir };
}

describe('ModelFileReader', () => {
  it('reads regular files inside the directory, by relative or absolute path, through inner symlinks', async () => {
    const { dir } = fixture();
    const reader = new ModelFileReader({ dir, maxBytes: 1000 });
    expect(await reader.read('ok.xml', 'xml_path')).toBe('<mujoco/>');
    expect(await reader.read('sub/deep.xml', 'xml_path')).toBe('<mujoco model="deep"/>');
    expect(await reader.read(join(dir, 'ok.xml'), 'xml_path')).toBe('<mujoco/>');
    expect(await reader.read('alias.xml', 'xml_path')).toBe('<mujoco/>');
  });

  it('refuses everything else with one message that names only the path given', async () => {
    const { root, dir } = fixture();
    const reader = new ModelFileReader({ dir, maxBytes: 1000 });
    const refusals = [
      'missing.xml', // does not exist
      '../secret.xml', // outside, exists
      '../nothing.xml', // outside, does not exist
      join(root, 'secret.xml'), // absolute, outside
      '/etc/passwd',
      '/dev/zero', // a device
      'escape.xml', // a symlink out of the directory
      'zero.xml', // a symlink to a device
      'up/secret.xml', // a directory symlink out
      'fifo.xml', // a FIFO: must not block
      'sub', // a directory
      '.', // the directory itself
      '',
      'ok.xml\0.txt',
    ];
    const started = performance.now();
    for (const path of refusals) {
      const error = await failure(reader.read(path, 'xml_path'));
      expect(error).toBeInstanceOf(VinegymError);
      expect(error.code, path).toBe('INVALID_KWARGS');
      expect(error.details).toEqual({ key: 'xml_path' });
      // Identical but for the quoted path: no existence or type oracle, no file content.
      expect(error.message.replace(JSON.stringify(path), 'PATH'), path).toBe(
        'xml_path PATH is not a model file this server serves',
      );
    }
    expect(performance.now() - started).toBeLessThan(5000); // the FIFO did not block
  });

  it('refuses every path when no directory is allowed, and caps the size of files it serves', async () => {
    const { dir } = fixture();
    const none = await failure(new ModelFileReader().read(join(dir, 'ok.xml'), 'xml_path'));
    expect(none.code).toBe('INVALID_KWARGS');
    expect(none.message).toMatch(
      /is not a model file this server serves \(the server reads no model files; send the model as xml\)/,
    );
    const tooLarge = await failure(new ModelFileReader({ dir, maxBytes: 1000 }).read('big.xml', 'xml_path'));
    expect(tooLarge.details).toMatchObject({ key: 'xml_path', limit: 'max_mjcf_bytes', max: 1000 });
    expect(tooLarge.message).not.toContain('xxx');
  });

  it('quotes a huge path cut short', async () => {
    const error = await failure(new ModelFileReader().read('a'.repeat(100_000), 'xml_path'));
    expect(error.message.length).toBeLessThan(400);
  });
});
