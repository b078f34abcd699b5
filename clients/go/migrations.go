package subshift

import (
	"context"
	"errors"
	"fmt"
	"io"
	"iter"

	migrationv1 "github.com/subshift/subshift/clients/go/gen/subshift/migration/v1"
)

// GetMigration returns one migration.
func (c *Client) GetMigration(ctx context.Context, migrationID string) (*Migration, error) {
	var migration *Migration
	err := c.call(ctx, "GetMigration", c.settings.timeout, func(ctx context.Context) error {
		response, err := c.stub.GetMigration(ctx, &migrationv1.GetMigrationRequest{MigrationId: migrationID})
		migration = response.GetMigration()
		return err
	})
	return migration, err
}

// CancelMigration stops a migration; rows not yet applied are cancelled.
func (c *Client) CancelMigration(ctx context.Context, migrationID, reason string) (*Migration, error) {
	var migration *Migration
	err := c.call(ctx, "CancelMigration", c.settings.timeout, func(ctx context.Context) error {
		response, err := c.stub.CancelMigration(ctx,
			&migrationv1.CancelMigrationRequest{MigrationId: migrationID, Reason: reason})
		migration = response.GetMigration()
		return err
	})
	return migration, err
}

// RevertMigration creates the migration that moves every applied user of migrationID back; it takes
// WithRequestID (default: a new one, kept across retries) and WithDescription.
func (c *Client) RevertMigration(ctx context.Context, migrationID string, options ...MigrationOption) (*Migration, error) {
	m, err := migrationOptions(options)
	if err != nil {
		return nil, err
	}
	request := &migrationv1.RevertMigrationRequest{MigrationId: migrationID, RequestId: m.header.RequestId,
		Description: m.header.Description}
	var migration *Migration
	err = c.call(ctx, "RevertMigration", c.settings.timeout, func(ctx context.Context) error {
		response, err := c.stub.RevertMigration(ctx, request)
		migration = response.GetMigration()
		return err
	})
	return migration, err
}

type pageSettings struct {
	size    int32
	state   migrationv1.MigrationState
	outcome migrationv1.ItemOutcome
}

// PageOption filters or sizes the pages of ListMigrations, ListItems and ExportResults.
type PageOption func(*pageSettings)

// WithPageSize sets how many entries each page request asks for (the server's default otherwise).
func WithPageSize(n int32) PageOption { return func(p *pageSettings) { p.size = n } }

// WithState lists only migrations in state.
func WithState(state MigrationState) PageOption { return func(p *pageSettings) { p.state = state } }

// WithOutcome lists or exports only items with outcome.
func WithOutcome(outcome ItemOutcome) PageOption {
	return func(p *pageSettings) { p.outcome = outcome }
}

func pageOptions(options []PageOption) pageSettings {
	var p pageSettings
	for _, option := range options {
		option(&p)
	}
	return p
}

// ListMigrations yields every migration, newest first, fetching page after page (each page request
// has its own deadline). Stop ranging to stop fetching; an error is yielded once, last.
func (c *Client) ListMigrations(ctx context.Context, options ...PageOption) iter.Seq2[*Migration, error] {
	p := pageOptions(options)
	return paged(func(token string) ([]*Migration, string, error) {
		var response *migrationv1.ListMigrationsResponse
		err := c.call(ctx, "ListMigrations", c.settings.timeout, func(ctx context.Context) error {
			var err error
			response, err = c.stub.ListMigrations(ctx, &migrationv1.ListMigrationsRequest{
				PageSize: p.size, PageToken: token, State: p.state})
			return err
		})
		return response.GetMigrations(), response.GetNextPageToken(), err
	})
}

// ListItems yields a migration's rows and their outcomes in row order, page after page.
func (c *Client) ListItems(ctx context.Context, migrationID string, options ...PageOption) iter.Seq2[*MigrationItem, error] {
	p := pageOptions(options)
	return paged(func(token string) ([]*MigrationItem, string, error) {
		var response *migrationv1.ListMigrationItemsResponse
		err := c.call(ctx, "ListMigrationItems", c.settings.timeout, func(ctx context.Context) error {
			var err error
			response, err = c.stub.ListMigrationItems(ctx, &migrationv1.ListMigrationItemsRequest{
				MigrationId: migrationID, PageSize: p.size, PageToken: token, Outcome: p.outcome})
			return err
		})
		return response.GetItems(), response.GetNextPageToken(), err
	})
}

func paged[T any](page func(token string) ([]T, string, error)) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		token := ""
		for {
			entries, next, err := page(token)
			if err != nil {
				var zero T
				yield(zero, err)
				return
			}
			for _, entry := range entries {
				if !yield(entry, nil) {
					return
				}
			}
			if next == "" {
				return
			}
			token = next
		}
	}
}

// ExportResults writes every row of a migration and its outcome, as CSV, to w and returns the bytes
// written. A failure before the first byte is retried; after it, the error is returned (w holds a part).
// The default deadline is DefaultStreamTimeout.
func (c *Client) ExportResults(ctx context.Context, migrationID string, w io.Writer, options ...PageOption) (int64, error) {
	p := pageOptions(options)
	var written int64
	bounded, cancel, limit := withDeadline(ctx, c.settings.streamTimeout)
	defer cancel()
	err := c.retrying(bounded, "ExportMigrationResults", limit, func(ctx context.Context) error {
		stream, err := c.stub.ExportMigrationResults(ctx, &migrationv1.ExportMigrationResultsRequest{
			MigrationId: migrationID, Outcome: p.outcome})
		if err != nil {
			return err
		}
		for {
			chunk, err := stream.Recv()
			if errors.Is(err, io.EOF) {
				return nil
			}
			if err != nil {
				if written > 0 {
					return &partialError{err: apiError("ExportMigrationResults", limit, err)}
				}
				return err
			}
			n, err := w.Write(chunk.GetCsvChunk())
			written += int64(n)
			if err != nil {
				return fmt.Errorf("subshift: writing the export: %w", err)
			}
		}
	})
	var partial *partialError
	if errors.As(err, &partial) {
		return written, partial.err
	}
	return written, err
}

// partialError stops the retry of a stream that already delivered data. It has no Unwrap on purpose:
// the retry loop must not see the retryable status inside; ExportResults unwraps it itself.
type partialError struct{ err error }

func (e *partialError) Error() string { return e.err.Error() }
