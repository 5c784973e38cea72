package s3api_test

// The pair operations against a real SeaweedFS, through the test proxy with AWS's MFA Delete semantics in
// front: what the provider's Create, Update and Delete do, without Terraform. Skipped unless
// PROTECTEDMEDIA_WEED names a weed binary (make test sets it).

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"maps"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/bucketname"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/bucketstate"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/s3api"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/testsupport/fakeclock"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/testsupport/s3proxy"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/testsupport/s3proxy/awsbehaviour"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/testsupport/s3proxy/mfadelete"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/testsupport/testenv"
)

const (
	// seaweedAccount is the account in the ARNs SeaweedFS's STS gives its identities.
	seaweedAccount = "000000000000"
	pairMFASerial  = "arn:aws:iam::123456789012:mfa/root-account-mfa-device"
	pairRegion     = "us-east-1"
)

var (
	pairMFASecret = []byte("protectedmedia-pair-test-secret")
	// The layer checks codes against this frozen time, so a code stays valid however slow the run.
	pairMFATime = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
)

// pairBench is SeaweedFS behind the proxy with the MFA Delete layer, a client through the proxy (as the
// provider's) and one straight to SeaweedFS (for setting up and checking).
type pairBench struct {
	env    *testenv.Env
	layer  *mfadelete.Layer
	aws    *awsbehaviour.Layer
	clock  *fakeclock.Clock // the MFA layer's: codes and its propagation window
	client *s3.Client
}

func startPairBench(t *testing.T) *pairBench {
	t.Helper()
	if os.Getenv(testenv.WeedEnv) == "" {
		t.Skip(testenv.WeedEnv + " is not set; set it to a weed binary (scripts/ensure-seaweedfs.sh prints one)")
	}
	s3api.IsolateAWS(t)
	ctx := t.Context()
	clock := fakeclock.New(pairMFATime)
	layer := mfadelete.New(pairMFASerial, pairMFASecret, clock.Now)
	// The AWS behaviours run on real time: their windows are waited out by the operations' own retries.
	aws := awsbehaviour.New(awsbehaviour.Options{Account: seaweedAccount})
	env, err := testenv.Start(ctx, s3proxy.WithSemantics(s3proxy.Chain(layer.Semantics(), aws.Semantics())))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(env.Stop)
	// As the provider's: every request names the expected bucket owner, the account STS gives.
	t.Setenv("AWS_ENDPOINT_URL_STS", env.ProxyURL)
	c, err := s3api.New(ctx, s3api.Config{Endpoint: env.ProxyURL, AccessKey: env.Server.AccessKey, SecretKey: env.Server.SecretKey, CABundle: env.Server.CAFile})
	if err != nil {
		t.Fatal(err)
	}
	return &pairBench{env: env, layer: layer, aws: aws, clock: clock, client: c.S3}
}

func (b *pairBench) validMFA() s3api.MFA {
	return s3api.MFA{Serial: pairMFASerial, Code: mfadelete.Code(pairMFASecret, b.clock.Now())}
}

func (b *pairBench) wrongMFA() s3api.MFA {
	valid := b.validMFA().Code
	for d := 10 * time.Minute; ; d += time.Minute {
		if c := mfadelete.Code(pairMFASecret, b.clock.Now().Add(d)); c != valid {
			return s3api.MFA{Serial: pairMFASerial, Code: c}
		}
	}
}

// newSpec is a fresh pair with the provider's defaults.
func newSpec(t *testing.T) s3api.PairSpec {
	t.Helper()
	b := make([]byte, 4)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	suffix := hex.EncodeToString(b)
	return specOf("pm-pair-media-"+suffix, "pm-pair-static-"+suffix, false, bucketstate.Retention{AbortIncompleteDays: 7})
}

func specOf(media, static string, mfaDelete bool, r bucketstate.Retention) s3api.PairSpec {
	return s3api.PairSpec{
		Region: pairRegion,
		Media:  bucketstate.MediaDesired(media, bucketstate.BucketARN(s3api.PartitionOf(pairRegion).ID, media), mfaDelete, map[string]string{"app": "test"}, r, nil),
		Static: bucketstate.StaticDesired(static, bucketstate.BucketARN(s3api.PartitionOf(pairRegion).ID, static), false, map[string]string{"app": "test"}, r),
	}
}

// drift reads the pair straight from SeaweedFS (past the proxy and its layer, except MFA Delete, which
// only the layer knows) and lists what differs from spec.
func (b *pairBench) drift(t *testing.T, spec s3api.PairSpec) []string {
	t.Helper()
	o, err := s3api.ObservePair(t.Context(), b.env.Direct, spec.Media.Bucket, spec.Static.Bucket)
	if err != nil {
		t.Fatal(err)
	}
	if o.Media != nil {
		o.Media.MFADelete = b.layer.Enabled(spec.Media.Bucket)
	}
	return bucketstate.Strings(spec.Drift(o))
}

func (b *pairBench) exists(t *testing.T, bucket string) bool {
	t.Helper()
	e, err := s3api.FindExistence(t.Context(), b.env.Direct, bucket)
	if err != nil {
		t.Fatal(err)
	}
	return e == s3api.OwnedByCaller
}

func (b *pairBench) put(t *testing.T, bucket, key, body string) {
	t.Helper()
	if _, err := b.env.Direct.PutObject(t.Context(), &s3.PutObjectInput{Bucket: &bucket, Key: &key, Body: strings.NewReader(body)}); err != nil {
		t.Fatal(err)
	}
}

// logLines collects what an operation logs; the operations log from both buckets' goroutines at once.
type logLines struct {
	mu    sync.Mutex
	lines []string
}

func (l *logLines) Info(msg string, _ map[string]any) { l.add("info: " + msg) }
func (l *logLines) Warn(msg string, _ map[string]any) { l.add("warn: " + msg) }

func (l *logLines) add(line string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, line)
}

func (l *logLines) all() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.lines)
}

func TestPairOperationsAgainstSeaweedFS(t *testing.T) {
	b := startPairBench(t)
	t.Run("create", b.testCreate)
	t.Run("create refuses an existing name", b.testCreateExistingName)
	t.Run("create stops part way", b.testCreatePartial)
	t.Run("create with MFA Delete needs a code", b.testCreateMFA)
	t.Run("repair", b.testRepair)
	t.Run("MFA Delete goes first and alone", b.testRepairMFAFirst)
	t.Run("destroy", b.testDestroy)
	t.Run("destroy under MFA Delete", b.testDestroyMFA)
	t.Run("a refusal without a code names its causes", b.testAccessDenied)
}

