// Package kafka carries the contracts' Avro events over Kafka: the Confluent framing, writer schemas
// looked up by id through the registry's Confluent-compatible API (franz-go's sr client), and a typed
// producer and consumer for the user-offers topic (franz-go). No global state: every cache belongs to
// a Registry or a Serde.
package kafka

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// The Confluent wire format: one magic byte 0, the schema id as 4 big-endian bytes, the Avro body.
const (
	magicByte   = 0
	frameHeader = 5
)

// ErrNotFramed is wrapped by Unframe's error when a value does not start with the Confluent header.
var ErrNotFramed = errors.New("not a Confluent-framed value")

// Frame prefixes an Avro body with the magic byte and the schema id.
func Frame(schemaID int, body []byte) []byte {
	framed := make([]byte, frameHeader, frameHeader+len(body))
	framed[0] = magicByte
	binary.BigEndian.PutUint32(framed[1:frameHeader], uint32(schemaID))
	return append(framed, body...)
}

// Unframe splits a Confluent-framed value into its schema id and Avro body.
func Unframe(value []byte) (int, []byte, error) {
	if len(value) < frameHeader {
		return 0, nil, fmt.Errorf("subshift/kafka: %w: %d bytes, the header alone is %d", ErrNotFramed, len(value), frameHeader)
	}
	if value[0] != magicByte {
		return 0, nil, fmt.Errorf("subshift/kafka: %w: magic byte %d, expected %d", ErrNotFramed, value[0], magicByte)
	}
	return int(binary.BigEndian.Uint32(value[1:frameHeader])), value[frameHeader:], nil
}
