/**
 * `SubshiftClient`: the migration API with the Python client's surface, in TypeScript's idiom (Promises, async
 * iterables, an `AbortSignal` and a deadline on every call). No global state: each client owns its connection.
 */
import { randomUUID } from "node:crypto";
import { open, rename, rm } from "node:fs/promises";
import { type Client, createClient } from "@connectrpc/connect";
import { ApiError } from "./errors.js";
import {
  type CreateMigrationResponse,
  MigrationService,
} from "./gen/subshift/migration/v1/migration_service_pb.js";
import { type ItemOutcome, type Migration, type MigrationItem, MigrationState } from "./gen/subshift/migration/v1/migration_pb.js";
import { CallBudget, DEFAULT_RETRY, type RetryPolicy, withRetry } from "./retry.js";
import { type TransportOptions, openTransport } from "./transport.js";
import { type UploadProgress, type UploadSource, prepareSource } from "./upload.js";
import { type WatchOptions, watchMigration } from "./watch.js";
import { Code } from "@connectrpc/connect";

export const DEFAULT_TIMEOUT_MS = 30_000;
export const DEFAULT_STREAM_TIMEOUT_MS = 600_000;

/** Options of a client: where, who, and its default deadlines. */
export interface ClientOptions extends TransportOptions {
  /** Default deadline of each unary call, retries included; also a watch's default idle limit (30 s). */
  readonly timeoutMs?: number;
  /** Default deadline of uploads and exports (10 min). */
  readonly streamTimeoutMs?: number;
  readonly retry?: RetryPolicy;
}

/** What every call accepts: its own deadline and a signal to cancel it. */
export interface CallOptions {
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

export interface CreateMigrationOptions extends CallOptions {
  /** Makes the upload idempotent: the same id with the same content returns the same migration (default: new). */
  readonly requestId?: string;
  readonly description?: string;
  /** Validate and report only; stage nothing. */
  readonly dryRun?: boolean;
  /** Bad rows tolerated (none when omitted). */
  readonly maxRejectedRows?: number;
  /** Throttle publishing (0: no limit). */
  readonly maxRowsPerSecond?: number;
  readonly onProgress?: (progress: UploadProgress) => void;
}

export interface PageOptions extends CallOptions {
  readonly pageSize?: number;
  /** Stop after this many results. */
  readonly limit?: number;
}

/** The states after which a migration never changes again. */
export const TERMINAL_STATES: ReadonlySet<MigrationState> = new Set([
  MigrationState.REJECTED, MigrationState.SUCCEEDED, MigrationState.SUCCEEDED_WITH_ERRORS,
  MigrationState.CANCELLED, MigrationState.FAILED,
]);

/** A connection to Subshift's `MigrationService`; call `close()` when done. */
export class SubshiftClient {
  readonly addr: string;
  private readonly api: Client<typeof MigrationService>;
  private readonly closeTransport: () => void;
  private readonly timeoutMs: number;
  private readonly streamTimeoutMs: number;
  private readonly retry: RetryPolicy;

  /**
   * Connect lazily to `options.addr`. Throws `InsecureChannelError` when a token would go in clear text to a
   * non-loopback address.
   */
  constructor(options: ClientOptions = {}) {
    const { transport, addr, close } = openTransport(options);
    this.api = createClient(MigrationService, transport);
    this.addr = addr;
    this.closeTransport = close;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.streamTimeoutMs = options.streamTimeoutMs ?? DEFAULT_STREAM_TIMEOUT_MS;
    this.retry = options.retry ?? DEFAULT_RETRY;
  }

  /** Close the connection; calls in flight fail. */
  close(): void {
    this.closeTransport();
  }

  private unary<T>(method: string, options: CallOptions | undefined,
                   call: (o: { timeoutMs: number; signal?: AbortSignal }) => Promise<T>): Promise<T> {
    const budget = new CallBudget(method, options?.timeoutMs ?? this.timeoutMs, options?.signal);
    return withRetry(budget, this.retry, (left) => call({ timeoutMs: left, ...signalOf(options) }));
  }

