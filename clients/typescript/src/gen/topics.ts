// Generated, do not edit; run `subshift contracts generate`.
// Generators: @bufbuild/protobuf 2.17.0, @bufbuild/protoc-gen-es 2.17.0, avsc 5.7.9
// Source: contracts/subjects.yaml
/** The facts of one topic of the manifest. */
export interface TopicSpec {
  readonly name: string;
  readonly description: string;
  readonly keyFormat: string;
  readonly keyField: string | null;
  readonly valueFormat: string;
  readonly valueSubject: string | null;
  readonly valueSchemaFile: string | null;
  readonly compatibility: string | null;
  readonly partitions: number;
  readonly replicationFactor: number;
  readonly retentionMs: number | null;
  readonly deadLetterTopic: string | null;
}

export const DEFAULT_COMPATIBILITY = "BACKWARD_TRANSITIVE";

/** One event per user per migration, keyed by user id. */
export const USER_OFFERS: TopicSpec = {
  name: "user-offers",
  description: "One event per user per migration, keyed by user id.",
  keyFormat: "string",
  keyField: "user_id",
  valueFormat: "avro",
  valueSubject: "user-offers-value",
  valueSchemaFile: "avro/user_offer_migration_requested.avsc",
  compatibility: "BACKWARD_TRANSITIVE",
  partitions: 6,
  replicationFactor: 1,
  retentionMs: 604800000,
  deadLetterTopic: "user-offers.DLT",
};

/** Events of user-offers that can never be applied, with headers that say why. */
export const USER_OFFERS_DLT: TopicSpec = {
  name: "user-offers.DLT",
  description: "Events of user-offers that can never be applied, with headers that say why.",
  keyFormat: "bytes",
  keyField: null,
  valueFormat: "bytes",
  valueSubject: null,
  valueSchemaFile: null,
  compatibility: null,
  partitions: 6,
  replicationFactor: 1,
  retentionMs: 2592000000,
  deadLetterTopic: null,
};

export const ALL_TOPICS: readonly TopicSpec[] = [USER_OFFERS, USER_OFFERS_DLT];

/** The Avro record that user-offers's values carry (see avro/). */
export const USER_OFFERS_RECORD = "UserOfferMigrationRequested";
