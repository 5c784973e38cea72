package locals3

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// probeTimeout bounds one readiness request; a server that is still starting may accept a connection
// and then not answer.
const probeTimeout = 2 * time.Second

// probe reports whether the server answers over verified HTTPS: /healthz returns 200 and a ListBuckets
// request signed with the server's credentials returns 200. The signed request goes beyond "any S3
// answer" because it also proves that weed took the credentials from its environment, which every
// client of this package relies on.
func (s *Server) probe(ctx context.Context, client *http.Client) error {
	ctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()

	health, err := http.NewRequestWithContext(ctx, http.MethodGet, s.Endpoint+"/healthz", nil)
	if err != nil {
		return err
	}
	if err := expectOK(client, health); err != nil {
		return err
	}

	list, err := http.NewRequestWithContext(ctx, http.MethodGet, s.Endpoint+"/", nil)
	if err != nil {
		return err
	}
	signListBuckets(list, s.AccessKey, s.SecretKey, Region, time.Now())
	return expectOK(client, list)
}

func expectOK(client *http.Client, req *http.Request) error {
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s %s: %s: %s", req.Method, req.URL.Path, resp.Status, strings.TrimSpace(string(body)))
	}
	return nil
}

func newProbeClient(tlsConfig *tls.Config) *http.Client {
	return &http.Client{
		Transport: &http.Transport{
			TLSClientConfig:   tlsConfig,
			DisableKeepAlives: true, // each probe is a fresh connection, as a new client's would be
			Proxy:             nil,  // never send loopback probes through an HTTPS_PROXY from the environment
		},
	}
}

// emptySHA256 is the hex SHA-256 of an empty payload.
const emptySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

// signListBuckets signs a body-less GET / with AWS Signature Version 4 — just enough of it for a
// readiness check without the AWS SDK.
func signListBuckets(req *http.Request, accessKey, secretKey, region string, now time.Time) {
	amzDate := now.UTC().Format("20060102T150405Z")
	day := amzDate[:8]
	req.Header.Set("X-Amz-Date", amzDate)
	req.Header.Set("X-Amz-Content-Sha256", emptySHA256)

	const signedHeaders = "host;x-amz-content-sha256;x-amz-date"
	canonicalRequest := strings.Join([]string{
		req.Method,
		"/",
		"", // no query
		"host:" + req.URL.Host,
		"x-amz-content-sha256:" + emptySHA256,
		"x-amz-date:" + amzDate,
		"",
		signedHeaders,
		emptySHA256,
	}, "\n")
	scope := day + "/" + region + "/s3/aws4_request"
	hashed := sha256.Sum256([]byte(canonicalRequest))
	stringToSign := "AWS4-HMAC-SHA256\n" + amzDate + "\n" + scope + "\n" + hex.EncodeToString(hashed[:])

	key := []byte("AWS4" + secretKey)
	for _, part := range []string{day, region, "s3", "aws4_request"} {
		key = hmacSHA256(key, part)
	}
	signature := hex.EncodeToString(hmacSHA256(key, stringToSign))
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+accessKey+"/"+scope+
		", SignedHeaders="+signedHeaders+", Signature="+signature)
}

func hmacSHA256(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}
