/**
 * Subshift's Kafka side: the Confluent framing, the registry lookup by id, and a typed producer and consumer for
 * `user-offers` (`UserOfferMigrationRequested` records keyed by `user_id`).
 */
import type { Kafka } from "kafkajs";
import {
  type UserOfferMigrationRequested,
  UserOfferMigrationRequestedSchema,
  UserOfferMigrationRequestedType,
} from "../gen/avro/user_offer_migration_requested.js";
import { USER_OFFERS } from "../gen/topics.js";
import { AvroCodec } from "./codec.js";
import type { SchemaRegistry } from "./registry.js";
import { type TopicOptions, TypedConsumer, TypedProducer } from "./typed.js";

export { AvroCodec } from "./codec.js";
export { UndecodableValueError, RegistryError } from "../errors.js";
export { HEADER_BYTES, MAGIC_BYTE, frame, unframe } from "./framing.js";
export { enableLz4 } from "./lz4.js";
export { LibrdkafkaPartitioner } from "./partitioner.js";
export { type RegistryOptions, SchemaRegistry } from "./registry.js";
export {
  type Consumed, type TopicOptions, TypedConsumer, type TypedConsumerOptions, TypedProducer,
  type TypedProducerOptions, deployedName,
} from "./typed.js";
export * from "../gen/avro/user_offer_migration_requested.js";

/** The codec of `user-offers` values. */
export function userOffersCodec(registry: SchemaRegistry): AvroCodec<UserOfferMigrationRequested> {
  return new AvroCodec<UserOfferMigrationRequested>(UserOfferMigrationRequestedType, registry);
}

/** A producer of `UserOfferMigrationRequested` to `user-offers`, keyed by `user_id`. */
export function userOffersProducer(kafka: Kafka, registry: SchemaRegistry,
                                   options: TopicOptions & { register?: boolean } = {}):
    TypedProducer<UserOfferMigrationRequested> {
  return new TypedProducer({
    ...options, kafka, registry, topic: USER_OFFERS, codec: userOffersCodec(registry),
    schema: UserOfferMigrationRequestedSchema, keyOf: (record) => record.user_id,
  });
}

/** A consumer of `user-offers` into `UserOfferMigrationRequested` records. */
export function userOffersConsumer(kafka: Kafka, registry: SchemaRegistry,
                                   options: TopicOptions & { groupId: string; fromBeginning?: boolean }):
    TypedConsumer<UserOfferMigrationRequested> {
  return new TypedConsumer({ ...options, kafka, topic: USER_OFFERS, codec: userOffersCodec(registry) });
}
