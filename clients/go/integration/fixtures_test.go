package integration_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/hamba/avro/v2"
	"github.com/twmb/franz-go/pkg/sr"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"

	"github.com/subshift/subshift/clients/go/gen/events"
	_ "github.com/subshift/subshift/clients/go/gen/subshift/migration/v1" // registers the messages
	"github.com/subshift/subshift/clients/go/kafka"
)

type fixtureIndex struct {
	Avro          map[string]string `json:"avro"`
	FrameSchemaID int               `json:"frame_schema_id"`
	Proto         map[string]string `json:"proto"`
}

// versions returns every released contract version's fixture folder (v1, v2, …).
func versions(t *testing.T) []string {
	folders, err := filepath.Glob(filepath.Join(need(t, "SUBSHIFT_FIXTURES_DIR"), "v*"))
	if err != nil || len(folders) == 0 {
		t.Fatalf("no fixture folders v* under SUBSHIFT_FIXTURES_DIR (%v)", err)
	}
	return folders
}

func readIndex(t *testing.T, folder string) fixtureIndex {
	raw, err := os.ReadFile(filepath.Join(folder, "index.json"))
	if err != nil {
		t.Fatal(err)
	}
	var index fixtureIndex
	if err := json.Unmarshal(raw, &index); err != nil {
		t.Fatalf("%s/index.json: %v", folder, err)
	}
	return index
}

func TestEveryProtobufFixtureDecodesToItsRecordedValues(t *testing.T) {
	decoded := 0
	for _, folder := range versions(t) {
		for name, full := range readIndex(t, folder).Proto {
			t.Run(filepath.Base(folder)+"/"+name, func(t *testing.T) {
				kind, err := protoregistry.GlobalTypes.FindMessageByName(protoreflect.FullName(full))
				if err != nil {
					t.Fatalf("the Go client has no message %s: %v", full, err)
				}
				wire, err := os.ReadFile(filepath.Join(folder, "proto", name+".binpb"))
				if err != nil {
					t.Fatal(err)
				}
				fromWire := kind.New().Interface()
				if err := proto.Unmarshal(wire, fromWire); err != nil {
					t.Fatalf("decoding %s.binpb: %v", name, err)
				}
				text, err := os.ReadFile(filepath.Join(folder, "proto", name+".json"))
				if err != nil {
					t.Fatal(err)
				}
				recorded := kind.New().Interface()
				if err := protojson.Unmarshal(text, recorded); err != nil {
					t.Fatalf("reading %s.json: %v", name, err)
				}
				if !proto.Equal(fromWire, recorded) {
					t.Fatalf("%s: the wire bytes decode to\n%v\nbut the fixture records\n%v", name, fromWire, recorded)
				}
				if proto.Size(fromWire) == 0 && len(wire) > 0 {
					t.Fatalf("%s decoded to an empty message", name)
				}
				decoded++
			})
		}
	}
	if decoded == 0 {
		t.Fatal("no Protobuf fixture was decoded")
	}
}

// recordedEvent is an Avro fixture's JSON: requested_at in epoch milliseconds, nulls for absent options.
type recordedEvent struct {
	EventID      string  `json:"event_id"`
	MigrationID  string  `json:"migration_id"`
	UserID       string  `json:"user_id"`
	CurrentOffer string  `json:"current_offer"`
	TargetOffer  string  `json:"target_offer"`
	RequestedAt  int64   `json:"requested_at"`
	RequestedBy  *string `json:"requested_by"`
	RowNumber    *int64  `json:"row_number"`
}

func (r recordedEvent) event() events.UserOfferMigrationRequested {
	return events.UserOfferMigrationRequested{EventID: r.EventID, MigrationID: r.MigrationID, UserID: r.UserID,
		CurrentOffer: r.CurrentOffer, TargetOffer: r.TargetOffer, RequestedAt: time.UnixMilli(r.RequestedAt).UTC(),
		RequestedBy: r.RequestedBy, RowNumber: r.RowNumber}
}

