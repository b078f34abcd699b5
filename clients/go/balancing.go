package subshift

import (
	"strings"

	"google.golang.org/grpc"
)

// roundRobin is gRPC's service config that opens a connection to every address the resolver gives and
// sends calls to each in turn.
const roundRobin = `{"loadBalancingConfig":[{"round_robin":{}}]}`

// balanced reports whether target names every replica (dns:///host:port, e.g. a headless Service), so
// calls should spread over them. A plain host:port keeps gRPC's default, one connection (pick_first),
// as a proxy or a mesh in front of the API expects.
func balanced(target string) bool { return strings.HasPrefix(target, "dns:") }

// balancing is the dial option for target: round_robin when it is balanced. It is a default service
// config, so a WithDialOptions(grpc.WithDefaultServiceConfig(...)) of the caller's replaces it.
func balancing(target string) []grpc.DialOption {
	if !balanced(target) {
		return nil
	}
	return []grpc.DialOption{grpc.WithDefaultServiceConfig(roundRobin)}
}
