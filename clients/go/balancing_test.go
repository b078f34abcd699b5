package subshift

import (
	"context"
	"net"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
)

func TestOnlyADNSTargetIsBalanced(t *testing.T) {
	cases := map[string]bool{
		"dns:///subshift-api-headless.subshift.svc:50051": true,
		"dns://10.0.0.10:53/api.internal:50051":           true,
		"subshift-api.subshift.svc:50051":                 false,
		"127.0.0.1:50051":                                 false,
		"unix:///tmp/api.sock":                            false,
		"passthrough:///10.0.0.1:50051":                   false,
	}
	for target, want := range cases {
		if got := balanced(target); got != want {
			t.Errorf("balanced(%q) = %v, want %v", target, got, want)
		}
		if got := len(balancing(target)) == 1; got != want {
			t.Errorf("balancing(%q) gave a service config: %v, want %v", target, got, want)
		}
	}
}

// A dns: target still connects and calls: the service config is valid for this grpc-go.
func TestADNSTargetConnectsWithRoundRobin(t *testing.T) {
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	server := grpc.NewServer()
	healthpb.RegisterHealthServer(server, health.NewServer())
	go func() { _ = server.Serve(listener) }()
	defer server.Stop()

	client, err := New("dns:///" + listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = client.Close() }()
	reply, err := healthpb.NewHealthClient(client.conn).Check(context.Background(), &healthpb.HealthCheckRequest{})
	if err != nil || reply.GetStatus() != healthpb.HealthCheckResponse_SERVING {
		t.Fatalf("health over dns:/// gave %v, %v", reply, err)
	}
}