// The AWS behaviours the pair operations wait out or refuse before they start.
func TestPairOperationsMeetAWSBehaviour(t *testing.T) {
	b := startPairBench(t)
	t.Run("public policy while the public access block propagates", b.testPublicPolicyLag)
	t.Run("MFA Delete while the lifecycle removal propagates", b.testMFAAfterLifecycle)
	t.Run("lifecycle while the MFA Delete removal propagates", b.testLifecycleAfterMFA)
	t.Run("force destroy under MFA Delete: one code, one request", b.testDestroyMFAOneRequest)
	t.Run("default encryption as AWS reports it", b.testEncryption)
	t.Run("names taken elsewhere and buckets of other accounts", b.testNamesAndOwners)
	t.Run("system tags are kept and never drift", b.testSystemTags)
	t.Run("the account regional namespace", b.testAccountRegionalNamespace)
	t.Run("a create trusting AWS's defaults writes what the server lacks", b.testCreateDefaults)
	t.Run("CORS read back as it was right after the repair", b.testCORSStaleRead)
	t.Run("a bucket's settings written at once on AWS", b.testConcurrentWrites) // last: its behaviour stays on
}

// With ConcurrentWrites (on AWS), a create writes each bucket's settings at once but for the orders S3
// requires: its critical path is the name check, CreateBucket, HeadBucket, two rounds of writes (the policy
// after the public access block, ownership and versioning) and the three confirming reads; and no write
// overlaps one AWS answers OperationAborted to.
func (b *pairBench) testConcurrentWrites(t *testing.T) {
	ctx := t.Context()
	b.aws.KeepConfigurationsApart()
	refused := b.aws.Refusals()
	slow := b.env.Proxy.Inject(s3proxy.Fault{Latency: 40 * time.Millisecond}) // a round trip: calls at once overlap
	defer slow.Remove()
	path := map[bool]int{}
	for _, concurrent := range []bool{false, true} {
		spec := newSpec(t)
		b.env.Proxy.StartTrace()
		observed, err := s3api.CreatePair(ctx, b.client, spec, s3api.PairOptions{ConcurrentWrites: concurrent})
		trace := b.env.Proxy.StopTrace()
		if err != nil {
			t.Fatalf("create (concurrent writes %t): %v", concurrent, err)
		}
		if left := spec.Drift(observed); len(left) > 0 {
			t.Fatalf("after create (concurrent writes %t): %v", concurrent, bucketstate.Strings(left))
		}
		destroy(t, b, spec)
		path[concurrent] = s3proxy.CriticalPath(trace)
	}
	t.Logf("round trips on the create's critical path: %d one after another, %d at once", path[false], path[true])
	if n := b.aws.Refusals() - refused; n > 0 {
		t.Errorf("%d writes refused (OperationAborted): a write overlapped one AWS refuses to overlap", n)
	}
	if path[true] > 9 || path[true] >= path[false] {
		t.Errorf("critical path with concurrent writes %d round trips (one after another: %d), want at most 9: "+
			"names, CreateBucket, HeadBucket, two rounds of writes, three reads", path[true], path[false])
	}
}

// staleRead makes the read of op on bucket that follows a repair's first read answer what AWS may still
// answer right after a write: the configuration as it was, here none (S3's not-found code), once.
func (b *pairBench) staleRead(op, bucket, code string) *s3proxy.Injection {
	return b.env.Proxy.Inject(s3proxy.Fault{Operation: op, Bucket: bucket, Status: http.StatusNotFound, Code: code, Skip: 1, Times: 1})
}

// checkStaleReadWaitedOut checks, after a repair that counts began just before, that it read past a stale
// answer: the first pair read, the stale one, then DefaultConvergeReads in a row, each sending read once
// per bucket that has the setting read (buckets); and wrote once, since a read that lags is no reason to
// write again.
func (b *pairBench) checkStaleReadWaitedOut(t *testing.T, stale *s3proxy.Injection, read, write string, buckets int) {
	t.Helper()
	if stale.Hits() != 1 {
		t.Fatalf("the stale %s answer never fired", read)
	}
	if got, want := b.env.Proxy.Count(read), buckets*(2+s3api.DefaultConvergeReads); got != want {
		t.Errorf("%s sent %d times, want %d: the first pair read, the stale one, and %d in a row, on %d bucket(s)",
			read, got, want, s3api.DefaultConvergeReads, buckets)
	}
	if got := b.env.Proxy.Count(write); got != 1 {
		t.Errorf("%s sent %d times, want once", write, got)
	}
}

func (b *pairBench) testCORSStaleRead(t *testing.T) {
	ctx := t.Context()
	spec := newSpec(t)
	spec.Static.CORS = bucketstate.DefaultStaticCORS()
	if _, err := s3api.CreatePair(ctx, b.client, spec, s3api.PairOptions{}); err != nil {
		t.Fatal(err)
	}
	defer destroy(t, b, spec)
	if _, err := b.env.Direct.DeleteBucketCors(ctx, &s3.DeleteBucketCorsInput{Bucket: aws.String(spec.Static.Bucket)}); err != nil {
		t.Fatal(err)
	}
	if got := b.drift(t, spec); len(got) != 1 || !strings.Contains(got[0], "CORS is absent") {
		t.Fatalf("drift %q, want the missing CORS configuration", got)
	}
	stale := b.staleRead("GetBucketCors", spec.Static.Bucket, "NoSuchCORSConfiguration")
	b.env.Proxy.ResetCounts()
	observed, err := s3api.RepairPair(ctx, b.client, spec, s3api.PairOptions{})
	if err != nil {
		t.Fatal(err)
	}
	b.checkStaleReadWaitedOut(t, stale, "GetBucketCors", "PutBucketCors", 2)
	if !bucketstate.CORSEqual(observed.Static.CORS, spec.Static.CORS) || len(observed.Media.CORS) > 0 {
		t.Errorf("observed static CORS %+v, media %+v; want the default rule on static only", observed.Static.CORS, observed.Media.CORS)
	}
	if left := b.drift(t, spec); len(left) > 0 {
		t.Fatalf("after the repair: %v", left)
	}
}