  /**
   * Stream a CSV (a path, bytes, or rows with the header first) into a new migration: the header message, then
   * chunks. Retried on `UNAVAILABLE` while the source can be read again.
   * Throws `UploadSourceError`, `InvalidArgumentError` (with `violations`), `AlreadyExistsError`,
   * `UnavailableError`, `DeadlineExceededError`, or another `ApiError`.
   */
  async createMigration(source: UploadSource, options: CreateMigrationOptions = {}): Promise<CreateMigrationResponse> {
    const prepared = await prepareSource(source);
    const header = {
      requestId: options.requestId ?? randomUUID(),
      description: options.description ?? "",
      validateOnly: options.dryRun ?? false,
      maxRejectedRows: options.maxRejectedRows === undefined ? undefined : BigInt(options.maxRejectedRows),
      maxRowsPerSecond: options.maxRowsPerSecond ?? 0,
    };
    let attempt = 0;
    let pulled = false;
    const onProgress = options.onProgress;
    async function* requests() {
      let sent = 0;
      let rows = 0;
      yield { part: { case: "header" as const, value: header } };
      for await (const chunk of prepared.chunks()) {
        pulled = true;
        yield { part: { case: "csvChunk" as const, value: chunk } };
        sent += chunk.length;
        for (const byte of chunk) if (byte === 10) rows++;
        onProgress?.({ bytesSent: sent, totalBytes: prepared.totalBytes, rowsSent: Math.max(0, rows - 1), attempt });
      }
    }
    const budget = new CallBudget("CreateMigration", options.timeoutMs ?? this.streamTimeoutMs, options.signal);
    return withRetry(budget, this.retry, (left) => {
      attempt++;
      return this.api.createMigration(requests(), { timeoutMs: left, ...signalOf(options) });
    }, () => prepared.replayable || !pulled);
  }

  /** One migration. Throws `NotFoundError`, `DeadlineExceededError` or another `ApiError`. */
  async getMigration(migrationId: string, options?: CallOptions): Promise<Migration> {
    const response = await this.unary("GetMigration", options, (o) => this.api.getMigration({ migrationId }, o));
    return required(response.migration, "GetMigration");
  }

  /** Migrations, newest first, a page at a time (each page within the deadline); at most `limit`. */
  async *listMigrations(options: PageOptions & { state?: MigrationState } = {}): AsyncGenerator<Migration> {
    let pageToken = "";
    let returned = 0;
    for (;;) {
      const page = await this.unary("ListMigrations", options, (o) => this.api.listMigrations(
        { pageSize: options.pageSize ?? 100, pageToken, state: options.state ?? MigrationState.UNSPECIFIED }, o));
      for (const migration of page.migrations) {
        if (options.limit !== undefined && returned >= options.limit) return;
        returned++;
        yield migration;
      }
      pageToken = page.nextPageToken;
      if (!pageToken) return;
    }
  }

  /** A migration's rows and their outcomes in row order, optionally one outcome only. */
  async *listItems(migrationId: string, options: PageOptions & { outcome?: ItemOutcome } = {}):
      AsyncGenerator<MigrationItem> {
    let pageToken = "";
    let returned = 0;
    for (;;) {
      const page = await this.unary("ListMigrationItems", options, (o) => this.api.listMigrationItems(
        { migrationId, pageSize: options.pageSize ?? 500, pageToken, outcome: options.outcome ?? 0 }, o));
      for (const item of page.items) {
        if (options.limit !== undefined && returned >= options.limit) return;
        returned++;
        yield item;
      }
      pageToken = page.nextPageToken;
      if (!pageToken) return;
    }
  }

