/**
 * TFRecord framing, the container of TensorBoard event files. Each record is
 *   uint64 length (little-endian) | uint32 masked crc32c of those 8 bytes | data | uint32 masked crc32c of data
 */
import { maskedCrc32c } from './crc32c.js';

const HEADER_BYTES = 12;
const FOOTER_BYTES = 4;

/** Frames `data` as one TFRecord. */
export function encodeTfRecord(data: Uint8Array): Uint8Array {
  const record = new Uint8Array(HEADER_BYTES + data.length + FOOTER_BYTES);
  const view = new DataView(record.buffer);
  view.setBigUint64(0, BigInt(data.length), true);
  view.setUint32(8, maskedCrc32c(record.subarray(0, 8)), true);
  record.set(data, HEADER_BYTES);
  view.setUint32(HEADER_BYTES + data.length, maskedCrc32c(data), true);
  return record;
}

/** Splits a TFRecord file into its records' data, checking both CRCs of every record. */
export function decodeTfRecords(file: Uint8Array): Uint8Array[] {
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const records: Uint8Array[] = [];
  let offset = 0;
  while (offset < file.length) {
    if (offset + HEADER_BYTES > file.length) throw new Error(`truncated TFRecord header at byte ${offset}`);
    const length = Number(view.getBigUint64(offset, true));
    if (view.getUint32(offset + 8, true) !== maskedCrc32c(file.subarray(offset, offset + 8))) {
      throw new Error(`TFRecord length crc mismatch at byte ${offset}`);
    }
    const start = offset + HEADER_BYTES;
    const end = start + length;
    if (end + FOOTER_BYTES > file.length) throw new Error(`truncated TFRecord at byte ${offset}`);
    const data = file.subarray(start, end);
    if (view.getUint32(end, true) !== maskedCrc32c(data))
      throw new Error(`TFRecord data crc mismatch at byte ${offset}`);
    records.push(data);
    offset = end + FOOTER_BYTES;
  }
  return records;
}