func (b *pairBench) testCreate(t *testing.T) {
	ctx := t.Context()
	spec := newSpec(t)
	var log logLines
	b.env.Proxy.ResetCounts()
	observed, err := s3api.CreatePair(ctx, b.client, spec, s3api.PairOptions{Log: &log})
	if err != nil {
		t.Fatal(err)
	}
	if left := spec.Drift(observed); len(left) > 0 {
		t.Fatalf("the returned read shows drift: %v", bucketstate.Strings(left))
	}
	if left := b.drift(t, spec); len(left) > 0 {
		t.Fatalf("the buckets differ from the spec: %v", left)
	}
	if observed.Static.Versioning != bucketstate.VersioningDisabled {
		t.Errorf("static versioning %q: a new static bucket is never versioned", observed.Static.Versioning)
	}
	// Converged means several reads in a row: every setting was read DefaultConvergeReads times per bucket.
	if got := b.env.Proxy.Count("GetBucketVersioning"); got != 2*s3api.DefaultConvergeReads {
		t.Errorf("GetBucketVersioning sent %d times while converging, want %d (reads in a row x 2 buckets)", got, 2*s3api.DefaultConvergeReads)
	}
	if want := []string{"info: created bucket", "info: created bucket"}; !slices.Equal(log.all(), want) {
		t.Errorf("log %q, want %q", log.all(), want)
	}
	destroy(t, b, spec)
}

func (b *pairBench) testCreateExistingName(t *testing.T) {
	ctx := t.Context()
	spec := newSpec(t)
	if _, err := b.env.Direct.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(spec.Static.Bucket)}); err != nil {
		t.Fatal(err)
	}
	_, err := s3api.CreatePair(ctx, b.client, spec, s3api.PairOptions{})
	var nameErr *s3api.NameCheckError
	if !errors.As(err, &nameErr) || nameErr.Role != bucketstate.Static || nameErr.Existence != s3api.OwnedByCaller {
		t.Fatalf("create over an existing static bucket: %v, want a *NameCheckError for static, owned by the caller", err)
	}
	var partial *s3api.PartialCreateError
	if errors.As(err, &partial) || b.exists(t, spec.Media.Bucket) {
		t.Fatal("the media bucket was created although the static name was taken")
	}
	if _, err := b.env.Direct.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String(spec.Static.Bucket)}); err != nil {
		t.Fatal(err)
	}
}

func (b *pairBench) testCreatePartial(t *testing.T) {
	ctx := t.Context()
	spec := newSpec(t)
	fault := b.env.Proxy.Inject(s3proxy.Fault{Operation: "CreateBucket", Bucket: spec.Static.Bucket, Status: http.StatusForbidden, Code: "AccessDenied"})
	_, err := s3api.CreatePair(ctx, b.client, spec, s3api.PairOptions{})
	fault.Remove()
	var partial *s3api.PartialCreateError
	if !errors.As(err, &partial) || !slices.Equal(partial.Created, []string{spec.Media.Bucket}) || partial.Step != "creating the static bucket" {
		t.Fatalf("create with the static bucket refused: %v, want a *PartialCreateError naming the media bucket", err)
	}
	if fault.Hits() != 1 || !b.exists(t, spec.Media.Bucket) || b.exists(t, spec.Static.Bucket) {
		t.Fatalf("fault hits %d; media exists %t, static exists %t", fault.Hits(), b.exists(t, spec.Media.Bucket), b.exists(t, spec.Static.Bucket))
	}
	// Repair finishes the job: it creates the missing bucket and configures both.
	if _, err := s3api.RepairPair(ctx, b.client, spec, s3api.PairOptions{}); err != nil {
		t.Fatal(err)
	}
	if left := b.drift(t, spec); len(left) > 0 {
		t.Fatalf("after repair: %v", left)
	}
	destroy(t, b, spec)
}

func (b *pairBench) testCreateMFA(t *testing.T) {
	ctx := t.Context()
	spec := newSpec(t)
	spec = specOf(spec.Media.Bucket, spec.Static.Bucket, true, bucketstate.Retention{AbortIncompleteDays: 7})
	_, err := s3api.CreatePair(ctx, b.client, spec, s3api.PairOptions{MFA: s3api.MFA{Serial: pairMFASerial}})
	var mfaErr *s3api.MFACodeRequiredError
	if !errors.As(err, &mfaErr) || mfaErr.Op != s3api.OpCreate {
		t.Fatalf("create with MFA Delete and no code: %v, want *MFACodeRequiredError", err)
	}
	if b.exists(t, spec.Media.Bucket) || b.exists(t, spec.Static.Bucket) {
		t.Fatal("a bucket was created although the code was missing")
	}
	if _, err := s3api.CreatePair(ctx, b.client, spec, s3api.PairOptions{MFA: b.validMFA()}); err != nil {
		t.Fatal(err)
	}
	if !b.layer.Enabled(spec.Media.Bucket) || b.layer.Enabled(spec.Static.Bucket) {
		t.Fatal("MFA Delete must be on for media only")
	}
	if left := b.drift(t, spec); len(left) > 0 {
		t.Fatalf("after create: %v", left)
	}
	destroyMFA(t, b, spec)
}

func (b *pairBench) testRepair(t *testing.T) {
	ctx := t.Context()
	spec := newSpec(t)
	if _, err := s3api.CreatePair(ctx, b.client, spec, s3api.PairOptions{}); err != nil {
		t.Fatal(err)
	}
	// Out of band: media versioning suspended, static encryption removed and static tags changed.
	d := b.env.Direct
	_, err := d.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String(spec.Media.Bucket),
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusSuspended}})
	if err == nil {
		_, err = d.DeleteBucketEncryption(ctx, &s3.DeleteBucketEncryptionInput{Bucket: aws.String(spec.Static.Bucket)})
	}
	if err == nil {
		_, err = d.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: aws.String(spec.Static.Bucket),
			Tagging: &types.Tagging{TagSet: []types.Tag{{Key: aws.String("app"), Value: aws.String("other")}}}})
	}
	if err != nil {
		t.Fatal(err)
	}
	if got := len(b.drift(t, spec)); got != 3 {
		t.Fatalf("set-up made %d drifts, want 3: %v", got, b.drift(t, spec))
	}
	var log logLines
	observed, err := s3api.RepairPair(ctx, b.client, spec, s3api.PairOptions{Log: &log})
	if err != nil {
		t.Fatal(err)
	}
	if left := b.drift(t, spec); len(left) > 0 || len(spec.Drift(observed)) > 0 {
		t.Fatalf("after repair: %v", left)
	}
	if n := len(slices.DeleteFunc(log.all(), func(l string) bool { return l != "info: repairing drift" })); n != 3 {
		t.Errorf("logged %d repairs, want one per drift (3): %q", n, log.all())
	}

	// A bucket deleted out of band is created again.
	destroyBucket(t, b, spec.Static.Bucket)
	log = logLines{}
	if _, err := s3api.RepairPair(ctx, b.client, spec, s3api.PairOptions{Log: &log}); err != nil {
		t.Fatal(err)
	}
	if left := b.drift(t, spec); len(left) > 0 {
		t.Fatalf("after recreating the static bucket: %v", left)
	}
	if !slices.Contains(log.all(), "warn: recreated a bucket deleted outside Terraform") {
		t.Errorf("the re-creation was not logged as a warning: %q", log.all())
	}
	destroy(t, b, spec)
}

