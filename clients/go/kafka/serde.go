package kafka

import (
	"context"
	"fmt"
	"sync"

	"github.com/hamba/avro/v2"
)

// Serde turns values of T into Confluent-framed Avro and back. Decoding reads with the writer's
// schema (by the frame's id) resolved against T's reader schema, so records written by an older or
// newer compatible schema decode into T.
type Serde[T any] struct {
	reader   avro.Schema
	registry *Registry
	mu       sync.Mutex
	resolved map[int]avro.Schema
}

// NewSerde makes a Serde for T, whose Avro schema is readerSchema (the generated events.*Schema).
func NewSerde[T any](registry *Registry, readerSchema string) (*Serde[T], error) {
	reader, err := avro.ParseWithCache(readerSchema, "", &avro.SchemaCache{})
	if err != nil {
		return nil, fmt.Errorf("subshift/kafka: the reader schema: %w", err)
	}
	return &Serde[T]{reader: reader, registry: registry, resolved: map[int]avro.Schema{}}, nil
}

// Encode frames value as Avro under schemaID (the id of the reader schema in the registry).
func (s *Serde[T]) Encode(schemaID int, value *T) ([]byte, error) {
	body, err := avro.Marshal(s.reader, value)
	if err != nil {
		return nil, fmt.Errorf("subshift/kafka: encoding %T: %w", value, err)
	}
	return Frame(schemaID, body), nil
}

// Decode reads a Confluent-framed value into a T.
func (s *Serde[T]) Decode(ctx context.Context, value []byte) (*T, error) {
	id, body, err := Unframe(value)
	if err != nil {
		return nil, err
	}
	schema, err := s.schemaFor(ctx, id)
	if err != nil {
		return nil, err
	}
	decoded := new(T)
	if err := avro.Unmarshal(schema, body, decoded); err != nil {
		return nil, fmt.Errorf("subshift/kafka: decoding a value of schema id %d: %w", id, err)
	}
	return decoded, nil
}

// DecodeWith reads an unframed Avro body written with writer into a T (no registry needed).
func (s *Serde[T]) DecodeWith(writer avro.Schema, body []byte) (*T, error) {
	schema, err := avro.NewSchemaCompatibility().Resolve(s.reader, writer)
	if err != nil {
		return nil, fmt.Errorf("subshift/kafka: the writer schema cannot be read as %T: %w", new(T), err)
	}
	decoded := new(T)
	if err := avro.Unmarshal(schema, body, decoded); err != nil {
		return nil, fmt.Errorf("subshift/kafka: decoding: %w", err)
	}
	return decoded, nil
}

func (s *Serde[T]) schemaFor(ctx context.Context, id int) (avro.Schema, error) {
	s.mu.Lock()
	schema, ok := s.resolved[id]
	s.mu.Unlock()
	if ok {
		return schema, nil
	}
	writer, err := s.registry.WriterSchema(ctx, id)
	if err != nil {
		return nil, err
	}
	schema, err = avro.NewSchemaCompatibility().Resolve(s.reader, writer)
	if err != nil {
		return nil, fmt.Errorf("subshift/kafka: schema id %d cannot be read as %T: %w", id, new(T), err)
	}
	s.mu.Lock()
	s.resolved[id] = schema
	s.mu.Unlock()
	return schema, nil
}