  /** How many of a migration's rows have `outcome` (all rows when omitted). */
  async countItems(migrationId: string, options: CallOptions & { outcome?: ItemOutcome } = {}): Promise<number> {
    const page = await this.unary("ListMigrationItems", options, (o) => this.api.listMigrationItems(
      { migrationId, pageSize: 1, outcome: options.outcome ?? 0 }, o));
    return Number(page.totalSize);
  }

  /**
   * Snapshots of the migration as it changes, ending with its terminal state; a broken stream is reopened (the
   * server starts every stream with the current snapshot) and a snapshot already seen is not repeated.
   * `timeoutMs` bounds the whole watch (default: none); `idleTimeoutMs` (default: the client's `timeoutMs`) is
   * the longest wait for a snapshot. Throws `NotFoundError`, `UnavailableError` (unreachable for the idle limit),
   * `DeadlineExceededError`, or another `ApiError`.
   */
  watch(migrationId: string, options: WatchOptions = {}): AsyncGenerator<Migration> {
    return watchMigration(this.api, migrationId, TERMINAL_STATES,
      { ...options, idleTimeoutMs: options.idleTimeoutMs ?? this.timeoutMs });
  }

  /** Wait until the migration is terminal and return it; `onProgress` sees every snapshot. */
  async wait(migrationId: string, options: WatchOptions & { onProgress?: (m: Migration) => void } = {}):
      Promise<Migration> {
    let last: Migration | undefined;
    for await (last of this.watch(migrationId, options)) options.onProgress?.(last);
    if (last === undefined) {
      throw new ApiError(`the watch of ${migrationId} ended without a snapshot`,
        { code: Code.Unknown, method: "WatchMigration" });
    }
    return last;
  }

  /**
   * Write every row of the migration and its outcome as CSV to the file `destination`; return the bytes written.
   * The file is written under a temporary name and renamed into place, so it is never half-written.
   */
  async exportResults(migrationId: string, destination: string,
                      options: CallOptions & { outcome?: ItemOutcome } = {}): Promise<number> {
    const budget = new CallBudget("ExportMigrationResults", options.timeoutMs ?? this.streamTimeoutMs,
      options.signal);
    return withRetry(budget, this.retry, async (left) => {
      const partial = `${destination}.${randomUUID()}.part`;
      const file = await open(partial, "w");
      let written = 0;
      try {
        const stream = this.api.exportMigrationResults({ migrationId, outcome: options.outcome ?? 0 },
          { timeoutMs: left, ...signalOf(options) });
        for await (const response of stream) {
          await file.write(response.csvChunk);
          written += response.csvChunk.length;
        }
        await file.close();
        await rename(partial, destination);
        return written;
      } catch (error) {
        await file.close().catch(() => undefined);
        await rm(partial, { force: true });
        throw error;
      }
    });
  }

  /** Stop a migration; rows not yet applied are cancelled. Throws `FailedPreconditionError` when terminal. */
  async cancel(migrationId: string, options: CallOptions & { reason?: string } = {}): Promise<Migration> {
    const response = await this.unary("CancelMigration", options,
      (o) => this.api.cancelMigration({ migrationId, reason: options.reason ?? "" }, o));
    return required(response.migration, "CancelMigration");
  }

  /** Create a migration that moves every applied user of `migrationId` back to their previous offer. */
  async revert(migrationId: string, options: CallOptions & { requestId?: string; description?: string } = {}):
      Promise<Migration> {
    const requestId = options.requestId ?? randomUUID();
    const response = await this.unary("RevertMigration", options, (o) => this.api.revertMigration(
      { migrationId, requestId, description: options.description ?? "" }, o));
    return required(response.migration, "RevertMigration");
  }
}

function signalOf(options: CallOptions | undefined): { signal?: AbortSignal } {
  return options?.signal ? { signal: options.signal } : {};
}

function required<T>(value: T | undefined, method: string): T {
  if (value === undefined) {
    throw new ApiError(`${method}: the server's answer had no migration`, { code: Code.Internal, method });
  }
  return value;
}