// Turning MFA Delete on needs the bucket's lifecycle configuration gone first; when the guarded write is
// refused, the lifecycle configuration comes back and the static bucket is left as it was.
func (b *pairBench) testRepairMFAFirst(t *testing.T) {
	ctx := t.Context()
	plain := newSpec(t)
	withRetention := specOf(plain.Media.Bucket, plain.Static.Bucket, false, bucketstate.Retention{NoncurrentDays: 30, AbortIncompleteDays: 7})
	if _, err := s3api.CreatePair(ctx, b.client, withRetention, s3api.PairOptions{}); err != nil {
		t.Fatal(err)
	}
	withMFA := specOf(plain.Media.Bucket, plain.Static.Bucket, true, bucketstate.Retention{AbortIncompleteDays: 7})
	withMFA.Static.Tags = map[string]string{"app": "changed"} // a static change in the same apply

	_, err := s3api.RepairPair(ctx, b.client, withMFA, s3api.PairOptions{})
	var mfaErr *s3api.MFACodeRequiredError
	if !errors.As(err, &mfaErr) || mfaErr.Op != s3api.OpUpdate || !strings.Contains(mfaErr.Change, "MFA Delete") {
		t.Fatalf("turning MFA Delete on without a code: %v, want *MFACodeRequiredError", err)
	}
	if left := b.drift(t, withRetention); len(left) > 0 {
		t.Fatalf("a refused repair changed the buckets: %v", left)
	}

	_, err = s3api.RepairPair(ctx, b.client, withMFA, s3api.PairOptions{MFA: b.wrongMFA()})
	if err == nil {
		t.Fatal("a wrong code was accepted")
	}
	if left := b.drift(t, withRetention); len(left) > 0 {
		t.Fatalf("after the refused code the pair is not as it was (lifecycle put back, static untouched): %v", left)
	}

	if _, err := s3api.RepairPair(ctx, b.client, withMFA, s3api.PairOptions{MFA: b.validMFA()}); err != nil {
		t.Fatal(err)
	}
	if left := b.drift(t, withMFA); len(left) > 0 {
		t.Fatalf("after the valid code: %v", left)
	}
	destroyMFA(t, b, withMFA)
}

