package kafka

import (
	"bytes"
	"errors"
	"testing"
)

func TestAFramedBodyUnframesToItsSchemaIDAndBody(t *testing.T) {
	framed := Frame(258, []byte("body"))
	if !bytes.Equal(framed[:5], []byte{0, 0, 0, 1, 2}) {
		t.Fatalf("header %v", framed[:5])
	}
	id, body, err := Unframe(framed)
	if err != nil || id != 258 || string(body) != "body" {
		t.Fatalf("unframed %d %q %v", id, body, err)
	}
}

func TestAValueWithoutTheConfluentHeaderIsRefused(t *testing.T) {
	for _, value := range [][]byte{nil, {0, 0, 1}, {1, 0, 0, 0, 1, 9}} {
		if _, _, err := Unframe(value); !errors.Is(err, ErrNotFramed) {
			t.Fatalf("%v: got %v, want ErrNotFramed", value, err)
		}
	}
}
