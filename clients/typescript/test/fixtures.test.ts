/** Every golden wire fixture of every released contract version decodes to its recorded values. */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { createRegistry, fromBinary, toBinary, toJson } from "@bufbuild/protobuf";
import avro from "avsc";
import { file_subshift_migration_v1_migration_service } from "@subshift/client";
import {
  AvroCodec, SchemaRegistry, UserOfferMigrationRequestedType, frame, unframe,
} from "@subshift/client/kafka";
import { REPO_DIR } from "./env.js";

const FIXTURES = path.join(REPO_DIR, "compat_tests", "fixtures");
const registry = createRegistry(file_subshift_migration_v1_migration_service);

interface Index {
  proto: Record<string, string>;
  avro: Record<string, string>;
  frame_schema_id: number;
}

const versions = readdirSync(FIXTURES).filter((name) => /^v\d+$/.test(name)).sort();

test("there is at least one released contract version", () => {
  assert.ok(versions.length > 0, `no v<N> folder in ${FIXTURES}`);
});

for (const version of versions) {
  const folder = path.join(FIXTURES, version);
  const index = JSON.parse(readFileSync(path.join(folder, "index.json"), "utf8")) as Index;

  for (const [name, typeName] of Object.entries(index.proto)) {
    test(`${version} proto ${name} decodes to its recorded values and re-encodes byte for byte`, () => {
      const schema = registry.getMessage(typeName);
      assert.ok(schema, `${typeName} is not in the generated code`);
      const bytes = readFileSync(path.join(folder, "proto", `${name}.binpb`));
      const message = fromBinary(schema, bytes);
      const expected: unknown = JSON.parse(readFileSync(path.join(folder, "proto", `${name}.json`), "utf8"));
      assert.deepEqual(toJson(schema, message, { useProtoFieldName: true }), expected);
      assert.deepEqual(Buffer.from(toBinary(schema, message)), bytes);
    });
  }

  for (const [name, subject] of Object.entries(index.avro)) {
    test(`${version} avro ${name} decodes into a typed record, offline and through the registry`, async () => {
      const framed = readFileSync(path.join(folder, "avro", `${name}.bin`));
      const writerText = readFileSync(path.join(folder, "avro", `${subject}.avsc`), "utf8");
      const expected: unknown = JSON.parse(readFileSync(path.join(folder, "avro", `${name}.json`), "utf8"));
      const { schemaId, body } = unframe(framed);
      assert.equal(schemaId, index.frame_schema_id);
      const writer = avro.Type.forSchema(JSON.parse(writerText) as avro.Schema);
      const offline = UserOfferMigrationRequestedType.fromBuffer(body,
        UserOfferMigrationRequestedType.createResolver(writer));
      assert.deepEqual({ ...offline }, expected);

      // Registry ids differ between registries: register the stored writer schema, re-frame with the id given.
      const schemas = new SchemaRegistry();
      const testSubject = `ts-fixtures-${randomUUID()}-${subject}`;
      try {
        const id = await schemas.idOf(testSubject, JSON.parse(writerText) as object, { register: true });
        const decoded = await new AvroCodec(UserOfferMigrationRequestedType, schemas).decode(frame(id, body));
        assert.deepEqual({ ...(decoded as object) }, expected);
      } finally {
        await fetch(`${schemas.url}/subjects/${testSubject}`, { method: "DELETE" });
        await fetch(`${schemas.url}/subjects/${testSubject}?permanent=true`, { method: "DELETE" });
      }
    });
  }
}
