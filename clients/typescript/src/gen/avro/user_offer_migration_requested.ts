// Generated, do not edit; run `subshift contracts generate`.
// Generators: @bufbuild/protobuf 2.17.0, @bufbuild/protoc-gen-es 2.17.0, avsc 5.7.9
// Source: contracts/avro/user_offer_migration_requested.avsc
import avro from "avsc";

/** The writer schema, as in the contracts (Avro JSON). */
export const UserOfferMigrationRequestedSchema = {
  "doc": "A request to move one subscriber from one offer to another, as one row of a Subshift migration. Keyed by user_id on the topic, so all changes of a user stay in order.",
  "fields": [
    {
      "doc": "Unique id of this event (a UUID); consumers de-duplicate on it.",
      "name": "event_id",
      "type": {
        "logicalType": "uuid",
        "type": "string"
      }
    },
    {
      "doc": "The migration this row belongs to.",
      "name": "migration_id",
      "type": "string"
    },
    {
      "doc": "The subscriber to move; also the record key.",
      "name": "user_id",
      "type": "string"
    },
    {
      "doc": "The offer the subscriber must be on for the change to apply (compare-and-set).",
      "name": "current_offer",
      "type": "string"
    },
    {
      "doc": "The offer to move the subscriber to.",
      "name": "target_offer",
      "type": "string"
    },
    {
      "doc": "When the migration was created (UTC, milliseconds since the epoch).",
      "name": "requested_at",
      "type": {
        "logicalType": "timestamp-millis",
        "type": "long"
      }
    },
    {
      "default": null,
      "doc": "Subject of the token that created the migration, when known.",
      "name": "requested_by",
      "type": [
        "null",
        "string"
      ]
    },
    {
      "default": null,
      "doc": "1-based row of the uploaded CSV (the header is row 1), for lineage.",
      "name": "row_number",
      "type": [
        "null",
        "long"
      ]
    }
  ],
  "name": "UserOfferMigrationRequested",
  "namespace": "io.subshift.migration.v1",
  "type": "record"
} as const;

/** A request to move one subscriber from one offer to another, as one row of a Subshift migration. Keyed by user_id on the topic, so all changes of a user stay in order. */
export interface UserOfferMigrationRequested {
  /** Unique id of this event (a UUID); consumers de-duplicate on it. */
  event_id: string;
  /** The migration this row belongs to. */
  migration_id: string;
  /** The subscriber to move; also the record key. */
  user_id: string;
  /** The offer the subscriber must be on for the change to apply (compare-and-set). */
  current_offer: string;
  /** The offer to move the subscriber to. */
  target_offer: string;
  /** When the migration was created (UTC, milliseconds since the epoch). */
  requested_at: number;
  /** Subject of the token that created the migration, when known. */
  requested_by: null | string;
  /** 1-based row of the uploaded CSV (the header is row 1), for lineage. */
  row_number: null | number;
}

/** avsc's codec for UserOfferMigrationRequested (long fields as JS numbers; logical types as their base type). */
export const UserOfferMigrationRequestedType: avro.Type = avro.Type.forSchema(
  UserOfferMigrationRequestedSchema as unknown as avro.Schema,
);
