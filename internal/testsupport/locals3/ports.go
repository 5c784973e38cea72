package locals3

import (
	"fmt"
	"math/rand/v2"
	"net"
	"strconv"
)

// Ports are drawn from below Linux's default ephemeral range (32768–60999). A port handed out by
// listening on ":0" comes from that range, and between closing it here and weed binding it, one of the
// many outgoing connections weed makes while starting could be given the same port; mini's own source
// warns about exactly this for its admin gRPC port. Below the range only a listener can take it.
const (
	portRangeLow  = 20000
	portRangeHigh = 32768 // exclusive
	portAttempts  = 500
)

// freePorts returns n distinct ports that are free on 127.0.0.1 right now. Each is held while the
// others are chosen, so the set never repeats a port; another process may still take one before weed
// binds it, which Start handles by retrying with a new set.
func freePorts(n int) ([]int, error) {
	var (
		ports     []int
		listeners []net.Listener
	)
	defer func() {
		for _, l := range listeners {
			l.Close()
		}
	}()
	for i := 0; i < portAttempts && len(ports) < n; i++ {
		p := portRangeLow + rand.IntN(portRangeHigh-portRangeLow)
		l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(p)))
		if err != nil {
			continue // in use, or held by this very loop
		}
		listeners = append(listeners, l)
		ports = append(ports, p)
	}
	if len(ports) < n {
		return nil, fmt.Errorf("found only %d of %d free ports in [%d, %d) on 127.0.0.1",
			len(ports), n, portRangeLow, portRangeHigh)
	}
	return ports, nil
}