func (b *pairBench) testDestroy(t *testing.T) {
	ctx := t.Context()
	spec := newSpec(t)
	if _, err := s3api.CreatePair(ctx, b.client, spec, s3api.PairOptions{}); err != nil {
		t.Fatal(err)
	}
	b.put(t, spec.Media.Bucket, "uploads/a.jpg", "1")
	b.put(t, spec.Media.Bucket, "uploads/a.jpg", "2")
	b.put(t, spec.Static.Bucket, "css/site.css", "body{}")

	_, err := s3api.DestroyPair(ctx, b.client, spec.Media.Bucket, spec.Static.Bucket, false, s3api.PairOptions{})
	var notEmpty *s3api.MediaNotEmptyError
	if !errors.As(err, &notEmpty) || notEmpty.Contents != (s3api.Contents{Objects: 1, Versions: 2}) {
		t.Fatalf("destroy of a non-empty media bucket: %v, want *MediaNotEmptyError with 1 object, 2 versions", err)
	}
	if !b.exists(t, spec.Media.Bucket) || !b.exists(t, spec.Static.Bucket) {
		t.Fatal("a refused destroy deleted a bucket")
	}

	r, err := s3api.DestroyPair(ctx, b.client, spec.Media.Bucket, spec.Static.Bucket, true, s3api.PairOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if r.MediaVersions != 2 || r.StaticVersions != 1 || b.exists(t, spec.Media.Bucket) || b.exists(t, spec.Static.Bucket) {
		t.Fatalf("force destroy: report %+v; media exists %t, static exists %t", r, b.exists(t, spec.Media.Bucket), b.exists(t, spec.Static.Bucket))
	}
	// Destroying what is already gone succeeds.
	if r, err := s3api.DestroyPair(ctx, b.client, spec.Media.Bucket, spec.Static.Bucket, false, s3api.PairOptions{}); err != nil || !r.MediaGone {
		t.Fatalf("destroy of a gone pair: %+v, %v", r, err)
	}
}

func (b *pairBench) testDestroyMFA(t *testing.T) {
	ctx := t.Context()
	plain := newSpec(t)
	spec := specOf(plain.Media.Bucket, plain.Static.Bucket, true, bucketstate.Retention{AbortIncompleteDays: 7})
	if _, err := s3api.CreatePair(ctx, b.client, spec, s3api.PairOptions{MFA: b.validMFA()}); err != nil {
		t.Fatal(err)
	}
	b.put(t, spec.Media.Bucket, "uploads/a.jpg", "1")
	b.put(t, spec.Static.Bucket, "css/site.css", "body{}")
	_, err := s3api.DestroyPair(ctx, b.client, spec.Media.Bucket, spec.Static.Bucket, true, s3api.PairOptions{})
	var mfaErr *s3api.MFACodeRequiredError
	if !errors.As(err, &mfaErr) || mfaErr.Op != s3api.OpDelete {
		t.Fatalf("force destroy under MFA Delete without a code: %v, want *MFACodeRequiredError", err)
	}
	if !b.exists(t, spec.Static.Bucket) {
		t.Fatal("the static bucket was deleted although the media side was refused")
	}
	if _, err := s3api.DestroyPair(ctx, b.client, spec.Media.Bucket, spec.Static.Bucket, true, s3api.PairOptions{MFA: b.validMFA()}); err != nil {
		t.Fatal(err)
	}
	if b.exists(t, spec.Media.Bucket) || b.exists(t, spec.Static.Bucket) {
		t.Fatal("buckets left after force destroy with a code")
	}
}

func destroy(t *testing.T, b *pairBench, spec s3api.PairSpec) {
	t.Helper()
	if _, err := s3api.DestroyPair(t.Context(), b.client, spec.Media.Bucket, spec.Static.Bucket, true, s3api.PairOptions{}); err != nil {
		t.Fatal(err)
	}
}

func destroyMFA(t *testing.T, b *pairBench, spec s3api.PairSpec) {
	t.Helper()
	if _, err := s3api.DestroyPair(t.Context(), b.client, spec.Media.Bucket, spec.Static.Bucket, true, s3api.PairOptions{MFA: b.validMFA()}); err != nil {
		t.Fatal(err)
	}
}

func destroyBucket(t *testing.T, b *pairBench, bucket string) {
	t.Helper()
	ctx := t.Context()
	if _, err := s3api.EmptyBucket(ctx, b.env.Direct, bucket, s3api.MFA{}); err != nil {
		t.Fatal(err)
	}
	if err := s3api.DeleteBucket(ctx, b.env.Direct, bucket); err != nil {
		t.Fatal(err)
	}
}

func (b *pairBench) testAccessDenied(t *testing.T) {
	ctx := t.Context()
	spec := newSpec(t)
	if _, err := s3api.CreatePair(ctx, b.client, spec, s3api.PairOptions{}); err != nil {
		t.Fatal(err)
	}
	defer destroy(t, b, spec)
	changed := spec
	changed.Static.Tags = map[string]string{"app": "renamed"}
	denied := b.env.Proxy.Inject(s3proxy.Fault{Operation: "PutBucketTagging", Bucket: spec.Static.Bucket, Status: http.StatusForbidden, Code: "AccessDenied"})
	defer denied.Remove()
	_, err := s3api.RepairPair(ctx, b.client, changed, s3api.PairOptions{})
	var accessDenied *s3api.AccessDeniedError
	if !errors.As(err, &accessDenied) || accessDenied.Operation != "PutBucketTagging" || accessDenied.Bucket != spec.Static.Bucket {
		t.Fatalf("a tags write refused without a code: %v, want an *AccessDeniedError naming PutBucketTagging and the bucket", err)
	}
	if strings.Contains(err.Error(), "one-time code") || !strings.Contains(err.Error(), "IAM policies") {
		t.Fatalf("the refusal speaks of MFA or not of IAM: %v", err)
	}
}

func (b *pairBench) testPublicPolicyLag(t *testing.T) {
	ctx := t.Context()
	const lag = 2 * time.Second
	b.aws.EnforceBlockPublicPolicy(lag)
	spec := newSpec(t)
	if _, err := s3api.CreatePair(ctx, b.client, spec, s3api.PairOptions{}); err != nil {
		t.Fatal(err)
	}
	defer destroy(t, b, spec)
	public := specOf(spec.Media.Bucket, spec.Static.Bucket, false, bucketstate.Retention{AbortIncompleteDays: 7})
	public.Static = bucketstate.StaticDesired(spec.Static.Bucket, bucketstate.BucketARN(s3api.PartitionOf(pairRegion).ID, spec.Static.Bucket), true, map[string]string{"app": "test"}, bucketstate.Retention{AbortIncompleteDays: 7})
	var log logLines
	start := time.Now()
	if _, err := s3api.RepairPair(ctx, b.client, public, s3api.PairOptions{Log: &log}); err != nil {
		t.Fatalf("making static public while S3 still applies the relaxed block: %v", err)
	}
	if took := time.Since(start); took < lag {
		t.Errorf("the public policy was accepted after %s, inside the %s window: the layer did not refuse it", took, lag)
	}
	if b.aws.Refusals() == 0 || !slices.ContainsFunc(log.all(), func(l string) bool { return strings.HasPrefix(l, "warn: S3 refused a write") }) {
		t.Errorf("no refusal was met or logged (layer refusals %d, log %q)", b.aws.Refusals(), log.all())
	}
	if left := b.drift(t, public); len(left) > 0 {
		t.Fatalf("after repair: %v", left)
	}
}

// moveClockPastWindow advances the MFA layer's clock past its propagation window once the layer has
// refused a request, as time would while the operation retries.
func (b *pairBench) moveClockPastWindow(t *testing.T, window time.Duration) (stop func()) {
	t.Helper()
	refusedBefore := b.layer.Refusals()
	done := make(chan struct{})
	go func() {
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				if b.layer.Refusals() > refusedBefore {
					b.clock.Advance(window + time.Second)
					return
				}
			}
		}
	}()
	return func() { close(done) }
}

func (b *pairBench) testMFAAfterLifecycle(t *testing.T) {
	ctx := t.Context()
	const window = 3 * time.Second
	b.layer.SetLifecyclePropagation(window)
	defer b.layer.SetLifecyclePropagation(0)
	b.clock.Set(pairMFATime) // 12:00:00: the code stays valid while the clock moves a few seconds
	plain := newSpec(t)
	withRetention := specOf(plain.Media.Bucket, plain.Static.Bucket, false, bucketstate.Retention{NoncurrentDays: 30, AbortIncompleteDays: 7})
	if _, err := s3api.CreatePair(ctx, b.client, withRetention, s3api.PairOptions{}); err != nil {
		t.Fatal(err)
	}
	withMFA := specOf(plain.Media.Bucket, plain.Static.Bucket, true, bucketstate.Retention{AbortIncompleteDays: 7})
	mfa := b.validMFA()
	stop := b.moveClockPastWindow(t, window)
	defer stop()
	var log logLines
	if _, err := s3api.RepairPair(ctx, b.client, withMFA, s3api.PairOptions{MFA: mfa, Log: &log}); err != nil {
		t.Fatalf("turning MFA Delete on right after removing the lifecycle configuration: %v", err)
	}
	if !slices.ContainsFunc(log.all(), func(l string) bool { return strings.HasPrefix(l, "warn: S3 refused a write") }) {
		t.Errorf("the InvalidBucketState retry was not met or not logged: %q", log.all())
	}
	if left := b.drift(t, withMFA); len(left) > 0 {
		t.Fatalf("after repair: %v", left)
	}
	destroyMFA(t, b, withMFA)
}

