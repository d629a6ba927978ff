/**
 * Hand-rolled protobuf encoding of the few fields of tensorflow's `Event` message that scalar logging needs:
 *
 *   message Event      { double wall_time = 1; int64 step = 2; string file_version = 3; Summary summary = 5;
 *                        SessionLog session_log = 6; }
 *   message SessionLog { SessionStatus status = 1; }   (START = 1)
 *   message Summary    { repeated Value value = 1; }
 *   message Value   { string tag = 1; float simple_value = 2; }
 *
 * and a decoder for the same fields (other fields are skipped), used to read back what was written.
 */

export interface ScalarValue {
  tag: string;
  value: number;
}

export interface TensorBoardEvent {
  /** Seconds since the Unix epoch. */
  wallTime: number;
  step: number;
  /** Set on a file's first event only: "brain.Event:2". */
  fileVersion?: string;
  /**
   * A SessionLog START marker: TensorBoard's event accumulator then discards previously logged events with a
   * larger step, so a resumed run's curve continues from its checkpoint instead of overlapping the lost steps.
   */
  sessionStart?: boolean;
  /** Scalars carried by this event (empty for the file-version event). */
  scalars: ScalarValue[];
}

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_LENGTH_DELIMITED = 2;
const WIRE_FIXED32 = 5;
const SESSION_STATUS_START = 1;

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

/** Encodes an Event (see the module comment). Steps must be non-negative safe integers. */
export function encodeEvent(event: TensorBoardEvent): Uint8Array {
  if (!Number.isSafeInteger(event.step) || event.step < 0) throw new RangeError(`bad event step ${event.step}`);
  const out = new ProtoWriter();
  out.fixed64Double(1, event.wallTime);
  out.varintField(2, event.step);
  if (event.fileVersion !== undefined) out.bytes(3, utf8.encode(event.fileVersion));
  if (event.scalars.length > 0) {
    const summary = new ProtoWriter();
    for (const { tag, value } of event.scalars) {
      const entry = new ProtoWriter();
      entry.bytes(1, utf8.encode(tag));
      entry.fixed32Float(2, value);
      summary.bytes(1, entry.finish());
    }
    out.bytes(5, summary.finish());
  }
  if (event.sessionStart) {
    const sessionLog = new ProtoWriter();
    sessionLog.varintField(1, SESSION_STATUS_START);
    out.bytes(6, sessionLog.finish());
  }
  return out.finish();
}

/** Decodes the fields of an Event that encodeEvent writes. */
export function decodeEvent(bytes: Uint8Array): TensorBoardEvent {
  const event: TensorBoardEvent = { wallTime: 0, step: 0, scalars: [] };
  for (const field of readFields(bytes)) {
    const delimited = field.wire === WIRE_LENGTH_DELIMITED;
    if (field.number === 1 && field.wire === WIRE_FIXED64) event.wallTime = field.view.getFloat64(0, true);
    else if (field.number === 2 && field.wire === WIRE_VARINT) event.step = field.varint;
    else if (field.number === 3 && delimited) event.fileVersion = fromUtf8.decode(field.bytes);
    else if (field.number === 5 && delimited) event.scalars.push(...decodeSummary(field.bytes));
    else if (field.number === 6 && delimited) event.sessionStart = isSessionStart(field.bytes);
  }
  return event;
}

function isSessionStart(bytes: Uint8Array): boolean {
  for (const field of readFields(bytes)) {
    if (field.number === 1 && field.wire === WIRE_VARINT) return field.varint === SESSION_STATUS_START;
  }
  return false;
}

function decodeSummary(bytes: Uint8Array): ScalarValue[] {
  const scalars: ScalarValue[] = [];
  for (const field of readFields(bytes)) {
    if (field.number !== 1 || field.wire !== WIRE_LENGTH_DELIMITED) continue;
    const scalar: ScalarValue = { tag: '', value: NaN };
    for (const inner of readFields(field.bytes)) {
      if (inner.number === 1 && inner.wire === WIRE_LENGTH_DELIMITED) scalar.tag = fromUtf8.decode(inner.bytes);
      else if (inner.number === 2 && inner.wire === WIRE_FIXED32) scalar.value = inner.view.getFloat32(0, true);
    }
    scalars.push(scalar);
  }
  return scalars;
}

class ProtoWriter {
  private readonly chunks: number[] = [];

  varintField(field: number, value: number): void {
    this.key(field, WIRE_VARINT);
    this.varint(value);
  }

  fixed64Double(field: number, value: number): void {
    this.key(field, WIRE_FIXED64);
    const view = new DataView(new ArrayBuffer(8));
    view.setFloat64(0, value, true);
    this.raw(new Uint8Array(view.buffer));
  }

  fixed32Float(field: number, value: number): void {
    this.key(field, WIRE_FIXED32);
    const view = new DataView(new ArrayBuffer(4));
    view.setFloat32(0, value, true);
    this.raw(new Uint8Array(view.buffer));
  }

  bytes(field: number, value: Uint8Array): void {
    this.key(field, WIRE_LENGTH_DELIMITED);
    this.varint(value.length);
    this.raw(value);
  }

  finish(): Uint8Array {
    return Uint8Array.from(this.chunks);
  }

  private key(field: number, wire: number): void {
    this.varint(field * 8 + wire);
  }

  /** Base-128 varint of a non-negative safe integer (arithmetic, since bitwise ops stop at 32 bits). */
  private varint(value: number): void {
    let rest = value;
    while (rest >= 0x80) {
      this.chunks.push((rest % 0x80) | 0x80);
      rest = Math.floor(rest / 0x80);
    }
    this.chunks.push(rest);
  }

  private raw(bytes: Uint8Array): void {
    for (const byte of bytes) this.chunks.push(byte);
  }
}

interface Field {
  number: number;
  wire: number;
  /** Value of a varint field. */
  varint: number;
  /** Payload of a length-delimited field. */
  bytes: Uint8Array;
  /** Little-endian view of a fixed32 / fixed64 field. */
  view: DataView;
}

function* readFields(bytes: Uint8Array): Generator<Field> {
  let offset = 0;
  const readVarint = (): number => {
    let value = 0;
    let scale = 1;
    for (;;) {
      if (offset >= bytes.length) throw new Error('truncated protobuf varint');
      const byte = bytes[offset++];
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) return value;
      scale *= 0x80;
    }
  };
  const take = (length: number): Uint8Array => {
    if (offset + length > bytes.length) throw new Error('truncated protobuf field');
    const slice = bytes.subarray(offset, offset + length);
    offset += length;
    return slice;
  };
  while (offset < bytes.length) {
    const key = readVarint();
    const field: Field = {
      number: Math.floor(key / 8),
      wire: key % 8,
      varint: 0,
      bytes: new Uint8Array(0),
      view: new DataView(new ArrayBuffer(0)),
    };
    if (field.wire === WIRE_VARINT) field.varint = readVarint();
    else if (field.wire === WIRE_LENGTH_DELIMITED) field.bytes = take(readVarint());
    else if (field.wire === WIRE_FIXED64 || field.wire === WIRE_FIXED32) {
      const fixed = take(field.wire === WIRE_FIXED64 ? 8 : 4);
      field.view = new DataView(fixed.buffer, fixed.byteOffset, fixed.byteLength);
    } else throw new Error(`unsupported protobuf wire type ${field.wire}`);
    yield field;
  }
}
