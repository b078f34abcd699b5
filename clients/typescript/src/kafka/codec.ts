/**
 * Typed Avro values in the Confluent framing: encode with the contract's schema under its registry id; decode
 * with the writer schema looked up by the id in the frame (fetched once, cached), resolved to the contract's.
 */
import avro from "avsc";
import { UndecodableValueError } from "../errors.js";
import { frame, unframe } from "./framing.js";
import type { SchemaRegistry } from "./registry.js";

export class AvroCodec<T> {
  private readonly resolvers = new Map<number, Promise<avro.Resolver>>();

  /** `type` is the reader (and writer) type generated from the contract, e.g. `UserOfferMigrationRequestedType`. */
  constructor(readonly type: avro.Type, private readonly registry: SchemaRegistry) {}

  /** `record` as a framed value under `schemaId`; throws `UndecodableValueError` when it does not fit the schema. */
  encode(schemaId: number, record: T): Buffer {
    const problems: string[] = [];
    if (!this.type.isValid(record, { errorHook: (path) => problems.push(path.join(".") || "(record)") })) {
      throw new UndecodableValueError(`the record does not fit ${this.type.name ?? "the schema"}: `
        + `bad field(s) ${problems.join(", ")}`);
    }
    return frame(schemaId, this.type.toBuffer(record));
  }

  /** The typed record in a framed value. Throws `UndecodableValueError` or `RegistryError`. */
  async decode(value: Uint8Array): Promise<T> {
    const { schemaId, body } = unframe(value);
    const resolver = await this.resolverFor(schemaId);
    try {
      return this.type.fromBuffer(body, resolver) as T;
    } catch (error) {
      throw new UndecodableValueError(`the body under schema id ${schemaId} does not decode: ${String(error)}`,
        { cause: error });
    }
  }

  private resolverFor(schemaId: number): Promise<avro.Resolver> {
    let resolver = this.resolvers.get(schemaId);
    if (resolver === undefined) {
      resolver = this.registry.schemaById(schemaId).then((text) => {
        const writer = avro.Type.forSchema(JSON.parse(text) as avro.Schema);
        return this.type.createResolver(writer);
      });
      resolver.catch(() => this.resolvers.delete(schemaId));
      this.resolvers.set(schemaId, resolver);
    }
    return resolver;
  }
}
