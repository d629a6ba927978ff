/**
 * `pnpm build:wasm`: assembles the hand-written WebAssembly text of the value fit's kernels
 * (wasm/value-fit-kernels.wat) into the binary the package loads at run time (wasm/value-fit-kernels.wasm), with
 * wabt's wat2wasm. The binary is checked in so that loading needs no assembler; simd-kernels.test.ts assembles the
 * text again and checks that the checked-in bytes are exactly these.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import wabt from 'wabt';

export const KERNELS_TEXT_FILE = fileURLToPath(new URL('../wasm/value-fit-kernels.wat', import.meta.url));
export const KERNELS_BINARY_FILE = fileURLToPath(new URL('../wasm/value-fit-kernels.wasm', import.meta.url));

/** The binary of the kernels' text, as wat2wasm writes it (no names section: the bytes depend only on the code). */
export async function assembleKernels(): Promise<Uint8Array> {
  const { parseWat } = await wabt();
  const module = parseWat(KERNELS_TEXT_FILE, await readFile(KERNELS_TEXT_FILE, 'utf8'), { simd: true });
  try {
    module.validate();
    return module.toBinary({ canonicalize_lebs: true }).buffer;
  } finally {
    module.destroy();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const bytes = await assembleKernels();
  await writeFile(KERNELS_BINARY_FILE, bytes);
  console.log(`wrote ${bytes.length} bytes to ${KERNELS_BINARY_FILE}`);
}
