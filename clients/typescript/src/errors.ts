/**
 * Every error this client throws is a `SubshiftClientError`. A failed API call is an `ApiError` subclass chosen
 * by its gRPC status code; a bad upload (`InvalidArgumentError`) carries the row violations the server attached
 * as `google.rpc.BadRequest` (and the full `ValidationReport` when present).
 */
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { BadRequestSchema, RetryInfoSchema } from "./gen/google/rpc/error_details_pb.js";
import {
  type RowViolation,
  RowViolationSchema,
  type ValidationReport,
  ValidationReportSchema,
} from "./gen/subshift/migration/v1/migration_pb.js";

/** The root of every error of this package. */
export class SubshiftClientError extends Error {
  override name = "SubshiftClientError";
}

/** An upload source that cannot be read (a missing file, CSV text given where a path is expected). */
export class UploadSourceError extends SubshiftClientError {
  override name = "UploadSourceError";
}

/** A token would travel in clear text to a non-loopback address; pass `insecure: true` to allow it. */
export class InsecureChannelError extends SubshiftClientError {
  override name = "InsecureChannelError";
}

/** A Kafka record that cannot be decoded: not Confluent-framed, unknown schema id, or a body that does not fit. */
export class UndecodableValueError extends SubshiftClientError {
  override name = "UndecodableValueError";
}

/** The schema registry could not be reached or refused a request. */
export class RegistryError extends SubshiftClientError {
  override name = "RegistryError";
}

export interface ApiErrorOptions {
  code: Code;
  method: string;
  violations?: readonly RowViolation[];
  violationsTotal?: number;
  report?: ValidationReport;
  retryDelayMs?: number;
  cause?: unknown;
}

/** A call to the Subshift API failed; `code` is the gRPC status code, `message` the server's sentence. */
export class ApiError extends SubshiftClientError {
  override name = "ApiError";
  readonly code: Code;
  readonly method: string;
  readonly violations: readonly RowViolation[];
  readonly violationsTotal: number;
  readonly report: ValidationReport | undefined;
  readonly retryDelayMs: number | undefined;

  constructor(message: string, options: ApiErrorOptions) {
    super(message, { cause: options.cause });
    this.code = options.code;
    this.method = options.method;
    this.violations = options.violations ?? [];
    this.violationsTotal = Math.max(options.violationsTotal ?? 0, this.violations.length);
    this.report = options.report;
    this.retryDelayMs = options.retryDelayMs;
  }

  /** Whether trying again may succeed (the server was unreachable or pushed back). */
  get retryable(): boolean {
    return this.code === Code.Unavailable || this.code === Code.ResourceExhausted;
  }
}

export class InvalidArgumentError extends ApiError { override name = "InvalidArgumentError"; }
export class NotFoundError extends ApiError { override name = "NotFoundError"; }
export class AlreadyExistsError extends ApiError { override name = "AlreadyExistsError"; }
export class FailedPreconditionError extends ApiError { override name = "FailedPreconditionError"; }
export class UnauthenticatedError extends ApiError { override name = "UnauthenticatedError"; }
export class PermissionDeniedError extends ApiError { override name = "PermissionDeniedError"; }
export class UnavailableError extends ApiError { override name = "UnavailableError"; }
export class ResourceExhaustedError extends ApiError { override name = "ResourceExhaustedError"; }

/** A call did not finish within its deadline; the message names the method and the limit. */
export class DeadlineExceededError extends ApiError {
  override name = "DeadlineExceededError";
  readonly limitMs: number;

  constructor(method: string, limitMs: number, what = "finish", cause?: unknown) {
    super(`${method} did not ${what} within ${limitMs / 1000}s (its deadline)`,
      { code: Code.DeadlineExceeded, method, cause });
    this.limitMs = limitMs;
  }
}

const BY_CODE: Partial<Record<Code, new (message: string, options: ApiErrorOptions) => ApiError>> = {
  [Code.InvalidArgument]: InvalidArgumentError,
  [Code.NotFound]: NotFoundError,
  [Code.AlreadyExists]: AlreadyExistsError,
  [Code.FailedPrecondition]: FailedPreconditionError,
  [Code.Unauthenticated]: UnauthenticatedError,
  [Code.PermissionDenied]: PermissionDeniedError,
  [Code.Unavailable]: UnavailableError,
  [Code.ResourceExhausted]: ResourceExhaustedError,
};

// The server names a field "rows[12].target_offer", "rows[12]", "file" or "file.user_id"; "row 12.column" too.
const FIELD = /^(?:rows?(?:\[(?<bracket>\d+)\]|\s*(?<plain>\d+))|file)(?:[.\s:/]+(?<column>[\w-]+))?$/;

/** A `google.rpc.BadRequest` field violation as the contract's `RowViolation` (row 0: the whole file). */
export function rowViolationOf(field: string, reason: string, description: string): RowViolation {
  const match = FIELD.exec(field.trim());
  const row = match ? Number(match.groups?.["bracket"] ?? match.groups?.["plain"] ?? 0) : 0;
  const column = match ? (match.groups?.["column"] ?? "") : field;
  // Rule ids are lower case in the contract (RowViolation.rule); BadRequest reasons are upper case.
  return create(RowViolationSchema, { row: BigInt(row), column, rule: reason.toLowerCase(), message: description });
}

/**
 * The typed error for a failed call of `method`. `limitMs` is the call's deadline, named by a
 * `DeadlineExceededError`; `callerAborted` tells a caller's AbortSignal apart from a deadline.
 */
export function apiErrorFrom(error: unknown, method: string, limitMs?: number): ApiError {
  if (error instanceof ApiError) return error;
  const connect = ConnectError.from(error);
  if (connect.code === Code.DeadlineExceeded && limitMs !== undefined) {
    return new DeadlineExceededError(method, limitMs, "finish", error);
  }
  const report = connect.findDetails(ValidationReportSchema)[0];
  const badRequest = connect.findDetails(BadRequestSchema)[0];
  const violations = report?.violations.length
    ? report.violations
    : (badRequest?.fieldViolations ?? []).map((f) => rowViolationOf(f.field, f.reason, f.description));
  const retryInfo = connect.findDetails(RetryInfoSchema)[0];
  const pushback = connect.metadata.get("grpc-retry-pushback-ms");
  let retryDelayMs: number | undefined;
  if (retryInfo?.retryDelay) {
    retryDelayMs = Number(retryInfo.retryDelay.seconds) * 1000 + retryInfo.retryDelay.nanos / 1e6;
  } else if (pushback !== null && /^\d+$/.test(pushback)) {
    retryDelayMs = Number(pushback);
  }
  const Kind = BY_CODE[connect.code] ?? ApiError;
  return new Kind(`${method}: ${connect.rawMessage || Code[connect.code]}`, {
    code: connect.code, method, violations, report, retryDelayMs, cause: error,
    violationsTotal: report ? Number(report.violationsTotal) : violations.length,
  });
}