func (b *pairBench) testLifecycleAfterMFA(t *testing.T) {
	ctx := t.Context()
	const window = 3 * time.Second
	b.clock.Set(pairMFATime)
	plain := newSpec(t)
	withMFA := specOf(plain.Media.Bucket, plain.Static.Bucket, true, bucketstate.Retention{AbortIncompleteDays: 7})
	if _, err := s3api.CreatePair(ctx, b.client, withMFA, s3api.PairOptions{MFA: b.validMFA()}); err != nil {
		t.Fatal(err)
	}
	b.layer.SetLifecyclePropagation(window)
	defer b.layer.SetLifecyclePropagation(0)
	withRetention := specOf(plain.Media.Bucket, plain.Static.Bucket, false, bucketstate.Retention{NoncurrentDays: 30, AbortIncompleteDays: 7})
	stop := b.moveClockPastWindow(t, window)
	defer stop()
	if _, err := s3api.RepairPair(ctx, b.client, withRetention, s3api.PairOptions{MFA: b.validMFA()}); err != nil {
		t.Fatalf("writing lifecycle rules right after turning MFA Delete off: %v", err)
	}
	if left := b.drift(t, withRetention); len(left) > 0 {
		t.Fatalf("after repair: %v", left)
	}
	destroy(t, b, withRetention)
}

func (b *pairBench) testDestroyMFAOneRequest(t *testing.T) {
	ctx := t.Context()
	b.layer.SetSingleUseCodes(true)
	defer b.layer.SetSingleUseCodes(false)
	b.clock.Set(pairMFATime.Add(time.Hour)) // a step whose code was never used
	plain := newSpec(t)
	spec := specOf(plain.Media.Bucket, plain.Static.Bucket, true, bucketstate.Retention{AbortIncompleteDays: 7})
	if _, err := s3api.CreatePair(ctx, b.client, spec, s3api.PairOptions{MFA: b.validMFA()}); err != nil {
		t.Fatal(err)
	}
	b.put(t, spec.Static.Bucket, "css/site.css", "body{}")
	// More versions than one DeleteObjects request takes.
	var wg sync.WaitGroup
	sem := make(chan struct{}, 32)
	for i := range 1001 {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			b.put(t, spec.Media.Bucket, "uploads/many.txt", strconv.Itoa(i))
		})
	}
	wg.Wait()
	b.clock.Advance(time.Minute)
	_, err := s3api.DestroyPair(ctx, b.client, spec.Media.Bucket, spec.Static.Bucket, true, s3api.PairOptions{MFA: b.validMFA()})
	var tooLarge *s3api.MFADestroyTooLargeError
	if !errors.As(err, &tooLarge) || tooLarge.Entries != 1001 {
		t.Fatalf("force destroy of 1001 versions under MFA Delete: %v, want *MFADestroyTooLargeError with 1001 entries", err)
	}
	if !b.exists(t, spec.Static.Bucket) {
		t.Fatal("the static bucket was deleted although the media side was refused")
	}
	n, err := s3api.CountContents(ctx, b.env.Direct, spec.Media.Bucket)
	if err != nil || n.Versions != 1001 {
		t.Fatalf("media after the refused destroy: %+v, %v; want every version kept", n, err)
	}

	// The way out: MFA Delete off with one code, then a destroy without one.
	b.clock.Advance(time.Minute)
	plainAgain := specOf(plain.Media.Bucket, plain.Static.Bucket, false, bucketstate.Retention{AbortIncompleteDays: 7})
	if _, err := s3api.RepairPair(ctx, b.client, plainAgain, s3api.PairOptions{MFA: b.validMFA()}); err != nil {
		t.Fatal(err)
	}
	if _, err := s3api.DestroyPair(ctx, b.client, spec.Media.Bucket, spec.Static.Bucket, true, s3api.PairOptions{}); err != nil {
		t.Fatalf("destroy after MFA Delete was turned off: %v", err)
	}

	// A media bucket that fits one request is emptied with the one code, before the static bucket goes.
	small := newSpec(t)
	small = specOf(small.Media.Bucket, small.Static.Bucket, true, bucketstate.Retention{AbortIncompleteDays: 7})
	b.clock.Advance(time.Minute)
	if _, err := s3api.CreatePair(ctx, b.client, small, s3api.PairOptions{MFA: b.validMFA()}); err != nil {
		t.Fatal(err)
	}
	b.put(t, small.Media.Bucket, "uploads/a.jpg", "1")
	b.put(t, small.Media.Bucket, "uploads/a.jpg", "2")
	b.put(t, small.Static.Bucket, "css/site.css", "body{}")
	b.clock.Advance(time.Minute)
	r, err := s3api.DestroyPair(ctx, b.client, small.Media.Bucket, small.Static.Bucket, true, s3api.PairOptions{MFA: b.validMFA()})
	if err != nil || r.MediaVersions != 2 || b.exists(t, small.Media.Bucket) || b.exists(t, small.Static.Bucket) {
		t.Fatalf("force destroy under MFA Delete with single-use codes: %+v, %v", r, err)
	}
}

