package subshift

import (
	"context"
	"crypto/tls"
	"time"

	"google.golang.org/grpc"
)

// Version is this client's version; it follows the contracts (see CHANGELOG.md) and is sent in the
// user agent as subshift-client-go/<Version>.
const Version = "0.3.0"

// Default deadlines: every call has one, retries included.
const (
	DefaultTimeout       = 30 * time.Second  // unary calls (get, list pages, cancel, revert)
	DefaultStreamTimeout = 600 * time.Second // uploads and exports
	DefaultWatchTimeout  = 3600 * time.Second
)

// TokenSource returns the bearer token for the next call; it is called before every call, so it
// may refresh an expiring token.
type TokenSource func(ctx context.Context) (string, error)

// RetryPolicy says how UNAVAILABLE and RESOURCE_EXHAUSTED are retried; the call's deadline bounds the total.
type RetryPolicy struct {
	// MaxAttempts counts the first try; 1 means no retry.
	MaxAttempts int
	// InitialBackoff is the first pause; it doubles up to MaxBackoff (a server's push-back wins when longer).
	InitialBackoff time.Duration
	MaxBackoff     time.Duration
}

// DefaultRetryPolicy retries up to 5 attempts, 100 ms doubling to 2 s.
var DefaultRetryPolicy = RetryPolicy{MaxAttempts: 5, InitialBackoff: 100 * time.Millisecond, MaxBackoff: 2 * time.Second}

type settings struct {
	tokens        TokenSource
	tls           *tls.Config
	insecure      bool
	timeout       time.Duration
	streamTimeout time.Duration
	watchTimeout  time.Duration
	watchIdle     time.Duration
	retry         RetryPolicy
	dial          []grpc.DialOption
}

// Option configures a Client.
type Option func(*settings)

// WithToken sends a fixed bearer token with every call.
func WithToken(token string) Option {
	return func(s *settings) { s.tokens = func(context.Context) (string, error) { return token, nil } }
}

// WithTokenSource asks source for the bearer token before every call.
func WithTokenSource(source TokenSource) Option { return func(s *settings) { s.tokens = source } }

// WithTLS connects over TLS with config (nil: the system's roots).
func WithTLS(config *tls.Config) Option {
	return func(s *settings) {
		if config == nil {
			config = &tls.Config{MinVersion: tls.VersionTLS12}
		}
		s.tls = config
	}
}

// WithInsecure allows a token over plain text to a non-loopback address (refused by default).
func WithInsecure() Option { return func(s *settings) { s.insecure = true } }

// WithTimeout sets the default deadline of unary calls and a watch's idle limit (DefaultTimeout).
func WithTimeout(d time.Duration) Option { return func(s *settings) { s.timeout = d; s.watchIdle = d } }

// WithStreamTimeout sets the default deadline of uploads and exports (DefaultStreamTimeout).
func WithStreamTimeout(d time.Duration) Option { return func(s *settings) { s.streamTimeout = d } }

// WithWatchTimeouts sets a watch's overall deadline and the longest wait for a snapshot.
func WithWatchTimeouts(overall, idle time.Duration) Option {
	return func(s *settings) { s.watchTimeout, s.watchIdle = overall, idle }
}

// WithRetryPolicy replaces DefaultRetryPolicy.
func WithRetryPolicy(policy RetryPolicy) Option { return func(s *settings) { s.retry = policy } }

// WithDialOptions adds gRPC dial options (interceptors, keepalive, a resolver, …).
func WithDialOptions(options ...grpc.DialOption) Option {
	return func(s *settings) { s.dial = append(s.dial, options...) }
}
