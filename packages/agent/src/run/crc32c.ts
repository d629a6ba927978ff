/**
 * CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), as used by TFRecord files, and the "masked" variant that
 * TFRecord stores so that CRCs of data containing CRCs stay well-distributed.
 */

const CASTAGNOLI_REFLECTED = 0x82f63b78;
const MASK_DELTA = 0xa282ead8;

const TABLE = buildTable();

function buildTable(): Uint32Array {
  const table = new Uint32Array(256);
  for (let byte = 0; byte < 256; byte++) {
    let crc = byte;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ CASTAGNOLI_REFLECTED : crc >>> 1;
    table[byte] = crc >>> 0;
  }
  return table;
}

/** CRC-32C of `bytes` as an unsigned 32-bit integer. `crc32c(utf8("123456789")) === 0xe3069283`. */
export function crc32c(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) crc = TABLE[(crc ^ bytes[i]) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** TFRecord's masked CRC: rotate right by 15 bits and add a constant (mod 2^32). */
export function maskCrc32c(crc: number): number {
  return (((crc >>> 15) | (crc << 17)) + MASK_DELTA) >>> 0;
}

/** Masked CRC-32C of `bytes`. */
export function maskedCrc32c(bytes: Uint8Array): number {
  return maskCrc32c(crc32c(bytes));
}
