/**
 * LZ4 for kafkajs, which has no codec of its own: the server's relay compresses `user-offers` batches with LZ4
 * (librdkafka's frame format), so a consumer cannot read them without it. lz4js is pure JavaScript (no build).
 *
 * kafkajs keeps its codecs in one module-wide table; `enableLz4()` adds ours there once (idempotent), and the
 * typed producer and consumer call it, so nobody has to remember to.
 */
import kafkajs from "kafkajs";
import lz4 from "lz4js";

const codec = {
  async compress(encoder: { buffer: Buffer }): Promise<Buffer> {
    return Buffer.from(lz4.compress(encoder.buffer));
  },
  async decompress(buffer: Buffer): Promise<Buffer> {
    return Buffer.from(lz4.decompress(buffer));
  },
};

export function enableLz4(): void {
  // kafkajs is CommonJS and Node cannot see these two as named exports.
  kafkajs.CompressionCodecs[kafkajs.CompressionTypes.LZ4] = () => codec;
}
