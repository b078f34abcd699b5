package integration_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	subshift "github.com/subshift/subshift/clients/go"
	migrationv1 "github.com/subshift/subshift/clients/go/gen/subshift/migration/v1"
	"github.com/subshift/subshift/clients/go/gen/topics"
	"github.com/subshift/subshift/clients/go/kafka"
)

// liveEnv is what tests/integration/clients/test_go_client.py prepared: a running Subshift, a CSV
// with some bad rows, and one staged row whose event this test produces.
type liveEnv struct {
	addr, token, csvPath      string
	rows                      int64
	badRows                   []int64
	brokers, prefix, registry string
}

func readLiveEnv(t *testing.T) liveEnv {
	rows, err := strconv.ParseInt(need(t, "SUBSHIFT_GO_MOVES_ROWS"), 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	var bad []int64
	for _, text := range strings.Split(need(t, "SUBSHIFT_GO_BAD_ROWS"), ",") {
		row, err := strconv.ParseInt(text, 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		bad = append(bad, row)
	}
	slices.Sort(bad)
	return liveEnv{addr: need(t, "SUBSHIFT_API_ADDR"), token: need(t, "SUBSHIFT_TOKEN"),
		csvPath: need(t, "SUBSHIFT_GO_MOVES_CSV"), rows: rows, badRows: bad,
		brokers: need(t, "SUBSHIFT_KAFKA_BOOTSTRAP"), prefix: need(t, "SUBSHIFT_KAFKA_TOPIC_PREFIX"),
		registry: need(t, "SUBSHIFT_REGISTRY_URL")}
}

func violationRows(t *testing.T, violations []*subshift.RowViolation) []int64 {
	var rows []int64
	for _, v := range violations {
		if v.GetColumn() == "" || v.GetRule() == "" || v.GetMessage() == "" {
			t.Errorf("a violation without column, rule or message: %v", v)
		}
		rows = append(rows, v.GetRow())
	}
	slices.Sort(rows)
	return rows
}

// TestLiveMigration walks one migration through the API, then reads its events from Kafka.
func TestLiveMigration(t *testing.T) {
	env := readLiveEnv(t)
	good := env.rows - int64(len(env.badRows))
	ctx := context.Background()
	client, err := subshift.New(env.addr, subshift.WithToken(env.token), subshift.WithTimeout(60*time.Second),
		subshift.WithWatchTimeouts(10*time.Minute, 2*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()

	// An upload with bad rows and no tolerance is refused; the error names each bad row and column.
	_, err = client.CreateMigration(ctx, subshift.File(env.csvPath))
	var refused *subshift.APIError
	if !errors.As(err, &refused) || !errors.Is(err, subshift.ErrInvalidArgument) {
		t.Fatalf("an upload with bad rows gave %v, want INVALID_ARGUMENT", err)
	}
	if got := violationRows(t, refused.Violations); !slices.Equal(got, env.badRows) || refused.ViolationsTotal != 3 {
		t.Fatalf("violations name rows %v (total %d), the bad rows are %v", got, refused.ViolationsTotal, env.badRows)
	}

	// Tolerating them, the good rows are staged; the same request id returns the same migration.
	requestID := "go-client-" + strconv.FormatInt(time.Now().UnixNano(), 10)
	created, err := client.CreateMigration(ctx, subshift.File(env.csvPath), subshift.WithRequestID(requestID),
		subshift.WithDescription("Go client journey"), subshift.WithMaxRejectedRows(10), subshift.WithChunkSize(4096))
	if err != nil {
		t.Fatal(err)
	}
	id := created.GetMigration().GetMigrationId()
	counts := created.GetMigration().GetCounts()
	if counts.GetRowsReceived() != env.rows || counts.GetRowsRejected() != 3 || counts.GetStaged() != good {
		t.Fatalf("upload counts %v; want %d received, 3 rejected, %d staged", counts, env.rows, good)
	}
	if got := violationRows(t, created.GetReport().GetViolations()); !slices.Equal(got, env.badRows) {
		t.Fatalf("the report names rows %v, the bad rows are %v", got, env.badRows)
	}
	again, err := client.CreateMigration(ctx, subshift.File(env.csvPath), subshift.WithRequestID(requestID),
		subshift.WithDescription("Go client journey"), subshift.WithMaxRejectedRows(10))
	if err != nil || again.GetMigration().GetMigrationId() != id {
		t.Fatalf("the same request id gave %v (%v), want migration %s", again.GetMigration(), err, id)
	}

	// Watch to the end: the last snapshot is terminal, and only the last.
	var states []migrationv1.MigrationState
	for migration, err := range client.Watch(ctx, id) {
		if err != nil {
			t.Fatal(err)
		}
		states = append(states, migration.GetState())
	}
	if len(states) == 0 || states[len(states)-1] != migrationv1.MigrationState_MIGRATION_STATE_SUCCEEDED ||
		slices.Contains(states[:len(states)-1], migrationv1.MigrationState_MIGRATION_STATE_SUCCEEDED) {
		t.Fatalf("watched states %v; want SUCCEEDED last and only last", states)
	}

	// Every count, once terminal.
	final, err := client.GetMigration(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	want := &migrationv1.MigrationCounts{RowsReceived: env.rows, RowsRejected: 3, Staged: good, Published: good,
		Applied: good}
	if got := final.GetCounts(); got.String() != want.String() {
		t.Fatalf("final counts %v, want %v", got, want)
	}

	// Items, page after page, in row order: every row with its outcome.
	byOutcome := map[migrationv1.ItemOutcome]int64{}
	var lastRow int64
	var rejected []int64
	for item, err := range client.ListItems(ctx, id, subshift.WithPageSize(97)) {
		if err != nil {
			t.Fatal(err)
		}
		if item.GetRowNumber() <= lastRow {
			t.Fatalf("row %d came after row %d", item.GetRowNumber(), lastRow)
		}
		lastRow = item.GetRowNumber()
		byOutcome[item.GetOutcome()]++
		if item.GetOutcome() == migrationv1.ItemOutcome_ITEM_OUTCOME_REJECTED {
			rejected = append(rejected, item.GetRowNumber())
		}
	}
	if byOutcome[migrationv1.ItemOutcome_ITEM_OUTCOME_APPLIED] != good || !slices.Equal(rejected, env.badRows) {
		t.Fatalf("items by outcome %v, rejected rows %v; want %d applied and rows %v rejected",
			byOutcome, rejected, good, env.badRows)
	}
	applied := 0
	for _, err := range client.ListItems(ctx, id, subshift.WithOutcome(migrationv1.ItemOutcome_ITEM_OUTCOME_APPLIED),
		subshift.WithPageSize(500)) {
		if err != nil {
			t.Fatal(err)
		}
		applied++
	}
	if int64(applied) != good {
		t.Fatalf("the APPLIED filter listed %d items, want %d", applied, good)
	}

	// The export holds every row, header first.
	var exported bytes.Buffer
	written, err := client.ExportResults(ctx, id, &exported)
	if err != nil || written != int64(exported.Len()) {
		t.Fatalf("export wrote %d bytes (%v)", written, err)
	}
	records, err := csv.NewReader(&exported).ReadAll()
	if err != nil || int64(len(records)) != env.rows+1 {
		t.Fatalf("the export has %d records (%v), want %d rows and a header", len(records), err, env.rows)
	}

	// The migration is listed (paged one by one); a finished one cannot be cancelled.
	listed := false
	for migration, err := range client.ListMigrations(ctx, subshift.WithPageSize(1)) {
		if err != nil {
			t.Fatal(err)
		}
		listed = listed || migration.GetMigrationId() == id
	}
	if !listed {
		t.Fatalf("ListMigrations did not list %s", id)
	}
	if _, err := client.CancelMigration(ctx, id, "too late"); !errors.Is(err, subshift.ErrFailedPrecondition) {
		t.Fatalf("cancelling a finished migration gave %v, want FAILED_PRECONDITION", err)
	}

	// A revert moves every applied user back.
	revert, err := client.RevertMigration(ctx, id, subshift.WithDescription("Go client revert"))
	if err != nil || revert.GetRevertsMigrationId() != id {
		t.Fatalf("revert gave %v (%v)", revert, err)
	}
	reverted, err := client.Wait(ctx, revert.GetMigrationId())
	if err != nil || reverted.GetState() != migrationv1.MigrationState_MIGRATION_STATE_SUCCEEDED ||
		reverted.GetCounts().GetApplied() != good {
		t.Fatalf("the revert ended as %v (%v), want %d applied", reverted, err, good)
	}

	t.Run("its events decode from Kafka through the registry", func(t *testing.T) {
		consumeMigrationEvents(t, env, id, good)
	})
}

func consumeMigrationEvents(t *testing.T, env liveEnv, migrationID string, good int64) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	registry, err := kafka.NewRegistry(env.registry)
	if err != nil {
		t.Fatal(err)
	}
	consumer, err := kafka.NewUserOffersConsumer(registry, kafka.WithBrokers(env.brokers),
		kafka.WithTopicPrefix(env.prefix))
	if err != nil {
		t.Fatal(err)
	}
	defer consumer.Close()
	seenRows := map[int64]bool{}
	for int64(len(seenRows)) < good {
		records, err := consumer.Poll(ctx)
		if err != nil {
			t.Fatalf("after %d of %d events: %v", len(seenRows), good, err)
		}
		for _, record := range records {
			if record.Err != nil {
				t.Fatalf("%s[%d]@%d did not decode: %v", record.Topic, record.Partition, record.Offset, record.Err)
			}
			event := record.Value
			if event.MigrationID != migrationID {
				continue // the revert's events, and the produced one
			}
			if record.Key != event.UserID || event.RowNumber == nil || slices.Contains(env.badRows, *event.RowNumber) ||
				seenRows[*event.RowNumber] || event.RequestedAt.IsZero() {
				t.Fatalf("unexpected event %+v under key %q", event, record.Key)
			}
			seenRows[*event.RowNumber] = true
		}
	}
}

// TestProducedEventIsAppliedByThePythonConsumer produces the staged row's event; the Python test then
// sees the subscription changed and the item applied.
func TestProducedEventIsAppliedByThePythonConsumer(t *testing.T) {
	env := readLiveEnv(t)
	var staged struct {
		EventID, MigrationID, UserID, CurrentOffer, TargetOffer string
		RowNumber                                               int64
	}
	if err := json.Unmarshal([]byte(need(t, "SUBSHIFT_GO_EVENT")), &staged); err != nil {
		t.Fatal(err)
	}
	requestedBy := "go-client-test"
	event := kafka.UserOffer{EventID: staged.EventID, MigrationID: staged.MigrationID, UserID: staged.UserID,
		CurrentOffer: staged.CurrentOffer, TargetOffer: staged.TargetOffer, RequestedAt: time.Now().UTC(),
		RequestedBy: &requestedBy, RowNumber: &staged.RowNumber}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	registry, err := kafka.NewRegistry(env.registry)
	if err != nil {
		t.Fatal(err)
	}
	producer, err := kafka.NewUserOffersProducer(registry, kafka.WithBrokers(env.brokers),
		kafka.WithTopicPrefix(env.prefix))
	if err != nil {
		t.Fatal(err)
	}
	defer producer.Close()
	record, err := producer.Produce(ctx, &event)
	if err != nil {
		t.Fatal(err)
	}
	if record.Topic != env.prefix+topics.UserOffersTopic || string(record.Key) != staged.UserID {
		t.Fatalf("produced to %s under key %q", record.Topic, record.Key)
	}
}
