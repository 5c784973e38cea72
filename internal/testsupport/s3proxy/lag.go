package s3proxy

import (
	"net/http"
	"time"
)

// SetCreateLag emulates S3's eventual consistency right after CreateBucket: for d after a bucket was
// created through the proxy, every other request on it answers 404 NoSuchBucket, as AWS may while a new
// bucket propagates. 0 turns it off; buckets created before the call are not affected.
func (p *Proxy) SetCreateLag(d time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.createLag = d
	if p.created == nil {
		p.created = make(map[string]time.Time)
	}
}

// lagging reports whether a request on op's bucket falls inside the create lag.
func (p *Proxy) lagging(op Operation) bool {
	if op.Bucket == "" || op.Name == "CreateBucket" {
		return false
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	at, ok := p.created[op.Bucket]
	return ok && p.createLag > 0 && p.now().Sub(at) < p.createLag
}

// serveCreate forwards a CreateBucket and, when the lag is on and the server accepted it, starts the
// bucket's lag.
func (p *Proxy) serveCreate(w http.ResponseWriter, r *http.Request, op Operation, forward http.Handler) {
	forward.ServeHTTP(&StatusHook{ResponseWriter: w, OnStatus: func(status int) {
		if status/100 != 2 {
			return
		}
		p.mu.Lock()
		defer p.mu.Unlock()
		if p.createLag > 0 {
			p.created[op.Bucket] = p.now()
		}
	}}, r)
}
