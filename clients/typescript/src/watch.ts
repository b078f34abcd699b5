/**
 * A watch that survives a broken stream. Steps of each round:
 * 1. open `WatchMigration` (the server sends the current snapshot first, then one per change);
 * 2. yield every snapshot not seen before; stop after a terminal one;
 * 3. when the stream breaks (`UNAVAILABLE`, or it ends early) reopen it after a back-off; when it stays quiet for
 *    the idle limit, reopen it at once: a live server answers with a snapshot straight away.
 * The watch ends with an error when no snapshot arrived for the idle limit (the last failure if the server was
 * unreachable, else a `DeadlineExceededError`), or when it outlived its overall `timeoutMs`.
 */
import { toBinary } from "@bufbuild/protobuf";
import { type Client, Code } from "@connectrpc/connect";
import { DeadlineExceededError, UnavailableError, apiErrorFrom, type ApiError } from "./errors.js";
import { type Migration, MigrationSchema, type MigrationState } from "./gen/subshift/migration/v1/migration_pb.js";
import type { MigrationService } from "./gen/subshift/migration/v1/migration_service_pb.js";
import { DEFAULT_RETRY, type RetryPolicy } from "./retry.js";

export interface WatchOptions {
  /** Bounds the whole watch (default: none beyond the idle limit). */
  readonly timeoutMs?: number;
  /** The longest wait for a snapshot (default: the client's `timeoutMs`). */
  readonly idleTimeoutMs?: number;
  readonly signal?: AbortSignal;
  readonly retry?: RetryPolicy;
}

const METHOD = "WatchMigration";

class Quiet extends Error {}

// A watch only reads, so reopening it is always safe: every failure of the stream or the connection under it is
// resumed (within the idle limit); an answer about the request itself (not found, no permission) is final.
// A connection cut under an HTTP/2 stream arrives as CANCELLED (RST_STREAM CANCEL) or INTERNAL/UNKNOWN.
const RESUMABLE: ReadonlySet<Code> = new Set([
  Code.Unavailable, Code.ResourceExhausted, Code.Canceled, Code.Unknown, Code.Internal, Code.Aborted,
  Code.DeadlineExceeded,
]);

export async function* watchMigration(
  api: Client<typeof MigrationService>,
  migrationId: string,
  terminal: ReadonlySet<MigrationState>,
  options: WatchOptions & { idleTimeoutMs: number },
): AsyncGenerator<Migration> {
  const idle = options.idleTimeoutMs;
  const retry = options.retry ?? DEFAULT_RETRY;
  const overall = options.timeoutMs === undefined ? undefined : AbortSignal.timeout(options.timeoutMs);
  let lastHeard = Date.now();
  let lastSeen = "";
  let delay = retry.initialDelayMs;
  let failure: ApiError | undefined;
  let reopenedForQuiet = false;
  for (;;) {
    const stream = new AbortController();
    const signals = [stream.signal, options.signal, overall].filter((s): s is AbortSignal => s !== undefined);
    let timer: NodeJS.Timeout | undefined;
    const arm = (): void => {
      clearTimeout(timer);
      timer = setTimeout(() => stream.abort(new Quiet()), Math.max(1, lastHeard + idle - Date.now()));
    };
    arm();
    try {
      for await (const response of api.watchMigration({ migrationId }, { signal: AbortSignal.any(signals) })) {
        lastHeard = Date.now();
        reopenedForQuiet = false;
        failure = undefined;
        delay = retry.initialDelayMs;
        arm();
        const migration = response.migration;
        if (migration === undefined) continue;
        const key = Buffer.from(toBinary(MigrationSchema, migration)).toString("base64");
        if (key !== lastSeen) {
          lastSeen = key;
          yield migration;
        }
        if (terminal.has(migration.state)) return;
      }
    } catch (error) {
      if (options.signal?.aborted) throw options.signal.reason;
      if (overall?.aborted) throw new DeadlineExceededError(METHOD, options.timeoutMs ?? 0, "reach a terminal state");
      if (!(stream.signal.reason instanceof Quiet)) {
        const broken = apiErrorFrom(error, METHOD);
        if (!RESUMABLE.has(broken.code)) throw broken;
        failure = broken;
      } else if (reopenedForQuiet) {
        throw new DeadlineExceededError(METHOD, idle, "send a snapshot");
      } else {
        reopenedForQuiet = true;
        lastHeard = Date.now() - idle / 2; // the reopened stream gets half the limit to answer
        continue;
      }
    } finally {
      clearTimeout(timer);
    }
    if (Date.now() - lastHeard >= idle) {
      throw failure ?? new UnavailableError(`${METHOD}: no snapshot within ${idle / 1000}s`,
        { code: Code.Unavailable, method: METHOD });
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(delay, Math.max(0, lastHeard + idle - Date.now()))));
    delay = Math.min(retry.maxDelayMs, delay * retry.multiplier);
  }
}