// The account's Block Public Access, through S3 Control, once per client.
func TestFindAccountBlock(t *testing.T) {
	b := startPairBench(t)
	newClient := func(t *testing.T, control bool) *s3api.Client {
		t.Helper()
		t.Setenv("AWS_ENDPOINT_URL_STS", b.env.ProxyURL) // SeaweedFS answers GetCallerIdentity on its S3 port
		if control {
			t.Setenv(s3api.AccountBlockEndpointEnv, b.env.ProxyURL)
		}
		c, err := s3api.New(t.Context(), s3api.Config{Endpoint: b.env.ProxyURL, AccessKey: b.env.Server.AccessKey, SecretKey: b.env.Server.SecretKey, CABundle: b.env.Server.CAFile})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	t.Run("S3-compatible endpoint without S3 Control", func(t *testing.T) {
		got, err := s3api.FindAccountBlock(newClient(t, false))
		if err != nil || !got.NotApplicable {
			t.Fatalf("FindAccountBlock = %+v, %v; want not applicable, nothing asked", got, err)
		}
	})
	t.Run("no account block", func(t *testing.T) {
		b.aws.SetAccountPublicAccessBlock(nil)
		got, err := s3api.FindAccountBlock(newClient(t, true))
		if err != nil || got.NotApplicable || got.Block != nil || got.Account != seaweedAccount {
			t.Fatalf("FindAccountBlock = %+v, %v; want account %s without a block", got, err, seaweedAccount)
		}
	})
	t.Run("blocking public policies", func(t *testing.T) {
		b.aws.SetAccountPublicAccessBlock(&awsbehaviour.PublicAccessBlock{BlockPublicAcls: true, BlockPublicPolicy: true})
		c := newClient(t, true)
		got, err := s3api.FindAccountBlock(c)
		if err != nil || got.Block == nil || !got.Block.BlockPublicPolicy || got.Block.RestrictPublicBuckets || !got.Block.BlockPublicAcls {
			t.Fatalf("FindAccountBlock = %+v, %v", got, err)
		}
		before := b.env.Proxy.Count("GetAccountPublicAccessBlock")
		if _, err := s3api.FindAccountBlock(c); err != nil || b.env.Proxy.Count("GetAccountPublicAccessBlock") != before {
			t.Fatalf("a second lookup asked S3 Control again (%v)", err)
		}
	})
}

func (b *pairBench) testEncryption(t *testing.T) {
	ctx := t.Context()
	b.aws.EnableDefaultEncryption() // new buckets report SSE-S3 with SSE-C blocked, as on AWS
	spec := newSpec(t)
	observed, err := s3api.CreatePair(ctx, b.client, spec, s3api.PairOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer destroy(t, b, spec)
	if blocked := observed.Media.SSECBlocked; blocked == nil || !*blocked {
		t.Fatalf("a new bucket reads SSE-C blocked %v: the create weakened it", blocked)
	}
	// Out of band: SSE-C allowed again and an S3 Bucket Key on the static bucket.
	b.aws.SetEncryption(spec.Static.Bucket, awsbehaviour.Encryption{Algorithm: "AES256", BucketKeyEnabled: true, BlockedEncryptionTypes: []string{"NONE"}})
	o, err := s3api.ObservePair(ctx, b.client, spec.Media.Bucket, spec.Static.Bucket)
	if err != nil {
		t.Fatal(err)
	}
	drift := bucketstate.Strings(spec.Drift(o))
	if len(drift) != 1 || !strings.Contains(drift[0], "default encryption is AES256 and an S3 Bucket Key, SSE-C allowed, want AES256, SSE-C blocked") {
		t.Fatalf("drift %q, want the static bucket's encryption with its bucket key and SSE-C", drift)
	}
	repaired, err := s3api.RepairPair(ctx, b.client, spec, s3api.PairOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if left := spec.Drift(repaired); len(left) > 0 || repaired.Static.BucketKey || repaired.Static.SSECBlocked == nil || !*repaired.Static.SSECBlocked {
		t.Fatalf("after repair: %v, static %+v", bucketstate.Strings(left), repaired.Static)
	}
}

func (b *pairBench) testNamesAndOwners(t *testing.T) {
	ctx := t.Context()
	b.aws.EnableOwnership()
	const stranger = "999999999999"

	// A name that exists in another region: taken, and the message says where.
	elsewhere := newSpec(t)
	b.aws.ForeignBucket(elsewhere.Media.Bucket, awsbehaviour.Foreign{Region: "eu-central-1", Owner: stranger})
	_, err := s3api.CreatePair(ctx, b.client, elsewhere, s3api.PairOptions{})
	var nameErr *s3api.NameCheckError
	if !errors.As(err, &nameErr) || nameErr.Existence != s3api.InOtherRegion || nameErr.Region != "eu-central-1" {
		t.Fatalf("a name taken in eu-central-1: %v, want a *NameCheckError in that region", err)
	}
	if b.exists(t, elsewhere.Static.Bucket) {
		t.Fatal("the static bucket was created although the media name was taken")
	}

	// Another account's bucket the caller may list: HeadBucket alone would say "yours".
	theirs := newSpec(t)
	b.aws.ForeignBucket(theirs.Static.Bucket, awsbehaviour.Foreign{Region: pairRegion, Owner: stranger, Accessible: true})
	blind, err := s3api.New(ctx, s3api.Config{Endpoint: b.env.ProxyURL, AccessKey: b.env.Server.AccessKey, SecretKey: b.env.Server.SecretKey,
		CABundle: b.env.Server.CAFile, SkipBucketOwnerCheck: true})
	if err != nil {
		t.Fatal(err)
	}
	if e, err := s3api.FindExistence(ctx, blind.S3, theirs.Static.Bucket); err != nil || e != s3api.OwnedByCaller {
		t.Fatalf("without the owner check: %v, %v; the layer should answer 200 as AWS does", e, err)
	}
	_, err = s3api.CreatePair(ctx, b.client, theirs, s3api.PairOptions{})
	if !errors.As(err, &nameErr) || nameErr.Existence != s3api.OwnedByOther || nameErr.Bucket != theirs.Static.Bucket {
		t.Fatalf("another account's listable bucket: %v, want a *NameCheckError owned by another account", err)
	}

	// And nothing is ever written to it: a repair naming it is refused by S3, not forwarded.
	refusedBefore := b.aws.Refusals()
	_, err = s3api.RepairPair(ctx, b.client, theirs, s3api.PairOptions{})
	var denied *s3api.AccessDeniedError
	if err == nil || !strings.Contains(err.Error(), theirs.Static.Bucket) || errors.As(err, &denied) && denied.Bucket == theirs.Media.Bucket {
		t.Fatalf("a repair of a pair whose static bucket is another account's: %v, want it refused on that bucket", err)
	}
	if b.aws.Refusals() == refusedBefore {
		t.Fatal("the layer refused nothing: the request carried no expected owner")
	}
	if b.exists(t, theirs.Media.Bucket) {
		t.Fatal("the repair went on to create the media bucket after reading the static one was refused")
	}
}

// A bucket CloudFormation made carries aws: tags nobody may remove: a pair that owns such a bucket sees no
// drift in them, and every tags write keeps them, down to writing them alone when the user's tags go.
func (b *pairBench) testSystemTags(t *testing.T) {
	ctx := t.Context()
	spec := newSpec(t)
	if _, err := s3api.CreatePair(ctx, b.client, spec, s3api.PairOptions{}); err != nil {
		t.Fatal(err)
	}
	defer destroy(t, b, spec)
	system := map[string]string{"aws:cloudformation:stack-name": "media", "aws:cloudformation:logical-id": "MediaBucket"}
	b.aws.SetSystemTags(spec.Media.Bucket, system)
	defer b.aws.SetSystemTags(spec.Media.Bucket, nil)

	o, err := s3api.ObservePair(ctx, b.client, spec.Media.Bucket, spec.Static.Bucket)
	if err != nil {
		t.Fatal(err)
	}
	if got := bucketstate.SystemTags(o.Media.Tags); !maps.Equal(got, system) {
		t.Fatalf("the media bucket reads system tags %v, want %v: the layer is not in front", got, system)
	}
	if left := spec.Drift(o); len(left) > 0 {
		t.Fatalf("system tags show as drift: %v", bucketstate.Strings(left))
	}

	mediaTags := func() map[string]string {
		t.Helper()
		tags, err := s3api.FindTags(ctx, b.env.Direct, spec.Media.Bucket)
		if err != nil {
			t.Fatal(err)
		}
		return tags
	}
	refusedBefore := b.aws.Refusals()
	retagged := spec
	retagged.Media.Tags = map[string]string{"app": "shop", "env": "prod"}
	retagged.Static.Tags = map[string]string{"app": "shop", "env": "prod"}
	if _, err := s3api.RepairPair(ctx, b.client, retagged, s3api.PairOptions{}); err != nil {
		t.Fatalf("changing the tags of a bucket with system tags: %v", err)
	}
	if want := bucketstate.MergeTags(system, retagged.Media.Tags); !maps.Equal(mediaTags(), want) {
		t.Fatalf("media tags on the server %v, want the new tags and the system tags %v", mediaTags(), want)
	}

	// No user tags left: the system tags are written alone, and only the static bucket's tag set is deleted.
	untagged := spec
	untagged.Media.Tags, untagged.Static.Tags = nil, nil
	deletesBefore := b.env.Proxy.Count("DeleteBucketTagging")
	o, err = s3api.RepairPair(ctx, b.client, untagged, s3api.PairOptions{})
	if err != nil {
		t.Fatalf("removing every user tag of a bucket with system tags: %v", err)
	}
	if !maps.Equal(mediaTags(), system) || len(bucketstate.UserTags(o.Media.Tags)) != 0 || len(o.Static.Tags) != 0 {
		t.Fatalf("media tags on the server %v, read %v, static %v; want the system tags alone and nothing on static", mediaTags(), o.Media.Tags, o.Static.Tags)
	}
	if n := b.env.Proxy.Count("DeleteBucketTagging") - deletesBefore; n != 1 {
		t.Errorf("DeleteBucketTagging sent %d times, want once (static only)", n)
	}
	if n := b.aws.Refusals() - refusedBefore; n != 0 {
		t.Errorf("the layer refused %d tag writes", n)
	}
}

// Buckets in the account's regional namespace: created with the namespace header, also when a repair
// creates one again; without it S3 refuses their names and nothing is created.
func (b *pairBench) testAccountRegionalNamespace(t *testing.T) {
	ctx := t.Context()
	b.aws.EnforceBucketNamespaces(true)
	defer b.aws.EnforceBucketNamespaces(false)
	plain := newSpec(t)
	spec := specOf(bucketname.AccountRegionalName(plain.Media.Bucket, seaweedAccount, pairRegion),
		bucketname.AccountRegionalName(plain.Static.Bucket, seaweedAccount, pairRegion), false, bucketstate.Retention{AbortIncompleteDays: 7})

	_, err := s3api.CreatePair(ctx, b.client, spec, s3api.PairOptions{})
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "MissingNamespaceHeader" {
		t.Fatalf("creating account regional names in the global namespace: %v, want MissingNamespaceHeader", err)
	}
	if b.exists(t, spec.Media.Bucket) || b.exists(t, spec.Static.Bucket) {
		t.Fatal("a bucket was created although S3 refused the name")
	}

	spec.Namespace = bucketname.NamespaceAccountRegional
	o, err := s3api.CreatePair(ctx, b.client, spec, s3api.PairOptions{})
	if err != nil {
		t.Fatalf("creating the pair in the account regional namespace: %v", err)
	}
	defer destroy(t, b, spec)
	if left := spec.Drift(o); len(left) > 0 {
		t.Fatalf("drift after create: %v", bucketstate.Strings(left))
	}
	for _, bucket := range []string{spec.Media.Bucket, spec.Static.Bucket} {
		if got := b.aws.NamespaceOf(bucket); got != bucketname.NamespaceAccountRegional {
			t.Errorf("%s created in namespace %q, want %q", bucket, got, bucketname.NamespaceAccountRegional)
		}
	}

	// Deleted out of band (through the proxy, so the layer forgets it) and created again by a repair.
	if err := s3api.DeleteBucket(ctx, b.client, spec.Static.Bucket); err != nil {
		t.Fatal(err)
	}
	if _, err := s3api.RepairPair(ctx, b.client, spec, s3api.PairOptions{}); err != nil {
		t.Fatalf("recreating the static bucket: %v", err)
	}
	if got := b.aws.NamespaceOf(spec.Static.Bucket); got != bucketname.NamespaceAccountRegional {
		t.Errorf("the static bucket was created again in namespace %q, want %q", got, bucketname.NamespaceAccountRegional)
	}
}

// A create on AWS leaves what AWS's new-bucket defaults give to them. Here the AWS layer gives new buckets
// SSE-S3 with SSE-C blocked, as AWS does, but nothing gives them a public access block or ownership
// controls: those are written on the first read-back, and the create converges; encryption is never written.
func (b *pairBench) testCreateDefaults(t *testing.T) {
	ctx := t.Context()
	b.aws.EnableDefaultEncryption()
	spec := newSpec(t)
	spec.Media.KnowsSSECBlocking, spec.Static.KnowsSSECBlocking = true, true // as the provider sets them on AWS
	var log logLines
	b.env.Proxy.ResetCounts()
	observed, err := s3api.CreatePair(ctx, b.client, spec, s3api.PairOptions{Log: &log, Converge: s3api.Converge{Timeout: 10 * time.Second}})
	if err != nil {
		t.Fatalf("create against a server without all of AWS's defaults: %v", err)
	}
	defer destroy(t, b, spec)
	if left := spec.Drift(observed); len(left) > 0 {
		t.Fatalf("after create: %v", bucketstate.Strings(left))
	}
	if n := b.env.Proxy.Count("PutBucketEncryption"); n != 0 {
		t.Errorf("PutBucketEncryption sent %d times: the default (SSE-S3, SSE-C blocked) already held", n)
	}
	if n := b.env.Proxy.Count("PutPublicAccessBlock"); n != 2 {
		t.Errorf("PutPublicAccessBlock sent %d times, want once per bucket: the server gave none by default", n)
	}
	if !slices.ContainsFunc(log.all(), func(l string) bool { return strings.HasPrefix(l, "warn: a new bucket lacks a default") }) {
		t.Errorf("the unmet default was not logged: %q", log.all())
	}
}
