package s3proxy

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
)

// recordingLayer appends its name on the way in and out, and stops the request when stop is set.
func recordingLayer(name string, trace *[]string, stop bool) Semantics {
	return func(w http.ResponseWriter, r *http.Request, op Operation, next http.Handler) {
		*trace = append(*trace, name+">"+op.Name)
		if stop {
			w.WriteHeader(http.StatusForbidden)
		} else {
			next.ServeHTTP(w, r)
		}
		*trace = append(*trace, "<"+name)
	}
}

func TestChain(t *testing.T) {
	tests := []struct {
		name   string
		layers func(trace *[]string) []Semantics
		status int
		want   []string
	}{
		{
			name:   "none passes through",
			layers: func(*[]string) []Semantics { return nil },
			status: http.StatusNoContent,
			want:   []string{"upstream"},
		},
		{
			name: "in order, nil skipped",
			layers: func(tr *[]string) []Semantics {
				return []Semantics{recordingLayer("a", tr, false), nil, recordingLayer("b", tr, false)}
			},
			status: http.StatusNoContent,
			want:   []string{"a>GetObject", "b>GetObject", "upstream", "<b", "<a"},
		},
		{
			name: "a layer answering stops the rest",
			layers: func(tr *[]string) []Semantics {
				return []Semantics{recordingLayer("a", tr, true), recordingLayer("b", tr, false)}
			},
			status: http.StatusForbidden,
			want:   []string{"a>GetObject", "<a"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var trace []string
			upstream := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				trace = append(trace, "upstream")
				w.WriteHeader(http.StatusNoContent)
			})
			chained := Chain(tt.layers(&trace)...)
			r := httptest.NewRequest(http.MethodGet, "/bucket/key", nil)
			w := httptest.NewRecorder()
			chained(w, r, Classify(r), upstream)
			if w.Code != tt.status {
				t.Errorf("status %d, want %d", w.Code, tt.status)
			}
			if !slices.Equal(trace, tt.want) {
				t.Errorf("trace %q, want %q", trace, tt.want)
			}
		})
	}
}

// TestChainInProxy checks that the proxy's forwarder is the last layer's next.
func TestChainInProxy(t *testing.T) {
	var trace []string
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		trace = append(trace, "upstream")
	}))
	defer up.Close()
	p := New(mustParseURL(t, up.URL), up.Client().Transport,
		WithSemantics(Chain(recordingLayer("a", &trace, false), recordingLayer("b", &trace, false))))
	defer p.CloseIdleConnections()
	w := httptest.NewRecorder()
	p.ServeHTTP(w, httptest.NewRequest(http.MethodPut, "/bucket?versioning", nil))
	want := []string{"a>PutBucketVersioning", "b>PutBucketVersioning", "upstream", "<b", "<a"}
	if w.Code != http.StatusOK || !slices.Equal(trace, want) {
		t.Errorf("status %d, trace %q; want 200, %q", w.Code, trace, want)
	}
}
