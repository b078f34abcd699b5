package kafka

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/subshift/subshift/clients/go/gen/events"
	"github.com/subshift/subshift/clients/go/gen/topics"
)

// UserOffer is the value of a user-offers record.
type UserOffer = events.UserOfferMigrationRequested

// Record is one consumed record: its value decoded, or Err saying why it could not be.
type Record[T any] struct {
	Key       string
	Value     *T
	Err       error
	Topic     string
	Partition int32
	Offset    int64
	Headers   map[string][]byte
}

type clientSettings struct {
	brokers  []string
	prefix   string
	group    string
	register bool
	kgo      []kgo.Opt
}

// ClientOption configures a producer or a consumer.
type ClientOption func(*clientSettings)

// WithBrokers sets the bootstrap brokers (required).
func WithBrokers(brokers ...string) ClientOption {
	return func(s *clientSettings) { s.brokers = append(s.brokers, brokers...) }
}

// WithTopicPrefix puts prefix before the topic's name, as the server's SUBSHIFT_KAFKA_TOPIC_PREFIX does
// (the registry subject keeps the manifest's name).
func WithTopicPrefix(prefix string) ClientOption {
	return func(s *clientSettings) { s.prefix = prefix }
}

// WithGroup consumes as a member of the consumer group id (default: no group, every partition from the start).
func WithGroup(id string) ClientOption { return func(s *clientSettings) { s.group = id } }

// WithRegister makes a producer register its schema under the subject (default: look it up).
func WithRegister() ClientOption { return func(s *clientSettings) { s.register = true } }

// WithKgoOptions adds franz-go options (SASL, TLS, offsets, …).
func WithKgoOptions(options ...kgo.Opt) ClientOption {
	return func(s *clientSettings) { s.kgo = append(s.kgo, options...) }
}

func clientOptions(options []ClientOption) (clientSettings, error) {
	var s clientSettings
	for _, option := range options {
		option(&s)
	}
	if len(s.brokers) == 0 {
		return s, errors.New("subshift/kafka: no brokers; pass WithBrokers")
	}
	return s, nil
}

// UserOffersConsumer reads the user-offers topic into typed records.
type UserOffersConsumer struct {
	client *kgo.Client
	serde  *Serde[UserOffer]
}

// NewUserOffersConsumer consumes user-offers, decoding through registry.
func NewUserOffersConsumer(registry *Registry, options ...ClientOption) (*UserOffersConsumer, error) {
	s, err := clientOptions(options)
	if err != nil {
		return nil, err
	}
	serde, err := NewSerde[UserOffer](registry, events.UserOfferMigrationRequestedSchema)
	if err != nil {
		return nil, err
	}
	opts := []kgo.Opt{kgo.SeedBrokers(s.brokers...), kgo.ConsumeTopics(s.prefix + topics.UserOffersTopic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart())}
	if s.group != "" {
		// Offsets are committed by the caller (Commit), after it has done its work with the records.
		opts = append(opts, kgo.ConsumerGroup(s.group), kgo.DisableAutoCommit())
	}
	client, err := kgo.NewClient(append(opts, s.kgo...)...)
	if err != nil {
		return nil, fmt.Errorf("subshift/kafka: consumer: %w", err)
	}
	return &UserOffersConsumer{client: client, serde: serde}, nil
}

// Poll waits (until ctx ends) for the next records and decodes them; a record that cannot be
// decoded comes back with Err set rather than failing the batch.
func (c *UserOffersConsumer) Poll(ctx context.Context) ([]Record[UserOffer], error) {
	fetches := c.client.PollFetches(ctx)
	if fetches.IsClientClosed() {
		return nil, errors.New("subshift/kafka: the consumer is closed")
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var failed error
	fetches.EachError(func(topic string, partition int32, err error) {
		failed = errors.Join(failed, fmt.Errorf("subshift/kafka: fetching %s[%d]: %w", topic, partition, err))
	})
	if failed != nil {
		return nil, failed
	}
	var records []Record[UserOffer]
	fetches.EachRecord(func(r *kgo.Record) {
		value, err := c.serde.Decode(ctx, r.Value)
		headers := make(map[string][]byte, len(r.Headers))
		for _, h := range r.Headers {
			headers[h.Key] = h.Value
		}
		records = append(records, Record[UserOffer]{Key: string(r.Key), Value: value, Err: err, Topic: r.Topic,
			Partition: r.Partition, Offset: r.Offset, Headers: headers})
	})
	return records, nil
}

// Commit commits the group's offsets past every record polled so far (with WithGroup).
func (c *UserOffersConsumer) Commit(ctx context.Context) error {
	if err := c.client.CommitUncommittedOffsets(ctx); err != nil {
		return fmt.Errorf("subshift/kafka: commit: %w", err)
	}
	return nil
}

// Close leaves the group and closes the connections.
func (c *UserOffersConsumer) Close() { c.client.Close() }

// UserOffersProducer writes typed records to user-offers, keyed by user id.
type UserOffersProducer struct {
	client   *kgo.Client
	serde    *Serde[UserOffer]
	registry *Registry
	topic    string
	register bool
	mu       sync.Mutex // guards schemaID, found on the first Produce
	schemaID int
}

// NewUserOffersProducer produces to user-offers; the schema id is found (or, WithRegister, registered)
// in registry on the first Produce.
func NewUserOffersProducer(registry *Registry, options ...ClientOption) (*UserOffersProducer, error) {
	s, err := clientOptions(options)
	if err != nil {
		return nil, err
	}
	serde, err := NewSerde[UserOffer](registry, events.UserOfferMigrationRequestedSchema)
	if err != nil {
		return nil, err
	}
	opts := append([]kgo.Opt{kgo.SeedBrokers(s.brokers...), kgo.RequiredAcks(kgo.AllISRAcks())}, s.kgo...)
	client, err := kgo.NewClient(opts...)
	if err != nil {
		return nil, fmt.Errorf("subshift/kafka: producer: %w", err)
	}
	return &UserOffersProducer{client: client, serde: serde, registry: registry, topic: s.prefix + topics.UserOffersTopic,
		register: s.register}, nil
}

// Produce writes offer and waits for the broker's acknowledgement; it returns where the record landed.
func (p *UserOffersProducer) Produce(ctx context.Context, offer *UserOffer) (*kgo.Record, error) {
	p.mu.Lock()
	if p.schemaID == 0 {
		id, err := p.registry.SchemaID(ctx, topics.UserOffersValueSubject, events.UserOfferMigrationRequestedSchema,
			p.register)
		if err != nil {
			p.mu.Unlock()
			return nil, err
		}
		p.schemaID = id
	}
	schemaID := p.schemaID
	p.mu.Unlock()
	value, err := p.serde.Encode(schemaID, offer)
	if err != nil {
		return nil, err
	}
	record := &kgo.Record{Topic: p.topic, Key: []byte(offer.UserID), Value: value}
	if err := p.client.ProduceSync(ctx, record).FirstErr(); err != nil {
		return nil, fmt.Errorf("subshift/kafka: producing to %s: %w", p.topic, err)
	}
	return record, nil
}

// Close flushes and closes the connections.
func (p *UserOffersProducer) Close() { p.client.Close() }