func sameEvent(a, b *events.UserOfferMigrationRequested) bool {
	return a.EventID == b.EventID && a.MigrationID == b.MigrationID && a.UserID == b.UserID &&
		a.CurrentOffer == b.CurrentOffer && a.TargetOffer == b.TargetOffer && a.RequestedAt.Equal(b.RequestedAt) &&
		fmt.Sprint(deref(a.RequestedBy)) == fmt.Sprint(deref(b.RequestedBy)) &&
		fmt.Sprint(deref(a.RowNumber)) == fmt.Sprint(deref(b.RowNumber))
}

func deref[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}

func TestEveryAvroFixtureDecodesThroughTheRegistryIntoTheGeneratedStruct(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	registry, err := kafka.NewRegistry(need(t, "SUBSHIFT_REGISTRY_URL"))
	if err != nil {
		t.Fatal(err)
	}
	serde, err := kafka.NewSerde[events.UserOfferMigrationRequested](registry, events.UserOfferMigrationRequestedSchema)
	if err != nil {
		t.Fatal(err)
	}
	decoded := 0
	for _, folder := range versions(t) {
		index := readIndex(t, folder)
		for name, subject := range index.Avro {
			t.Run(filepath.Base(folder)+"/"+name, func(t *testing.T) {
				framed, err := os.ReadFile(filepath.Join(folder, "avro", name+".bin"))
				if err != nil {
					t.Fatal(err)
				}
				id, body, err := kafka.Unframe(framed)
				if err != nil || id != index.FrameSchemaID {
					t.Fatalf("%s.bin: frame id %d (index says %d): %v", name, id, index.FrameSchemaID, err)
				}
				writerText, err := os.ReadFile(filepath.Join(folder, "avro", subject+".avsc"))
				if err != nil {
					t.Fatal(err)
				}
				var want recordedEvent
				raw, _ := os.ReadFile(filepath.Join(folder, "avro", name+".json"))
				if err := json.Unmarshal(raw, &want); err != nil {
					t.Fatalf("%s.json: %v", name, err)
				}
				expected := want.event()

				// With the stored writer schema, no registry: what the frame's body holds.
				writer, err := avro.ParseWithCache(string(writerText), "", &avro.SchemaCache{})
				if err != nil {
					t.Fatal(err)
				}
				direct, err := serde.DecodeWith(writer, body)
				if err != nil || !sameEvent(direct, &expected) {
					t.Fatalf("%s: decoded %+v (%v), recorded %+v", name, direct, err, expected)
				}

				// Through the registry: registry ids differ between registries, so the stored writer schema
				// is registered under a subject of this test and the body re-framed with the id it gets.
				testSubject := fmt.Sprintf("go-fixtures-%d-%s", time.Now().UnixNano(), subject)
				id, err = registry.SchemaID(ctx, testSubject, string(writerText), true)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { deleteSubject(t, testSubject) })
				viaRegistry, err := serde.Decode(ctx, kafka.Frame(id, body))
				if err != nil || !sameEvent(viaRegistry, &expected) {
					t.Fatalf("%s through the registry: decoded %+v (%v), recorded %+v", name, viaRegistry, err, expected)
				}
				decoded++
			})
		}
	}
	if decoded == 0 {
		t.Fatal("no Avro fixture was decoded")
	}
}

// deleteSubject removes a subject this test registered, so the shared registry keeps only real ones.
func deleteSubject(t *testing.T, subject string) {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	client, err := sr.NewClient(sr.URLs(need(t, "SUBSHIFT_REGISTRY_URL")))
	if err != nil {
		t.Error(err)
		return
	}
	if _, err := client.DeleteSubject(ctx, subject, sr.SoftDelete); err != nil {
		t.Errorf("deleting test subject %s: %v", subject, err)
		return
	}
	if _, err := client.DeleteSubject(ctx, subject, sr.HardDelete); err != nil {
		t.Errorf("hard-deleting test subject %s: %v", subject, err)
	}
}
