/**
 * The partition of a keyed record, as librdkafka's default `consistent_random` partitioner picks it (CRC-32 of
 * the key, modulo the partition count): the server's relay produces with librdkafka, so a user's records from
 * this client land in the same partition as the server's and stay in order.
 */
import { crc32 } from "node:zlib";
import type { ICustomPartitioner } from "kafkajs";

export const LibrdkafkaPartitioner: ICustomPartitioner = () => ({ partitionMetadata, message }) => {
  const count = partitionMetadata.length;
  if (message.key === null || message.key === undefined) return Math.floor(Math.random() * count);
  return crc32(Buffer.from(message.key)) % count;
};
