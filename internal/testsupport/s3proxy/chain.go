package s3proxy

import "net/http"

// Chain composes semantics layers into one, for WithSemantics: the first layer sees a request first, and
// the next it is given is the second layer, and so on; the last layer's next is the one Chain's result is
// called with (the proxy's forwarder). Every layer gets the same operation. Chain of nothing passes every
// request straight to next, and nil layers are skipped.
func Chain(layers ...Semantics) Semantics {
	var live []Semantics
	for _, l := range layers {
		if l != nil {
			live = append(live, l)
		}
	}
	return func(w http.ResponseWriter, r *http.Request, op Operation, next http.Handler) {
		h := next
		for i := len(live) - 1; i >= 0; i-- {
			layer, inner := live[i], h
			h = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { layer(w, r, op, inner) })
		}
		h.ServeHTTP(w, r)
	}
}
