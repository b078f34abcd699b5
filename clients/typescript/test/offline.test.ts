/** What the client decides on its own, without a server: refusals, deadlines, framing, versions. */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import { test } from "node:test";
import {
  DeadlineExceededError, InsecureChannelError, SubshiftClient, UnavailableError, UploadSourceError, VERSION,
} from "@subshift/client";
import { UndecodableValueError, frame, unframe } from "@subshift/client/kafka";
import { PACKAGE_DIR } from "./env.js";

test("the version in the code is the package's", () => {
  const manifest = JSON.parse(readFileSync(path.join(PACKAGE_DIR, "package.json"), "utf8")) as { version: string };
  assert.equal(VERSION, manifest.version);
});

test("a token is refused in clear text to a non-loopback address", () => {
  assert.throws(() => new SubshiftClient({ addr: "10.1.2.3:50051", token: "secret" }), InsecureChannelError);
  new SubshiftClient({ addr: "10.1.2.3:50051", token: "secret", insecure: true }).close();
  new SubshiftClient({ addr: "127.0.0.1:50051", token: "secret" }).close();
});

test("CSV text passed where a path is expected is refused with a sentence that says so", async () => {
  const client = new SubshiftClient({ addr: "127.0.0.1:1" });
  try {
    await assert.rejects(client.createMigration("user_id,current_offer,target_offer\nu1,a,b\n"),
      (error: unknown) => error instanceof UploadSourceError && /looks like CSV text/.test(error.message));
  } finally {
    client.close();
  }
});

test("a call to a closed port fails within its deadline, retries included", async () => {
  const client = new SubshiftClient({ addr: "127.0.0.1:1", timeoutMs: 1_000 });
  const started = Date.now();
  try {
    await assert.rejects(client.getMigration("m"), (e: unknown) =>
      e instanceof UnavailableError || e instanceof DeadlineExceededError);
  } finally {
    client.close();
  }
  assert.ok(Date.now() - started < 3_000, "the deadline bounds the retries (generous margin)");
});

test("a silent server ends a call at its deadline, naming the method and the limit", async () => {
  const silent = createServer(() => undefined); // accepts connections, never answers
  await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
  const port = (silent.address() as { port: number }).port;
  const client = new SubshiftClient({ addr: `127.0.0.1:${port}`, timeoutMs: 1_000 });
  try {
    await assert.rejects(client.getMigration("m"), (e: unknown) =>
      e instanceof DeadlineExceededError && /GetMigration did not finish within 1s/.test(e.message));
  } finally {
    client.close();
    silent.close();
  }
});

test("a silent server ends a watch at its idle limit", async () => {
  const silent = createServer(() => undefined);
  await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
  const port = (silent.address() as { port: number }).port;
  const client = new SubshiftClient({ addr: `127.0.0.1:${port}` });
  const started = Date.now();
  try {
    await assert.rejects(async () => { for await (const _ of client.watch("m", { idleTimeoutMs: 1_000 })) break; },
      (e: unknown) => e instanceof DeadlineExceededError && /WatchMigration did not send a snapshot within 1s/.test(e.message));
  } finally {
    client.close();
    silent.close();
  }
  assert.ok(Date.now() - started < 5_000, "the idle limit ends the watch (generous margin)");
});

test("a caller's AbortSignal cancels a call at once", async () => {
  const silent = createServer(() => undefined);
  await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
  const port = (silent.address() as { port: number }).port;
  const client = new SubshiftClient({ addr: `127.0.0.1:${port}`, timeoutMs: 60_000 });
  try {
    await assert.rejects(client.getMigration("m", { signal: AbortSignal.timeout(200) }),
      (e: unknown) => e instanceof Error && e.name === "TimeoutError");
  } finally {
    client.close();
    silent.close();
  }
});

test("a framed value keeps its schema id; an unframed one is refused", () => {
  const framed = frame(258, Buffer.from([1, 2, 3]));
  assert.deepEqual([...framed.subarray(0, 5)], [0, 0, 0, 1, 2]);
  const { schemaId, body } = unframe(framed);
  assert.equal(schemaId, 258);
  assert.deepEqual([...body], [1, 2, 3]);
  assert.throws(() => unframe(Buffer.from([1, 0, 0])), UndecodableValueError);
});
