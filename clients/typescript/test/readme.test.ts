/** The README's example runs as written (against the live service, on the migration's CSV as moves.csv). */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { promisify } from "node:util";
import { PACKAGE_DIR, type Expectation, required } from "./env.js";

test("the README example validates moves.csv and lists migrations", async () => {
  const readme = readFileSync(path.join(PACKAGE_DIR, "README.md"), "utf8");
  const example = /```ts\n([\s\S]*?)```/.exec(readme)?.[1];
  assert.ok(example, "README.md has no ```ts example");
  // Inside the package, so `@subshift/client` resolves to this package itself; the example is plain JavaScript.
  const script = path.join(PACKAGE_DIR, "build-test", "readme-example.mjs");
  writeFileSync(script, example);
  const workdir = required("SUBSHIFT_TEST_WORKDIR");
  copyFileSync(required("SUBSHIFT_TEST_CSV"), path.join(workdir, "moves.csv"));
  const expect = JSON.parse(required("SUBSHIFT_TEST_EXPECT")) as Expectation;
  const { stdout } = await promisify(execFile)(process.execPath, [script], { cwd: workdir, timeout: 120_000 });
  assert.match(stdout, new RegExp(`^${expect.good_rows} rows valid, ${expect.bad_row_numbers.length} rejected$`, "m"));
  assert.match(stdout, /^row \d+, column \S+: /m);
});
