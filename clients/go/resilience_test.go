package subshift

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	migrationv1 "github.com/subshift/subshift/clients/go/gen/subshift/migration/v1"
)

// flakyServer is a real gRPC server on a loopback port that fails the first calls the way a restarting
// Subshift does, so the client's retries and resumption are seen end to end.
type flakyServer struct {
	migrationv1.UnimplementedMigrationServiceServer
	mu         sync.Mutex
	uploads    []string // request id and bytes of every upload attempt
	watchCalls int
	exports    int
}

func (s *flakyServer) CreateMigration(stream grpc.ClientStreamingServer[migrationv1.CreateMigrationRequest,
	migrationv1.CreateMigrationResponse]) error {
	var header *migrationv1.MigrationHeader
	var body bytes.Buffer
	for {
		message, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		if h := message.GetHeader(); h != nil {
			header = h
		}
		body.Write(message.GetCsvChunk())
	}
	s.mu.Lock()
	s.uploads = append(s.uploads, header.GetRequestId()+"|"+body.String())
	attempt := len(s.uploads)
	s.mu.Unlock()
	if attempt < 3 {
		return status.Error(codes.Unavailable, "the database is restarting")
	}
	return stream.SendAndClose(&migrationv1.CreateMigrationResponse{
		Migration: &migrationv1.Migration{MigrationId: "m-1", RequestId: header.GetRequestId()}})
}

func (s *flakyServer) WatchMigration(request *migrationv1.WatchMigrationRequest,
	stream grpc.ServerStreamingServer[migrationv1.WatchMigrationResponse]) error {
	s.mu.Lock()
	s.watchCalls++
	call := s.watchCalls
	s.mu.Unlock()
	send := func(state migrationv1.MigrationState) error {
		return stream.Send(&migrationv1.WatchMigrationResponse{
			Migration: &migrationv1.Migration{MigrationId: request.GetMigrationId(), State: state}})
	}
	if call == 1 { // a snapshot, then the stream breaks
		if err := send(migrationv1.MigrationState_MIGRATION_STATE_PUBLISHING); err != nil {
			return err
		}
		return status.Error(codes.Unavailable, "the API pod went away")
	}
	if err := send(migrationv1.MigrationState_MIGRATION_STATE_APPLYING); err != nil {
		return err
	}
	return send(migrationv1.MigrationState_MIGRATION_STATE_SUCCEEDED)
}

func (s *flakyServer) ExportMigrationResults(_ *migrationv1.ExportMigrationResultsRequest,
	stream grpc.ServerStreamingServer[migrationv1.ExportMigrationResultsResponse]) error {
	s.mu.Lock()
	s.exports++
	s.mu.Unlock()
	if err := stream.Send(&migrationv1.ExportMigrationResultsResponse{CsvChunk: []byte("user_id,outcome\n")}); err != nil {
		return err
	}
	return status.Error(codes.Unavailable, "broke after the first chunk")
}

func startFlaky(t *testing.T) (*flakyServer, *Client) {
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	server := grpc.NewServer()
	flaky := &flakyServer{}
	migrationv1.RegisterMigrationServiceServer(server, flaky)
	go func() { _ = server.Serve(listener) }()
	t.Cleanup(server.Stop)
	client, err := New(listener.Addr().String(), WithToken("t"), WithTimeout(10*time.Second),
		WithRetryPolicy(RetryPolicy{MaxAttempts: 5, InitialBackoff: 10 * time.Millisecond, MaxBackoff: 50 * time.Millisecond}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = client.Close() })
	return flaky, client
}

func TestAnUnavailableUploadIsRetriedWithTheSameRequestIDAndBytes(t *testing.T) {
	flaky, client := startFlaky(t)
	created, err := client.CreateMigration(context.Background(), CSVText("user_id,current_offer,target_offer\nu-1,a,b\n"),
		WithChunkSize(7))
	if err != nil {
		t.Fatal(err)
	}
	if len(flaky.uploads) != 3 || flaky.uploads[0] != flaky.uploads[1] || flaky.uploads[1] != flaky.uploads[2] {
		t.Fatalf("upload attempts %q; want three identical ones", flaky.uploads)
	}
	if created.GetMigration().GetRequestId() == "" {
		t.Fatal("no request id was sent")
	}
}

func TestABrokenWatchIsResumedUntilTheTerminalState(t *testing.T) {
	flaky, client := startFlaky(t)
	var states []MigrationState
	for migration, err := range client.Watch(context.Background(), "m-1") {
		if err != nil {
			t.Fatal(err)
		}
		states = append(states, migration.GetState())
	}
	want := []MigrationState{migrationv1.MigrationState_MIGRATION_STATE_PUBLISHING,
		migrationv1.MigrationState_MIGRATION_STATE_APPLYING, migrationv1.MigrationState_MIGRATION_STATE_SUCCEEDED}
	if len(states) != len(want) || states[0] != want[0] || states[1] != want[1] || states[2] != want[2] ||
		flaky.watchCalls != 2 {
		t.Fatalf("states %v over %d calls; want %v over 2", states, flaky.watchCalls, want)
	}
}

func TestAnExportThatBreaksAfterItsFirstBytesIsNotRetried(t *testing.T) {
	flaky, client := startFlaky(t)
	var out bytes.Buffer
	written, err := client.ExportResults(context.Background(), "m-1", &out)
	if !errors.Is(err, ErrUnavailable) || written != int64(out.Len()) || out.String() != "user_id,outcome\n" ||
		flaky.exports != 1 {
		t.Fatalf("export wrote %q (%d) over %d calls, error %v", out.String(), written, flaky.exports, err)
	}
}
