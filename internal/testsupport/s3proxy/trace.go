package s3proxy

import (
	"slices"
	"time"
)

// A Call is one request the proxy served while tracing: its operation and bucket, when the proxy received
// it and when it had answered (injected latency and the upstream's time included).
type Call struct {
	Operation, Bucket string
	Start, End        time.Time
}

// StartTrace drops any calls traced so far and records every call from now on, until StopTrace. Benchmarks
// read from the trace which calls ran one after another and which at once.
func (p *Proxy) StartTrace() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.tracing = true
	p.trace = nil
}

// StopTrace stops recording and returns the calls answered since StartTrace, in the order they ended.
func (p *Proxy) StopTrace() []Call {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.tracing = false
	calls := p.trace
	p.trace = nil
	return slices.Clone(calls)
}

// traceStart returns the function that records op's call when it has been answered, or nil when the
// proxy is not tracing.
func (p *Proxy) traceStart(op Operation) func() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.tracing {
		return nil
	}
	start := p.now()
	return func() {
		p.mu.Lock()
		defer p.mu.Unlock()
		if p.tracing {
			p.trace = append(p.trace, Call{Operation: op.Name, Bucket: op.Bucket, Start: start, End: p.now()})
		}
	}
}

// CriticalPath is the number of calls in the longest chain of calls of which each started only after the
// previous one had ended: the round trips a client spent waiting one after another, whatever it ran at
// once beside them.
func CriticalPath(calls []Call) int {
	byEnd := slices.SortedFunc(slices.Values(calls), func(a, b Call) int { return a.End.Compare(b.End) })
	chain := make([]int, len(byEnd)) // chain[i]: the longest chain ending with byEnd[i]
	longest := 0
	for i, c := range byEnd {
		chain[i] = 1
		for j := range i {
			if !byEnd[j].End.After(c.Start) {
				chain[i] = max(chain[i], chain[j]+1)
			}
		}
		longest = max(longest, chain[i])
	}
	return longest
}
