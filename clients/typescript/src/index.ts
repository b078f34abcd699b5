/**
 * The Subshift TypeScript client: `SubshiftClient` for the migration API, typed errors, the contract's messages
 * and enums, and the manifest's topic facts. Kafka producers and consumers live in `@subshift/client/kafka`.
 */
export {
  type CallOptions, type ClientOptions, type CreateMigrationOptions, type PageOptions,
  DEFAULT_STREAM_TIMEOUT_MS, DEFAULT_TIMEOUT_MS, SubshiftClient, TERMINAL_STATES,
} from "./client.js";
export {
  AlreadyExistsError, ApiError, DeadlineExceededError, FailedPreconditionError, InsecureChannelError,
  InvalidArgumentError, NotFoundError, PermissionDeniedError, RegistryError, ResourceExhaustedError,
  SubshiftClientError, UnauthenticatedError, UnavailableError, UndecodableValueError, UploadSourceError,
} from "./errors.js";
export { DEFAULT_RETRY, type RetryPolicy } from "./retry.js";
export { type TokenSource, USER_AGENT } from "./transport.js";
export { type UploadProgress, type UploadSource } from "./upload.js";
export { VERSION } from "./version.js";
export { type WatchOptions } from "./watch.js";
export { Code } from "@connectrpc/connect";
export * from "./gen/subshift/migration/v1/migration_pb.js";
export * from "./gen/subshift/migration/v1/migration_service_pb.js";
export * from "./gen/topics.js";
