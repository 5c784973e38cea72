package s3proxy_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/testsupport/s3proxy"
)

// A test puts the proxy between the SDK and the S3 server, points the SDK's endpoint at the proxy, and
// injects the failures it wants to see handled.
func ExampleProxy_Inject() {
	s3 := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, `<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>`)
	}))
	defer s3.Close()
	target, _ := url.Parse(s3.URL)
	proxy := s3proxy.New(target, s3.Client().Transport)
	defer proxy.CloseIdleConnections()
	endpoint := httptest.NewTLSServer(proxy) // the SDK's BaseEndpoint, with UsePathStyle
	defer endpoint.Close()

	throttle := proxy.Inject(s3proxy.Fault{Operation: "GetBucketVersioning", Status: 503, Code: "SlowDown", Times: 1})
	for range 2 {
		resp, err := endpoint.Client().Get(endpoint.URL + "/pm-media?versioning")
		if err != nil {
			fmt.Println(err)
			return
		}
		resp.Body.Close()
		fmt.Println(resp.StatusCode)
	}
	fmt.Println(throttle.Hits(), proxy.Counts())
	// Output:
	// 503
	// 200
	// 1 map[GetBucketVersioning:2]
}
