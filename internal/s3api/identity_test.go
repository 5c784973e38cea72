package s3api

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

const testCallerARN = "arn:aws:sts::111122223333:assumed-role/Terraform/ci"

// stsServer answers GetCallerIdentity with status and body, and counts the requests it saw.
func stsServer(t *testing.T, status int, body string) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		form, _ := io.ReadAll(r.Body)
		if !strings.Contains(string(form), "Action=GetCallerIdentity") {
			t.Errorf("STS request body = %q, want a GetCallerIdentity call", form)
		}
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	return srv, &calls
}

// refuseNetwork is an HTTP client that fails the test on any request.
type refuseNetwork struct{ t *testing.T }

func (r refuseNetwork) Do(req *http.Request) (*http.Response, error) {
	r.t.Errorf("unexpected request to %s", req.URL)
	return nil, errors.New("the test allows no requests")
}

// loadConfig loads an isolated configuration the way New does, with static keys.
func loadConfig(t *testing.T, opts ...func(*config.LoadOptions) error) aws.Config {
	t.Helper()
	opts = append([]func(*config.LoadOptions) error{
		config.WithRegion("us-east-1"),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(testAccessKey, testSecretKey, "")),
		config.WithRetryMaxAttempts(1),
	}, opts...)
	cfg, err := config.LoadDefaultConfig(t.Context(), opts...)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func TestCallerARNCustomEndpointWithoutSTS(t *testing.T) {
	isolateAWS(t)
	t.Setenv(STSEndpointEnv, "")
	cfg := loadConfig(t, config.WithHTTPClient(refuseNetwork{t}))

	start := time.Now()
	arn, err := CallerARN(t.Context(), cfg, testEndpoint)
	if !errors.Is(err, ErrCallerUnknown) {
		t.Fatalf("CallerARN = %q, %v; want ErrCallerUnknown", arn, err)
	}
	if elapsed := time.Since(start); elapsed > time.Second {
		t.Errorf("CallerARN took %s, want an immediate answer", elapsed)
	}
	for _, part := range []string{testEndpoint, STSEndpointEnv} {
		if !strings.Contains(err.Error(), part) {
			t.Errorf("error %q does not mention %q", err, part)
		}
	}
}

func TestCallerARNFromConfiguredSTS(t *testing.T) {
	const identity = `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>` +
		`<Arn>` + testCallerARN + `</Arn><UserId>AROAEXAMPLE:ci</UserId><Account>111122223333</Account>` +
		`</GetCallerIdentityResult><ResponseMetadata><RequestId>r1</RequestId></ResponseMetadata></GetCallerIdentityResponse>`
	tests := []struct {
		name string
		env  string // the variable naming the STS server
	}{
		{"STS endpoint variable", STSEndpointEnv},
		// A server such as SeaweedFS answers S3 and STS on one port, so one variable serves both.
		{"endpoint for every service", "AWS_ENDPOINT_URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			isolateAWS(t)
			t.Setenv(STSEndpointEnv, "")
			srv, calls := stsServer(t, http.StatusOK, identity)
			t.Setenv(tt.env, srv.URL)

			arn, err := CallerARN(t.Context(), loadConfig(t), testEndpoint)
			if err != nil {
				t.Fatalf("CallerARN: %v", err)
			}
			if arn != testCallerARN {
				t.Errorf("CallerARN = %q, want %q", arn, testCallerARN)
			}
			if n := calls.Load(); n != 1 {
				t.Errorf("the STS server saw %d requests, want 1", n)
			}
		})
	}
}

func TestCallerARNFailures(t *testing.T) {
	tests := []struct {
		name    string
		status  int
		body    string
		wantErr string
	}{
		{
			name:    "refused",
			status:  http.StatusForbidden,
			body:    `<ErrorResponse><Error><Type>Sender</Type><Code>InvalidClientTokenId</Code><Message>The security token included in the request is invalid.</Message></Error><RequestId>r2</RequestId></ErrorResponse>`,
			wantErr: "InvalidClientTokenId",
		},
		{
			name:    "no ARN",
			status:  http.StatusOK,
			body:    `<GetCallerIdentityResponse><GetCallerIdentityResult><Account>111122223333</Account></GetCallerIdentityResult></GetCallerIdentityResponse>`,
			wantErr: "returned no ARN",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			isolateAWS(t)
			srv, _ := stsServer(t, tt.status, tt.body)
			t.Setenv(STSEndpointEnv, srv.URL)

			arn, err := CallerARN(t.Context(), loadConfig(t), testEndpoint)
			if !errors.Is(err, ErrCallerUnknown) {
				t.Fatalf("CallerARN = %q, %v; want ErrCallerUnknown", arn, err)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error %q does not contain %q", err, tt.wantErr)
			}
		})
	}
}
