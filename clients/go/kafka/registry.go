package kafka

import (
	"context"
	"fmt"
	"sync"

	"github.com/hamba/avro/v2"
	"github.com/twmb/franz-go/pkg/sr"
)

// Registry looks schemas up in a Confluent-compatible schema registry (Apicurio's ccompat API works)
// and caches each parsed writer schema by id: ids never change their schema.
type Registry struct {
	client  *sr.Client
	mu      sync.Mutex
	writers map[int]avro.Schema
}

// NewRegistry talks to the registry at url; options go to franz-go's sr client (auth, TLS, …).
func NewRegistry(url string, options ...sr.ClientOpt) (*Registry, error) {
	client, err := sr.NewClient(append([]sr.ClientOpt{sr.URLs(url)}, options...)...)
	if err != nil {
		return nil, fmt.Errorf("subshift/kafka: registry at %s: %w", url, err)
	}
	return &Registry{client: client, writers: map[int]avro.Schema{}}, nil
}

// WriterSchema returns the Avro schema registered under id.
func (r *Registry) WriterSchema(ctx context.Context, id int) (avro.Schema, error) {
	r.mu.Lock()
	schema, ok := r.writers[id]
	r.mu.Unlock()
	if ok {
		return schema, nil
	}
	found, err := r.client.SchemaByID(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("subshift/kafka: schema id %d: %w", id, err)
	}
	// A cache of its own per schema: hamba's default cache is process-wide and keyed by name, and two
	// writer versions share one name.
	schema, err = avro.ParseWithCache(found.Schema, "", &avro.SchemaCache{})
	if err != nil {
		return nil, fmt.Errorf("subshift/kafka: schema id %d is not Avro this client can read: %w", id, err)
	}
	r.mu.Lock()
	r.writers[id] = schema
	r.mu.Unlock()
	return schema, nil
}

// SchemaID returns the id of schema under subject: registered first when register is true
// (idempotent), else looked up (the subject must already hold it).
func (r *Registry) SchemaID(ctx context.Context, subject, schema string, register bool) (int, error) {
	wanted := sr.Schema{Schema: schema, Type: sr.TypeAvro}
	var (
		found sr.SubjectSchema
		err   error
	)
	if register {
		found, err = r.client.CreateSchema(ctx, subject, wanted)
	} else {
		found, err = r.client.LookupSchema(ctx, subject, wanted)
	}
	if err != nil {
		return 0, fmt.Errorf("subshift/kafka: schema of subject %s: %w", subject, err)
	}
	return found.ID, nil
}
