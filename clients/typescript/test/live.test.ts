/**
 * A live migration through the TypeScript client, its events read back from Kafka through the registry, and an
 * event produced here that the Python consumer applies. Run from pytest, which starts the service.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { type AddressInfo, type Socket, connect, createServer } from "node:net";
import { crc32 } from "node:zlib";
import { Kafka, logLevel } from "kafkajs";
import {
  InvalidArgumentError, ItemOutcome, type Migration, type MigrationItem, MigrationState, NotFoundError,
  SubshiftClient, USER_OFFERS, UnauthenticatedError,
} from "@subshift/client";
import {
  SchemaRegistry, type UserOfferMigrationRequested, userOffersConsumer, userOffersProducer,
} from "@subshift/client/kafka";
import { type Expectation, type HandoffEvent, required } from "./env.js";

const expect = JSON.parse(required("SUBSHIFT_TEST_EXPECT")) as Expectation;
const csv = required("SUBSHIFT_TEST_CSV");
const workdir = required("SUBSHIFT_TEST_WORKDIR");

function kafka(): Kafka {
  return new Kafka({ clientId: "subshift-ts-test", brokers: required("SUBSHIFT_KAFKA_BOOTSTRAP").split(","),
    logLevel: logLevel.ERROR });
}

describe("a live migration of 1,000 rows with 3 bad ones", () => {
  const client = new SubshiftClient({ timeoutMs: 60_000 });
  let created: Awaited<ReturnType<SubshiftClient["createMigration"]>>;
  let snapshots: Migration[] = [];
  let items: MigrationItem[] = [];

  before(async () => {
    created = await client.createMigration(csv, { description: "typescript journey", maxRejectedRows: 3 });
  });
  after(() => client.close());

  test("the upload stages the good rows and reports each bad one with its row and column", () => {
    assert.equal(created.migration?.counts?.rowsReceived, BigInt(expect.rows));
    assert.equal(created.migration?.counts?.staged, BigInt(expect.good_rows));
    assert.equal(created.report?.rowsRejected, 3n);
    const violations = created.report?.violations ?? [];
    assert.deepEqual(violations.map((v) => Number(v.row)).sort((a, b) => a - b), expect.bad_row_numbers);
    for (const violation of violations) {
      assert.ok(violation.column, `violation of row ${violation.row} names no column`);
      assert.ok(violation.rule && violation.message);
    }
  });

  test("the same file without tolerance is refused with typed row violations", async () => {
    await assert.rejects(client.createMigration(csv, { description: "no tolerance" }), (error: unknown) => {
      assert.ok(error instanceof InvalidArgumentError, String(error));
      assert.deepEqual(error.violations.map((v) => Number(v.row)).sort((a, b) => a - b), expect.bad_row_numbers);
      assert.ok(error.violations.every((v) => v.column !== ""));
      assert.equal(error.violationsTotal, 3);
      return true;
    });
  });

  test("the watch ends at the terminal state without repeating a snapshot", async () => {
    const id = created.migration?.migrationId ?? "";
    for await (const snapshot of client.watch(id, { idleTimeoutMs: 120_000 })) snapshots.push(snapshot);
    assert.equal(snapshots.at(-1)?.state, MigrationState.SUCCEEDED);
    assert.ok(!snapshots.slice(0, -1).some((s) => s.state === MigrationState.SUCCEEDED));
  });

  test("every count of the finished migration adds up", async () => {
    const final = await client.getMigration(created.migration?.migrationId ?? "");
    const c = final.counts;
    assert.ok(c);
    assert.deepEqual(
      [c.rowsReceived, c.rowsRejected, c.staged, c.published, c.applied, c.skipped, c.conflicts, c.notFound,
        c.cancelled, c.deadLettered].map(Number),
      [expect.rows, 3, expect.good_rows, expect.good_rows, expect.good_rows, 0, 0, 0, 0, 0]);
  });

  test("items come in pages, in row order, each applied", async () => {
    const id = created.migration?.migrationId ?? "";
    for await (const item of client.listItems(id, { pageSize: 100, outcome: ItemOutcome.APPLIED })) items.push(item);
    assert.equal(items.length, expect.good_rows);
    const rows = items.map((i) => Number(i.rowNumber));
    assert.deepEqual(rows, [...rows].sort((a, b) => a - b));
    assert.equal(await client.countItems(id), expect.rows);
    const limited: MigrationItem[] = [];
    for await (const item of client.listItems(id, { pageSize: 7, limit: 10 })) limited.push(item);
    assert.equal(limited.length, 10);
  });

  test("the export has every row", async () => {
    const file = path.join(workdir, "ts-results.csv");
    const written = await client.exportResults(created.migration?.migrationId ?? "", file);
    const lines = readFileSync(file, "utf8").trimEnd().split("\n");
    assert.equal(written, readFileSync(file).length);
    assert.equal(lines.length - 1, expect.rows);
  });

  test("the migration is listed, and a finished one cannot be cancelled", async () => {
    const id = created.migration?.migrationId ?? "";
    const listed: string[] = [];
    for await (const m of client.listMigrations({ pageSize: 1 })) listed.push(m.migrationId);
    assert.ok(listed.includes(id));
    await assert.rejects(client.cancel(id, { reason: "too late" }), (error: unknown) =>
      error instanceof Error && error.name === "FailedPreconditionError");
  });

  test("an unknown migration and a bad token are typed errors", async () => {
    await assert.rejects(client.getMigration("00000000-0000-0000-0000-000000000000"), NotFoundError);
    const stranger = new SubshiftClient({ token: "not-a-token" });
    try {
      await assert.rejects(stranger.getMigration("00000000-0000-0000-0000-000000000000"), UnauthenticatedError);
    } finally {
      stranger.close();
    }
  });

  test("a token provider is asked on every call", async () => {
    let asked = 0;
    const token = required("SUBSHIFT_TOKEN");
    const provided = new SubshiftClient({ token: async () => { asked++; return token; } });
    try {
      await provided.getMigration(created.migration?.migrationId ?? "");
      await provided.getMigration(created.migration?.migrationId ?? "");
    } finally {
      provided.close();
    }
    assert.equal(asked, 2);
  });

  test("the migration's events come back from Kafka as typed records, through the registry", async () => {
    const id = created.migration?.migrationId ?? "";
    const byEvent = new Map(items.map((i) => [i.eventId, i]));
    const seen = new Map<string, UserOfferMigrationRequested>();
    const consumer = userOffersConsumer(kafka(), new SchemaRegistry(), { groupId: `ts-test-${Date.now()}` });
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`only ${seen.size} of ${expect.good_rows} events in 120s`)),
          120_000);
        consumer.run(({ key, value, error, partition }) => {
          if (error) return reject(error);
          if (value?.migration_id !== id) return;
          assert.equal(key, value.user_id);
          // The server's relay (librdkafka) put it where this client's producer would have.
          assert.equal(partition, crc32(Buffer.from(value.user_id)) % USER_OFFERS.partitions);
          seen.set(value.event_id, value);
          if (seen.size === expect.good_rows) { clearTimeout(timer); resolve(); }
        }).catch(reject);
      });
    } finally {
      await consumer.close();
    }
    for (const [eventId, record] of seen) {
      const item = byEvent.get(eventId);
      assert.ok(item, `event ${eventId} is no item of the migration`);
      assert.deepEqual([record.user_id, record.current_offer, record.target_offer, record.row_number],
        [item.userId, item.currentOffer, item.targetOffer, Number(item.rowNumber)]);
      assert.equal(typeof record.requested_at, "number");
    }
  });
});

describe("a revert, then a throttled migration watched through a connection that breaks", () => {
  const client = new SubshiftClient({ timeoutMs: 60_000 });
  after(() => client.close());

  test("a reverted migration moves its users back, and wait() returns the terminal snapshot", async () => {
    let first: Migration | undefined;
    for await (const m of client.listMigrations({ state: MigrationState.SUCCEEDED, limit: 1 })) first = m;
    assert.ok(first, "no succeeded migration to revert");
    const revert = await client.revert(first.migrationId, { description: "typescript revert" });
    assert.equal(revert.revertsMigrationId, first.migrationId);
    const seen: MigrationState[] = [];
    const final = await client.wait(revert.migrationId, { idleTimeoutMs: 120_000, onProgress: (m) => seen.push(m.state) });
    assert.equal(final.state, MigrationState.SUCCEEDED);
    assert.equal(Number(final.counts?.applied), expect.good_rows);
    assert.equal(seen.at(-1), MigrationState.SUCCEEDED);
  });

  test("the watch is resumed after its stream breaks and still ends at the terminal state", async () => {
    // The reverted users are back on their offers: the first 60 rows of the file are valid again, sent as rows.
    const rows = readFileSync(csv, "utf8").trimEnd().split("\n").slice(0, 61).map((line) => line.split(","));
    const created = await client.createMigration(rows, { maxRejectedRows: 3, maxRowsPerSecond: 20 });
    const id = created.migration?.migrationId ?? "";
    const proxy = await tcpProxy(required("SUBSHIFT_API_ADDR"));
    const watcher = new SubshiftClient({ addr: proxy.addr, timeoutMs: 60_000 });
    const states: MigrationState[] = [];
    try {
      for await (const snapshot of watcher.watch(id)) {
        states.push(snapshot.state);
        if (states.length === 1) proxy.cut(); // every open connection dies under the watch
      }
    } finally {
      watcher.close();
      proxy.close();
    }
    assert.equal(states.at(-1), MigrationState.SUCCEEDED);
    assert.ok(proxy.connections() >= 2, `the watch used ${proxy.connections()} connection(s)`);
  });

  test("a running migration can be cancelled; its rows not yet applied are cancelled", async () => {
    const lines = readFileSync(csv, "utf8").trimEnd().split("\n");
    const rows = [lines[0] ?? "", ...lines.slice(61, 121)].map((line) => line.split(","));
    const created = await client.createMigration(rows, { maxRejectedRows: 3, maxRowsPerSecond: 1 });
    const cancelled = await client.cancel(created.migration?.migrationId ?? "", { reason: "typescript test" });
    const final = await client.wait(cancelled.migrationId, { idleTimeoutMs: 120_000 });
    assert.equal(final.state, MigrationState.CANCELLED);
    assert.ok(Number(final.counts?.cancelled) > 0, `cancelled count ${final.counts?.cancelled}`);
  });
});

/** A TCP proxy to `target` whose connections can all be cut at once. */
async function tcpProxy(target: string): Promise<{ addr: string; cut(): void; close(): void; connections(): number }> {
  const [host, port] = [target.replace(/:\d+$/, ""), Number(target.split(":").at(-1))];
  const sockets = new Set<Socket>();
  let connections = 0;
  const server = createServer((downstream) => {
    connections++;
    const upstream = connect(port, host);
    for (const socket of [downstream, upstream]) {
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
      socket.on("error", () => { downstream.destroy(); upstream.destroy(); });
    }
    downstream.pipe(upstream).pipe(downstream);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address() as AddressInfo;
  return {
    addr: `127.0.0.1:${address.port}`,
    cut: () => { for (const socket of sockets) socket.destroy(); },
    close: () => { server.close(); for (const socket of sockets) socket.destroy(); },
    connections: () => connections,
  };
}

describe("an event produced in TypeScript", () => {
  const event = JSON.parse(required("SUBSHIFT_TEST_HANDOFF_EVENT")) as HandoffEvent;

  test("is applied by the Python consumer: the item's outcome becomes applied", async () => {
    const producer = userOffersProducer(kafka(), new SchemaRegistry());
    const record: UserOfferMigrationRequested = { ...event, requested_at: Date.now(), requested_by: "ts-test" };
    await producer.connect();
    try {
      await producer.send([record]);
    } finally {
      await producer.close();
    }
    const client = new SubshiftClient();
    try {
      const deadline = Date.now() + 90_000;
      let outcome: ItemOutcome | undefined;
      while (Date.now() < deadline) {
        for await (const item of client.listItems(event.migration_id)) outcome = item.outcome;
        if (outcome === ItemOutcome.APPLIED) break;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
      assert.equal(outcome, ItemOutcome.APPLIED);
    } finally {
      client.close();
    }
  });
});
