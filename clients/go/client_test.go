package subshift

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

func TestATokenIsRefusedOverPlainTextToANonLoopbackAddress(t *testing.T) {
	_, err := New("10.20.30.40:50051", WithToken("secret"))
	if !errors.Is(err, ErrInsecureToken) {
		t.Fatalf("New gave %v, want ErrInsecureToken", err)
	}
	for _, target := range []string{"127.0.0.1:50051", "localhost:50051", "[::1]:50051"} {
		client, err := New(target, WithToken("secret"))
		if err != nil {
			t.Fatalf("%s: %v", target, err)
		}
		_ = client.Close()
	}
	client, err := New("10.20.30.40:50051", WithToken("secret"), WithInsecure())
	if err != nil {
		t.Fatalf("WithInsecure: %v", err)
	}
	_ = client.Close()
}

func TestBadRequestFieldsBecomeRowViolationsWithRowAndColumn(t *testing.T) {
	st, err := status.New(codes.InvalidArgument, "3 rows broke a rule").WithDetails(&errdetails.BadRequest{
		FieldViolations: []*errdetails.BadRequest_FieldViolation{
			{Field: "rows[12].target_offer", Reason: "UNKNOWN_OFFER", Description: "no such offer"},
			{Field: "rows[40]", Reason: "DUPLICATE_USER", Description: "user twice"},
			{Field: "file.user_id", Reason: "MISSING_COLUMN", Description: "no user_id column"},
		}})
	if err != nil {
		t.Fatal(err)
	}
	var typed *APIError
	if !errors.As(apiError("CreateMigration", time.Second, st.Err()), &typed) {
		t.Fatal("not an *APIError")
	}
	got := [][3]any{}
	for _, v := range typed.Violations {
		got = append(got, [3]any{v.GetRow(), v.GetColumn(), v.GetRule()})
	}
	want := [][3]any{{int64(12), "target_offer", "unknown_offer"}, {int64(40), "", "duplicate_user"},
		{int64(0), "user_id", "missing_column"}}
	if len(got) != len(want) {
		t.Fatalf("violations %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("violation %d is %v, want %v", i, got[i], want[i])
		}
	}
	if !errors.Is(typed, ErrInvalidArgument) || errors.Is(typed, ErrNotFound) || typed.ViolationsTotal != 3 {
		t.Fatalf("%v matches the wrong sentinels or counts %d", typed, typed.ViolationsTotal)
	}
	if status.Code(typed) != codes.InvalidArgument {
		t.Fatalf("status.Code of the typed error is %v", status.Code(typed))
	}
}

// A closed port: the call ends at its deadline (or once retries run out), never later.
func TestACallToAClosedPortEndsWithinItsDeadline(t *testing.T) {
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := listener.Addr().String()
	_ = listener.Close()
	client, err := New(addr, WithToken("t"), WithTimeout(time.Second),
		WithRetryPolicy(RetryPolicy{MaxAttempts: 100, InitialBackoff: 50 * time.Millisecond, MaxBackoff: 200 * time.Millisecond}))
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	started := time.Now()
	_, err = client.GetMigration(context.Background(), "00000000-0000-0000-0000-000000000000")
	elapsed := time.Since(started)
	var deadline *DeadlineExceededError
	if !errors.As(err, &deadline) && !errors.Is(err, ErrUnavailable) {
		t.Fatalf("got %v, want a DeadlineExceededError or UNAVAILABLE", err)
	}
	if deadline != nil && (deadline.Method != "GetMigration" || deadline.Limit != time.Second) {
		t.Fatalf("the deadline error names %q and %s", deadline.Method, deadline.Limit)
	}
	if elapsed > 3*time.Second { // the bound for a 1 s deadline, retries included
		t.Fatalf("took %s", elapsed)
	}
	for _, err := range client.Watch(context.Background(), "00000000-0000-0000-0000-000000000000") {
		if err == nil {
			t.Fatal("a watch of a closed port yielded a snapshot")
		}
	}
}

func TestRowsAreWrittenAsCSVHeaderFirst(t *testing.T) {
	source, err := Rows([]string{"user_id", "current_offer", "target_offer"}, [][]string{{"u-1", "basic", "gold, plus"}})
	if err != nil {
		t.Fatal(err)
	}
	reader, _ := source.Open()
	defer reader.Close()
	buffer := make([]byte, 200)
	n, _ := reader.Read(buffer)
	if got := string(buffer[:n]); got != "user_id,current_offer,target_offer\nu-1,basic,\"gold, plus\"\n" {
		t.Fatalf("wrote %q", got)
	}
}

func TestCSVTextGivenAsAPathSaysSo(t *testing.T) {
	_, err := File("user_id,current_offer,target_offer\nu-1,a,b\n").Open()
	if err == nil || !strings.Contains(err.Error(), "looks like CSV text; use CSVText") {
		t.Fatalf("got %v", err)
	}
}
