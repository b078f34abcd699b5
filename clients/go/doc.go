// Package subshift is the Go client of the Subshift migration API.
//
// A Client wraps the generated gRPC stub (package gen/subshift/migration/v1) with what every caller
// needs: a bearer token on each call, a deadline on every call, retries of UNAVAILABLE and
// RESOURCE_EXHAUSTED within that deadline, the header-then-chunks CSV upload with an idempotency
// key, paging, watches that resume after a broken stream, and typed errors carrying the row
// violations of a rejected upload. The Avro events of the user-offers topic are in package kafka.
//
// The code under gen/ is generated from the contracts by `subshift contracts generate`; do not edit it.
package subshift
