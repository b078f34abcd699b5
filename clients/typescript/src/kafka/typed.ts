/**
 * A typed producer and consumer of one Avro topic over kafkajs (pure JavaScript: @confluentinc/kafka-javascript
 * needs librdkafka built from sources these machines cannot download). Topic names get the deployment's prefix
 * (`SUBSHIFT_KAFKA_TOPIC_PREFIX`); the registry subject stays the manifest's, as the server's.
 */
import type { Consumer, Kafka, Producer } from "kafkajs";
import type { TopicSpec } from "../gen/topics.js";
import { SubshiftClientError } from "../errors.js";
import { AvroCodec } from "./codec.js";
import { enableLz4 } from "./lz4.js";
import { LibrdkafkaPartitioner } from "./partitioner.js";
import type { SchemaRegistry } from "./registry.js";

export interface TopicOptions {
  /** Prefix of every topic name (default `SUBSHIFT_KAFKA_TOPIC_PREFIX`, else none). */
  readonly topicPrefix?: string;
}

/** `topic`'s name as a deployment with `prefix` names it. */
export function deployedName(topic: TopicSpec, prefix?: string): string {
  return (prefix ?? process.env["SUBSHIFT_KAFKA_TOPIC_PREFIX"] ?? "") + topic.name;
}

function subjectOf(topic: TopicSpec): string {
  if (topic.valueSubject === null) throw new SubshiftClientError(`topic ${topic.name} has no Avro value subject`);
  return topic.valueSubject;
}

export interface TypedProducerOptions<T> extends TopicOptions {
  readonly kafka: Kafka;
  readonly registry: SchemaRegistry;
  readonly topic: TopicSpec;
  readonly codec: AvroCodec<T>;
  readonly schema: object;
  readonly keyOf: (record: T) => string;
  /** Register the schema under the subject when it is not there yet (default: only look it up). */
  readonly register?: boolean;
}

/** Produces typed records, keyed by `keyOf`, framed with the schema's registry id (looked up once). */
export class TypedProducer<T> {
  readonly topicName: string;
  private readonly producer: Producer;
  private schemaId: number | undefined;

  constructor(private readonly options: TypedProducerOptions<T>) {
    this.topicName = deployedName(options.topic, options.topicPrefix);
    enableLz4();
    this.producer = options.kafka.producer({ allowAutoTopicCreation: false, createPartitioner: LibrdkafkaPartitioner });
  }

  async connect(): Promise<void> {
    this.schemaId = await this.options.registry.idOf(subjectOf(this.options.topic), this.options.schema,
      { register: this.options.register ?? false });
    await this.producer.connect();
  }

  /** Send `records` and wait until Kafka has them all (acks from all in-sync replicas). */
  async send(records: readonly T[]): Promise<void> {
    if (this.schemaId === undefined) throw new SubshiftClientError("call connect() before send()");
    const id = this.schemaId;
    await this.producer.send({
      topic: this.topicName, acks: -1,
      messages: records.map((r) => ({ key: this.options.keyOf(r), value: this.options.codec.encode(id, r) })),
    });
  }

  async close(): Promise<void> {
    await this.producer.disconnect();
  }
}

/** One consumed record: the typed value, or why it could not be decoded, and where it was. */
export interface Consumed<T> {
  readonly key: string | null;
  readonly value: T | undefined;
  readonly error: Error | undefined;
  readonly partition: number;
  readonly offset: string;
}

export interface TypedConsumerOptions<T> extends TopicOptions {
  readonly kafka: Kafka;
  readonly topic: TopicSpec;
  readonly codec: AvroCodec<T>;
  readonly groupId: string;
  /** Start from the earliest offset when the group has none (default true). */
  readonly fromBeginning?: boolean;
}

/** Consumes a topic into typed records; offsets are committed only for records the handler finished. */
export class TypedConsumer<T> {
  readonly topicName: string;
  private readonly consumer: Consumer;

  constructor(private readonly options: TypedConsumerOptions<T>) {
    this.topicName = deployedName(options.topic, options.topicPrefix);
    enableLz4();
    this.consumer = options.kafka.consumer({ groupId: options.groupId, allowAutoTopicCreation: false });
  }

  /** Subscribe and hand each record to `handle`, in order per partition, until `close()`. */
  async run(handle: (record: Consumed<T>) => Promise<void> | void): Promise<void> {
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.topicName, fromBeginning: this.options.fromBeginning ?? true });
    await this.consumer.run({
      eachMessage: async ({ partition, message }) => {
        let value: T | undefined;
        let error: Error | undefined;
        try {
          value = message.value === null ? undefined : await this.options.codec.decode(message.value);
        } catch (failure) {
          error = failure as Error;
        }
        await handle({ key: message.key?.toString() ?? null, value, error, partition, offset: message.offset });
      },
    });
  }

  async close(): Promise<void> {
    await this.consumer.disconnect();
  }
}
