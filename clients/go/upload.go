package subshift

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	migrationv1 "github.com/subshift/subshift/clients/go/gen/subshift/migration/v1"
)

// DefaultChunkSize is the size of the CSV pieces an upload streams (well below gRPC's 4 MiB message limit).
const DefaultChunkSize = 256 * 1024

// UploadSource is the CSV of a migration. It is opened again for each attempt, so a retried
// upload sends the same bytes under the same request id.
type UploadSource interface {
	Open() (io.ReadCloser, error)
}

type fileSource string

func (f fileSource) Open() (io.ReadCloser, error) {
	file, err := os.Open(string(f))
	if err != nil {
		if strings.ContainsAny(string(f), "\n,") {
			return nil, fmt.Errorf("subshift: %q looks like CSV text; use CSVText or Rows, not File: %w", string(f), err)
		}
		return nil, fmt.Errorf("subshift: cannot read the upload: %w", err)
	}
	return file, nil
}

// File uploads the CSV file at path.
func File(path string) UploadSource { return fileSource(path) }

type bytesSource []byte

func (b bytesSource) Open() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }

// CSVText uploads CSV given as text (header line first).
func CSVText(text string) UploadSource { return bytesSource(text) }

// Rows uploads a header and rows, written as CSV (e.g. []string{"user_id", "current_offer", "target_offer"}).
func Rows(header []string, rows [][]string) (UploadSource, error) {
	var buffer bytes.Buffer
	writer := csv.NewWriter(&buffer)
	if err := writer.Write(header); err != nil {
		return nil, fmt.Errorf("subshift: the CSV header: %w", err)
	}
	if err := writer.WriteAll(rows); err != nil {
		return nil, fmt.Errorf("subshift: the CSV rows: %w", err)
	}
	return bytesSource(buffer.Bytes()), nil
}

type migrationSettings struct {
	header    migrationv1.MigrationHeader
	chunkSize int
}

// MigrationOption sets a field of an upload's (or a revert's) header.
type MigrationOption func(*migrationSettings)

// WithRequestID sets the idempotency key (default: a new random one per CreateMigration call, kept
// across its retries). The same key and content return the same migration.
func WithRequestID(id string) MigrationOption {
	return func(m *migrationSettings) { m.header.RequestId = id }
}

// WithDescription sets the free text shown with the migration.
func WithDescription(text string) MigrationOption {
	return func(m *migrationSettings) { m.header.Description = text }
}

// ValidateOnly makes the upload a dry run: validated and reported, nothing staged.
func ValidateOnly() MigrationOption {
	return func(m *migrationSettings) { m.header.ValidateOnly = true }
}

// WithMaxRejectedRows tolerates up to n bad rows (default none: one bad row refuses the upload).
func WithMaxRejectedRows(n int64) MigrationOption {
	return func(m *migrationSettings) { m.header.MaxRejectedRows = &n }
}

// WithMaxRowsPerSecond limits how fast the migration's events are published (0: no limit).
func WithMaxRowsPerSecond(n int32) MigrationOption {
	return func(m *migrationSettings) { m.header.MaxRowsPerSecond = n }
}

// WithChunkSize sets the size of the streamed CSV pieces (DefaultChunkSize).
func WithChunkSize(n int) MigrationOption { return func(m *migrationSettings) { m.chunkSize = n } }

func migrationOptions(options []MigrationOption) (*migrationSettings, error) {
	m := &migrationSettings{chunkSize: DefaultChunkSize}
	for _, option := range options {
		option(m)
	}
	if m.chunkSize <= 0 {
		return nil, errors.New("subshift: the chunk size must be positive")
	}
	if m.header.RequestId == "" {
		m.header.RequestId = newRequestID()
	}
	return m, nil
}

func newRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	b[6], b[8] = b[6]&0x0f|0x40, b[8]&0x3f|0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// CreateMigration uploads a CSV (the header message, then chunks) and returns the migration and its
// validation report. Bad rows beyond WithMaxRejectedRows fail with an *APIError of code
// INVALID_ARGUMENT whose Violations name row and column. The default deadline is DefaultStreamTimeout.
func (c *Client) CreateMigration(ctx context.Context, source UploadSource, options ...MigrationOption) (
	*migrationv1.CreateMigrationResponse, error) {
	m, err := migrationOptions(options)
	if err != nil {
		return nil, err
	}
	var response *migrationv1.CreateMigrationResponse
	err = c.call(ctx, "CreateMigration", c.settings.streamTimeout, func(ctx context.Context) error {
		var err error
		response, err = c.upload(ctx, source, m)
		return err
	})
	return response, err
}

func (c *Client) upload(ctx context.Context, source UploadSource, m *migrationSettings) (
	*migrationv1.CreateMigrationResponse, error) {
	reader, err := source.Open()
	if err != nil {
		return nil, err
	}
	defer reader.Close()
	stream, err := c.stub.CreateMigration(ctx)
	if err != nil {
		return nil, err
	}
	header := &migrationv1.CreateMigrationRequest{Part: &migrationv1.CreateMigrationRequest_Header{Header: &m.header}}
	if err := stream.Send(header); err != nil {
		return stream.CloseAndRecv() // the server's status says why it stopped listening
	}
	buffer := make([]byte, m.chunkSize)
	for {
		n, readErr := io.ReadFull(reader, buffer)
		if n > 0 {
			chunk := &migrationv1.CreateMigrationRequest{
				Part: &migrationv1.CreateMigrationRequest_CsvChunk{CsvChunk: bytes.Clone(buffer[:n])}}
			if err := stream.Send(chunk); err != nil {
				return stream.CloseAndRecv()
			}
		}
		if errors.Is(readErr, io.EOF) || errors.Is(readErr, io.ErrUnexpectedEOF) {
			return stream.CloseAndRecv()
		}
		if readErr != nil {
			_ = stream.CloseSend()
			return nil, fmt.Errorf("subshift: reading the upload: %w", readErr)
		}
	}
}
