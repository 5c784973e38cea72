package provider

// The acceptance harness: TestMain starts a real SeaweedFS over HTTPS and the S3 test proxy in front of
// it (internal/testsupport/testenv), and points the provider at the proxy through the standard AWS environment
// variables, exactly as a user would point it at an S3-compatible endpoint.

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/s3api"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/testsupport/locals3"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/testsupport/s3proxy"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/testsupport/s3proxy/awsbehaviour"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/testsupport/s3proxy/batchops"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/testsupport/s3proxy/checksumrefusal"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/testsupport/s3proxy/mfadelete"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/testsupport/s3proxy/policyguard"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/testsupport/testenv"
)

// testBucketPrefix marks every bucket the tests create.
const testBucketPrefix = "tf-acc-pm-"

// accEnv is what the acceptance tests share: set once by TestMain, read-only afterwards.
var accEnv *testenv.Env

var protoV6ProviderFactories = map[string]func() (tfprotov6.ProviderServer, error){
	"protectedmedia": func() (tfprotov6.ProviderServer, error) { return protocol6Server(New("test")())(), nil },
}

func TestMain(m *testing.M) {
	os.Exit(runTests(m))
}

func runTests(m *testing.M) int {
	if os.Getenv("TF_ACC") == "" {
		return m.Run() // unit tests only; acceptance tests skip themselves
	}
	start := time.Now()
	env, err := testenv.StartWith(context.Background(), testenv.Options{
		Identities:   []locals3.Identity{appIdentity},
		KMS:          true, // SeaweedFS encrypts SSE-KMS objects with the fake KMS (accEnv.KMS)
		ProxyOptions: testenvOptions(),
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer env.Stop()
	fmt.Fprintf(os.Stderr, "acceptance tests: SeaweedFS at %s (pid %d), proxy at %s, ready in %s\n",
		env.Server.Endpoint, env.Server.PID, env.ProxyURL, time.Since(start).Round(time.Millisecond))

	tfrc := filepath.Join(os.TempDir(), "protectedmedia-acc.tfrc")
	if err := os.WriteFile(tfrc, nil, 0o600); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if err := env.SetProcessEnv(tfrc); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	guardLayer.SetPrincipal(env.Server.AccessKey, adminARN(env.Server.AccessKey))
	batchLayer.SetStore(batchops.S3Store(env.Direct))
	// SeaweedFS answers STS GetCallerIdentity on its S3 port: the guard's lock-out check asks it through the proxy.
	os.Setenv("AWS_ENDPOINT_URL_STS", env.ProxyURL)
	accEnv = env
	return m.Run()
}

// testAccPreCheck skips outside TF_ACC, as plugin-testing does, and fails loudly when the harness did not
// come up.
func testAccPreCheck(t *testing.T) {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance test: set TF_ACC=1 (make test does, and starts the S3 server)")
	}
	if accEnv == nil {
		t.Fatal("the acceptance harness is not running: run the tests through `make test` or `make testacc`")
	}
}

// bucketName returns a fresh, recognizable test bucket name.
func bucketName(t *testing.T, role string) string {
	t.Helper()
	b := make([]byte, 5)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return testBucketPrefix + role + "-" + hex.EncodeToString(b)
}

// The test MFA device. The proxy's MFA Delete layer checks codes against a frozen clock, so a code
// computed when the test case is built is still valid when Terraform sends it, however slow the run.
const testMFASerial = "arn:aws:iam::123456789012:mfa/root-account-mfa-device"

var (
	testMFASecret = []byte("protectedmedia-test-totp-secret")
	testMFATime   = time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	// mfaLayer adds AWS's MFA Delete semantics in front of SeaweedFS, which has none.
	mfaLayer = mfadelete.New(testMFASerial, testMFASecret, func() time.Time { return testMFATime })
)

// validMFACode is what the device shows; wrongMFACode is a well-formed code S3 would refuse.
func validMFACode() string { return mfadelete.Code(testMFASecret, testMFATime) }

func wrongMFACode() string {
	for d := 10 * time.Minute; ; d += time.Minute {
		if c := mfadelete.Code(testMFASecret, testMFATime.Add(d)); c != validMFACode() {
			return c
		}
	}
}

// appIdentity is a second, non-admin S3 user: the Django app's keys, which the guard must stop.
var appIdentity = locals3.Identity{Name: "app", AccessKey: "APPIDENTITYKEY000001", SecretKey: "app-identity-secret-key-for-tests"}

// guardLayer adds AWS's evaluation of the guard policy (an explicit Deny with ArnNotLike on
// aws:PrincipalArn), which SeaweedFS refuses to store.
var guardLayer = policyguard.New(map[string]string{appIdentity.AccessKey: "arn:aws:iam::000000000000:user/" + appIdentity.Name})

// seaweedAccount is the account in the ARNs SeaweedFS's STS gives its identities: the account the provider's
// credentials belong to, as far as the tests are concerned.
const seaweedAccount = "000000000000"

// proxyClient signs with the given keys and goes through the proxy, so it meets the proxy's semantics layers
// (MFA Delete, the guard, the AWS behaviours) as the provider does.
func proxyClient(ctx context.Context, accessKey, secretKey string) (*s3.Client, error) {
	c, err := s3api.New(ctx, s3api.Config{SkipBucketOwnerCheck: true,
		Endpoint: accEnv.ProxyURL, AccessKey: accessKey, SecretKey: secretKey, CABundle: accEnv.Server.CAFile,
	})
	if err != nil {
		return nil, err
	}
	return c.S3, nil
}

// adminARN is the principal ARN SeaweedFS gives the admin identity of a key.
func adminARN(accessKey string) string {
	return "arn:aws:iam::" + seaweedAccount + ":user/admin-" + accessKey[:8]
}

// awsLayer adds Amazon S3 behaviours SeaweedFS lacks (archived versions, public access blocks, bucket
// owners, system tags, default encryption, bucket namespaces, CORS, lifecycle transitions). Every behaviour
// but CORS and lifecycle transitions is off, and the layer forwards every request untouched, until a test
// switches one on; a test that does must switch it off again in t.Cleanup, since the layer is shared. Its
// account is the one STS names, as on AWS.
var awsLayer = newAWSLayer()

// newAWSLayer has CORS answered as on AWS for the whole run: it must see every bucket's CORS configuration
// written, and no test wants SeaweedFS's own answer (it lets every origin in whatever the bucket says).
// Lifecycle rules with noncurrent version transitions, which SeaweedFS refuses as not implemented, are
// accepted and read back as on AWS. Replication configurations, which SeaweedFS does not implement, are checked
// as S3 checks them (versioning on both buckets) and kept, which every refresh of a media bucket reads.
func newAWSLayer() *awsbehaviour.Layer {
	l := awsbehaviour.New(awsbehaviour.Options{Account: seaweedAccount})
	l.EnableCORS()
	l.StoreLifecycleTransitions()
	l.StoreReplication()
	// Object answers report SSE-KMS as AWS does (SeaweedFS leaves it out of copies, for one): the layer must
	// see every default encryption written.
	l.ReportObjectEncryption()
	return l
}

// checksumLayer makes the buckets a test hands it refuse uploads with the SDKs' default checksums, as
// Backblaze B2 does; it touches no other bucket.
var checksumLayer = checksumrefusal.New()

// batchLayer adds S3 Control's Batch Operations jobs, which SeaweedFS lacks, and runs them against the server
// itself; each status lasts batchStep, so an apply sees a job that has not ended yet.
var batchLayer = batchops.New(batchops.Options{Account: seaweedAccount, Step: batchStep})

const batchStep = 200 * time.Millisecond

// testenvOptions are the proxy's semantics layers for the acceptance tests. The guard comes before the AWS
// behaviours, as on AWS, where a request the policy denies is refused before anything looks at the object.
// The checksum refusal comes first: the modelled service refuses such a request before anything else.
func testenvOptions() []s3proxy.Option {
	return []s3proxy.Option{s3proxy.WithSemantics(s3proxy.Chain(checksumLayer.Semantics(), batchLayer.Semantics(),
		mfaLayer.Semantics(), guardLayer.Semantics(), awsLayer.Semantics()))}
}

// pairTest runs steps against the pair in cfg with the harness's provider, and checks at the end that
// both of its buckets are gone.
func pairTest(t *testing.T, cfg pairConfig, steps []resource.TestStep) {
	t.Helper()
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		CheckDestroy:             checkBucketsGone(cfg.Media, cfg.Static),
		Steps:                    steps,
	})
}
