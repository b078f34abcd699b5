package subshift

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"

	migrationv1 "github.com/subshift/subshift/clients/go/gen/subshift/migration/v1"
)

// Migration and its parts are the contract's messages.
type (
	Migration      = migrationv1.Migration
	MigrationItem  = migrationv1.MigrationItem
	MigrationState = migrationv1.MigrationState
	ItemOutcome    = migrationv1.ItemOutcome
)

// ErrInsecureToken is returned by New when a token would travel in plain text to a non-loopback
// address; connect with WithTLS, or pass WithInsecure on a network you trust.
var ErrInsecureToken = errors.New("subshift: refusing to send a bearer token over plain text to a " +
	"non-loopback address; use WithTLS, or WithInsecure on a trusted network")

// Client calls the Subshift MigrationService. It is safe for concurrent use; Close it when done.
type Client struct {
	conn     *grpc.ClientConn
	stub     migrationv1.MigrationServiceClient
	settings settings
}

// New connects to target ("host:port", or any gRPC target such as "dns:///subshift:50051").
// A dns: target connects to every address the name resolves to and sends calls to each in turn
// (round_robin: a headless Service's pods); "host:port" keeps one connection.
// The connection is made lazily; the first call's deadline covers it.
func New(target string, options ...Option) (*Client, error) {
	s := settings{timeout: DefaultTimeout, streamTimeout: DefaultStreamTimeout, watchTimeout: DefaultWatchTimeout,
		watchIdle: DefaultTimeout, retry: DefaultRetryPolicy}
	for _, option := range options {
		option(&s)
	}
	if s.tokens != nil && s.tls == nil && !s.insecure && !isLoopback(target) {
		return nil, fmt.Errorf("%w (target %s)", ErrInsecureToken, target)
	}
	transport := insecure.NewCredentials()
	if s.tls != nil {
		transport = credentials.NewTLS(s.tls)
	}
	dial := []grpc.DialOption{grpc.WithTransportCredentials(transport),
		grpc.WithUserAgent("subshift-client-go/" + Version)}
	if s.tokens != nil {
		dial = append(dial, grpc.WithPerRPCCredentials(bearer{source: s.tokens, secure: s.tls != nil}))
	}
	dial = append(dial, balancing(target)...)
	conn, err := grpc.NewClient(target, append(dial, s.dial...)...)
	if err != nil {
		return nil, fmt.Errorf("subshift: cannot use target %q: %w", target, err)
	}
	return &Client{conn: conn, stub: migrationv1.NewMigrationServiceClient(conn), settings: s}, nil
}

// Close releases the connection.
func (c *Client) Close() error { return c.conn.Close() }

// Stub is the generated gRPC client on the same connection, for what this client does not wrap.
func (c *Client) Stub() migrationv1.MigrationServiceClient { return c.stub }

type bearer struct {
	source TokenSource
	secure bool
}

func (b bearer) GetRequestMetadata(ctx context.Context, _ ...string) (map[string]string, error) {
	token, err := b.source(ctx)
	if err != nil {
		return nil, fmt.Errorf("subshift: the token source failed: %w", err)
	}
	return map[string]string{"authorization": "Bearer " + token}, nil
}

// RequireTransportSecurity is false: New already refused plain text where it matters (non-loopback).
func (b bearer) RequireTransportSecurity() bool { return false }

func isLoopback(target string) bool {
	host := target
	if h, _, err := net.SplitHostPort(target); err == nil {
		host = h
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// withDeadline gives ctx the default deadline when it has none; limit is the deadline in force.
func withDeadline(ctx context.Context, fallback time.Duration) (context.Context, context.CancelFunc, time.Duration) {
	if deadline, ok := ctx.Deadline(); ok {
		return ctx, func() {}, time.Until(deadline)
	}
	bounded, cancel := context.WithTimeout(ctx, fallback)
	return bounded, cancel, fallback
}
