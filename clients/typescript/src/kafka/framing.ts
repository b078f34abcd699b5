/**
 * The Confluent wire format, in one place: a magic byte 0, the writer schema's registry id (4 bytes, big-endian),
 * then the Avro binary body.
 */
import { UndecodableValueError } from "../errors.js";

export const MAGIC_BYTE = 0;
export const HEADER_BYTES = 5;

/** `body` framed with `schemaId`. */
export function frame(schemaId: number, body: Uint8Array): Buffer {
  const framed = Buffer.alloc(HEADER_BYTES + body.length);
  framed.writeUInt8(MAGIC_BYTE, 0);
  framed.writeUInt32BE(schemaId, 1);
  framed.set(body, HEADER_BYTES);
  return framed;
}

/** The schema id and the Avro body of a framed value; throws `UndecodableValueError` when it is not framed. */
export function unframe(value: Uint8Array): { schemaId: number; body: Buffer } {
  const buffer = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  if (buffer.length < HEADER_BYTES || buffer.readUInt8(0) !== MAGIC_BYTE) {
    throw new UndecodableValueError(`not a Confluent-framed value (${buffer.length} bytes, first byte `
      + `${buffer.length ? buffer.readUInt8(0) : "none"}; expected magic byte 0 and a 4-byte schema id)`);
  }
  return { schemaId: buffer.readUInt32BE(1), body: buffer.subarray(HEADER_BYTES) };
}
