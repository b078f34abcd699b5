package subshift

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	migrationv1 "github.com/subshift/subshift/clients/go/gen/subshift/migration/v1"
)

// RowViolation is one broken rule in one CSV row: Row is 1-based with the header as row 1 (0: the
// whole file), Column the column at fault (empty: the whole row), Rule a stable id such as "unknown_offer".
type RowViolation = migrationv1.RowViolation

// APIError is a failed call. Use errors.As to get it, and Code to tell the kinds apart; the
// sentinels ErrNotFound, ErrInvalidArgument, … match it with errors.Is.
type APIError struct {
	// Method is the RPC that failed, e.g. "GetMigration".
	Method string
	// Code is the gRPC status code.
	Code codes.Code
	// Message is the server's sentence.
	Message string
	// Violations are the row violations of a rejected upload (INVALID_ARGUMENT), capped by the server.
	Violations []*RowViolation
	// ViolationsTotal is how many violations there were in all.
	ViolationsTotal int64
	// Report is the server's whole validation report when it sent one.
	Report *migrationv1.ValidationReport
	// RetryDelay is the server's push-back, when it gave one.
	RetryDelay time.Duration

	status *status.Status
}

func (e *APIError) Error() string {
	text := fmt.Sprintf("subshift: %s: %s: %s", e.Method, e.Code, e.Message)
	if e.ViolationsTotal > 0 {
		text += fmt.Sprintf(" (%d row violations)", e.ViolationsTotal)
	}
	return text
}

// GRPCStatus lets status.FromError and status.Code see the original status.
func (e *APIError) GRPCStatus() *status.Status { return e.status }

// Is matches the sentinel of the error's code, so errors.Is(err, subshift.ErrNotFound) works.
func (e *APIError) Is(target error) bool {
	sentinel, ok := target.(*codeError)
	return ok && sentinel.code == e.Code
}

// Retryable says whether the same call may succeed later unchanged.
func (e *APIError) Retryable() bool {
	return e.Code == codes.Unavailable || e.Code == codes.ResourceExhausted
}

// DeadlineExceededError is a call that did not finish within its deadline (retries included).
type DeadlineExceededError struct {
	// Method is the RPC that ran out of time.
	Method string
	// Limit is the deadline the client gave the call.
	Limit time.Duration
	// Err is the underlying error (a gRPC DEADLINE_EXCEEDED status or context.DeadlineExceeded).
	Err error
}

func (e *DeadlineExceededError) Error() string {
	return fmt.Sprintf("subshift: %s did not finish within its deadline of %s (retries included); "+
		"give a larger WithTimeout or context deadline if the server is known to be slow", e.Method, e.Limit)
}

func (e *DeadlineExceededError) Unwrap() error { return e.Err }

type codeError struct{ code codes.Code }

func (e *codeError) Error() string { return "subshift: " + e.code.String() }

// Sentinels for errors.Is; the *APIError of the matching code is the one to errors.As.
var (
	ErrInvalidArgument    error = &codeError{codes.InvalidArgument}
	ErrNotFound           error = &codeError{codes.NotFound}
	ErrAlreadyExists      error = &codeError{codes.AlreadyExists}
	ErrFailedPrecondition error = &codeError{codes.FailedPrecondition}
	ErrUnauthenticated    error = &codeError{codes.Unauthenticated}
	ErrPermissionDenied   error = &codeError{codes.PermissionDenied}
	ErrUnavailable        error = &codeError{codes.Unavailable}
	ErrResourceExhausted  error = &codeError{codes.ResourceExhausted}
)

// The server names a field "rows[12].target_offer", "rows[12]", "file" or "file.user_id".
var fieldPattern = regexp.MustCompile(`^(?:rows?(?:\[(\d+)\]|\s*(\d+))|file)(?:[.\s:/]+([\w-]+))?$`)

func violationOf(field *errdetails.BadRequest_FieldViolation) *RowViolation {
	violation := &RowViolation{Column: field.GetField(), Rule: strings.ToLower(field.GetReason()),
		Message: field.GetDescription()}
	if match := fieldPattern.FindStringSubmatch(strings.TrimSpace(field.GetField())); match != nil {
		digits := match[1] + match[2]
		violation.Row, _ = strconv.ParseInt(digits, 10, 64)
		violation.Column = match[3]
	}
	return violation
}

// apiError turns a failed call of method (whose deadline was limit) into the client's typed error.
func apiError(method string, limit time.Duration, err error) error {
	if err == nil {
		return nil
	}
	var already *APIError
	var deadline *DeadlineExceededError
	if errors.As(err, &already) || errors.As(err, &deadline) {
		return err
	}
	st, ok := status.FromError(err)
	if !ok {
		return err
	}
	if st.Code() == codes.DeadlineExceeded {
		return &DeadlineExceededError{Method: method, Limit: limit, Err: err}
	}
	typed := &APIError{Method: method, Code: st.Code(), Message: st.Message(), status: st}
	var badRequest []*RowViolation
	for _, detail := range st.Details() {
		switch value := detail.(type) {
		case *migrationv1.ValidationReport:
			typed.Report = value
		case *errdetails.BadRequest:
			for _, field := range value.GetFieldViolations() {
				badRequest = append(badRequest, violationOf(field))
			}
		case *errdetails.RetryInfo:
			typed.RetryDelay = value.GetRetryDelay().AsDuration()
		}
	}
	typed.Violations = badRequest
	typed.ViolationsTotal = int64(len(badRequest))
	if typed.Report != nil {
		if len(typed.Report.GetViolations()) > 0 {
			typed.Violations = typed.Report.GetViolations()
		}
		typed.ViolationsTotal = max(typed.Report.GetViolationsTotal(), int64(len(typed.Violations)))
	}
	return typed
}
