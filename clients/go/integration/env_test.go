// Package integration_test proves the Go client against the real Subshift: the golden wire fixtures,
// a live migration, its events on Kafka, and an event the Python consumer applies. It is run by
// tests/integration/clients/test_go_client.py, which starts the service and sets the environment;
// run alone, it fails saying which variable is missing.
package integration_test

import (
	"os"
	"testing"
)

// need returns the environment variable name or fails the test: these tests never skip.
func need(t *testing.T, name string) string {
	t.Helper()
	value := os.Getenv(name)
	if value == "" {
		t.Fatalf("%s is not set; run these tests through tests/integration/clients/test_go_client.py "+
			"(it starts Subshift on the stack and sets it)", name)
	}
	return value
}
