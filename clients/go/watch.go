package subshift

import (
	"context"
	"errors"
	"io"
	"iter"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	migrationv1 "github.com/subshift/subshift/clients/go/gen/subshift/migration/v1"
)

const watchMethod = "WatchMigration"

// IsTerminal says whether a migration in state will change no more.
func IsTerminal(state MigrationState) bool {
	switch state {
	case migrationv1.MigrationState_MIGRATION_STATE_REJECTED, migrationv1.MigrationState_MIGRATION_STATE_SUCCEEDED,
		migrationv1.MigrationState_MIGRATION_STATE_SUCCEEDED_WITH_ERRORS,
		migrationv1.MigrationState_MIGRATION_STATE_CANCELLED, migrationv1.MigrationState_MIGRATION_STATE_FAILED:
		return true
	}
	return false
}

// Watch yields a snapshot of the migration on every change until it is terminal (the last snapshot
// yielded). A broken stream is reopened: the server sends the current snapshot first, so nothing is
// missed, though a snapshot may repeat. A stream quiet for the idle limit is reopened too; a server
// that stays unreachable or silent that long ends the watch with a *DeadlineExceededError, as does the
// overall limit (WithWatchTimeouts; ctx's deadline wins when it has one).
func (c *Client) Watch(ctx context.Context, migrationID string) iter.Seq2[*Migration, error] {
	return func(yield func(*Migration, error) bool) {
		ctx, cancel, limit := withDeadline(ctx, c.settings.watchTimeout)
		defer cancel()
		idle := c.settings.watchIdle
		lastSnapshot := time.Now()
		backoff := c.settings.retry.InitialBackoff
		for {
			snapshots, err := c.watchOnce(ctx, migrationID, idle, func(m *Migration) bool {
				lastSnapshot = time.Now()
				backoff = c.settings.retry.InitialBackoff
				return yield(m, nil)
			})
			if errors.Is(err, errStopped) || errors.Is(err, errTerminal) {
				return
			}
			if ctx.Err() != nil {
				yield(nil, contextError(watchMethod, limit, ctx, err))
				return
			}
			if status.Code(err) == codes.DeadlineExceeded { // this stream's idle limit, not the watch's
				if snapshots == 0 {
					yield(nil, &DeadlineExceededError{Method: watchMethod + " (waiting for a snapshot)", Limit: idle, Err: err})
					return
				}
				continue // a quiet stream: reopen, the server sends the current snapshot first
			}
			if !resumable(err) {
				yield(nil, apiError(watchMethod, limit, err))
				return
			}
			if time.Since(lastSnapshot) >= idle {
				yield(nil, &DeadlineExceededError{Method: watchMethod + " (waiting for a snapshot)", Limit: idle,
					Err: apiError(watchMethod, limit, err)})
				return
			}
			select {
			case <-ctx.Done():
				yield(nil, contextError(watchMethod, limit, ctx, err))
				return
			case <-time.After(backoff):
			}
			backoff = min(2*backoff, c.settings.retry.MaxBackoff)
		}
	}
}

var (
	errStopped  = errors.New("the caller stopped ranging")
	errTerminal = errors.New("the migration is terminal")
)

// resumable says whether a watch stream that ended with err is worth reopening.
func resumable(err error) bool {
	if errors.Is(err, io.EOF) {
		return true // the server closed the stream before a terminal state (e.g. it restarted)
	}
	switch status.Code(err) {
	case codes.Unavailable, codes.ResourceExhausted, codes.Internal, codes.Aborted:
		return true
	}
	return false
}

// watchOnce reads one stream, at most idle long, handing each snapshot to deliver.
func (c *Client) watchOnce(ctx context.Context, migrationID string, idle time.Duration,
	deliver func(*Migration) bool) (int, error) {
	streamCtx, cancel := context.WithTimeout(ctx, idle)
	defer cancel()
	stream, err := c.stub.WatchMigration(streamCtx, &migrationv1.WatchMigrationRequest{MigrationId: migrationID})
	if err != nil {
		return 0, err
	}
	count := 0
	for {
		response, err := stream.Recv()
		if err != nil {
			return count, err
		}
		count++
		migration := response.GetMigration()
		if !deliver(migration) {
			return count, errStopped
		}
		if IsTerminal(migration.GetState()) {
			return count, errTerminal
		}
	}
}

// Wait watches the migration until it is terminal and returns its last snapshot.
func (c *Client) Wait(ctx context.Context, migrationID string) (*Migration, error) {
	var last *Migration
	for migration, err := range c.Watch(ctx, migrationID) {
		if err != nil {
			return last, err
		}
		last = migration
	}
	return last, nil
}
