package s3api

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/bucketname"
	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/bucketstate"
)

// createBucket creates a bucket in region, in the account regional namespace when namespace says so (S3 then
// wants the header x-amz-bucket-namespace, and a name of that namespace's form; see bucketname). Callers
// check FindExistence first: in us-east-1 S3 answers success when the caller already owns the bucket, which
// would silently adopt it. objectLock creates it with S3 Object Lock on, which S3 then enables versioning for
// by itself; its default retention is a write of its own (writeObjectLock).
func createBucket(ctx context.Context, c *s3.Client, bucket, region, namespace string, objectLock bool) error {
	in := &s3.CreateBucketInput{
		Bucket:          aws.String(bucket),
		ObjectOwnership: types.ObjectOwnershipBucketOwnerEnforced,
	}
	if objectLock {
		in.ObjectLockEnabledForBucket = aws.Bool(true)
	}
	if namespace == bucketname.NamespaceAccountRegional {
		in.BucketNamespace = types.BucketNamespaceAccountRegional
	}
	if region != "" && region != "us-east-1" {
		in.CreateBucketConfiguration = &types.CreateBucketConfiguration{LocationConstraint: types.BucketLocationConstraint(region)}
	}
	_, err := c.CreateBucket(ctx, in)
	switch {
	case hasCode(err, codeBucketAlreadyOwnedByYou):
		return fmt.Errorf("bucket %q already exists in this account: %w", bucket, err)
	case hasCode(err, codeBucketAlreadyExists):
		return fmt.Errorf("bucket name %q is taken by another account: %w", bucket, err)
	case err != nil:
		return fmt.Errorf("creating bucket %q: %w", bucket, err)
	}
	return nil
}

// writeOrder is the order a bucket's settings are written in one after another, and reported in. It meets
// every order writeAfter requires when they are written at once (PairOptions.ConcurrentWrites).
var writeOrder = []bucketstate.Setting{
	bucketstate.SettingVersioning,
	bucketstate.SettingObjectLock,
	bucketstate.SettingOwnership,
	bucketstate.SettingEncryption,
	bucketstate.SettingPublicAccessBlock,
	bucketstate.SettingPolicy,
	bucketstate.SettingTags,
	bucketstate.SettingLifecycle,
	bucketstate.SettingCORS,
	bucketstate.SettingReplication,
}

// writeAfter lists the settings whose write must have succeeded before s is written; everything else on a
// bucket is written at once. guarded is set when the versioning write may be refused for its MFA code
// (it carries one, or changes MFA Delete): it then goes first and alone, so a refused code leaves the rest
// of the bucket as it was. removingLifecycle is set when MFA Delete is turned on over a lifecycle
// configuration, which S3 refuses: the configuration's removal then goes before versioning.
//
//   - Object Lock and replication wait for versioning: S3 accepts them only on a bucket whose versioning is
//     Enabled.
//   - The policy waits for the public access block (S3 refuses a public policy while BlockPublicPolicy is
//     on), and for ownership and versioning too: AWS answers 409 OperationAborted to a PutBucketPolicy that
//     overlaps any of those three writes on the same bucket (hashicorp/terraform-provider-aws#7628 and
//     #33552), which would cost a retry with backoff.
func writeAfter(s bucketstate.Setting, guarded, removingLifecycle bool) []bucketstate.Setting {
	if removingLifecycle && s == bucketstate.SettingLifecycle {
		return nil
	}
	var after []bucketstate.Setting
	switch s {
	case bucketstate.SettingVersioning:
		if removingLifecycle {
			return []bucketstate.Setting{bucketstate.SettingLifecycle}
		}
		return nil
	case bucketstate.SettingObjectLock, bucketstate.SettingReplication:
		after = []bucketstate.Setting{bucketstate.SettingVersioning}
	case bucketstate.SettingPolicy:
		after = []bucketstate.Setting{bucketstate.SettingPublicAccessBlock, bucketstate.SettingOwnership, bucketstate.SettingVersioning}
	}
	if guarded && !slices.Contains(after, bucketstate.SettingVersioning) {
		after = append(after, bucketstate.SettingVersioning)
	}
	return after
}

// MFA is the x-amz-mfa value, "<device serial> <code>", for the writes S3 guards with MFA Delete. The
// zero value sends no header.
type MFA struct {
	Serial, Code string
}

func (m MFA) header() *string {
	if m.Code == "" {
		return nil
	}
	return aws.String(m.Serial + " " + m.Code)
}

// Waits for S3 to apply one setting before the next write depends on it. Each is bounded, retries only the
// named error code, and honours the context.
const (
	// lifecyclePropagation bounds waiting for a lifecycle change to take effect: after DeleteBucketLifecycle S3
	// refuses MFA Delete for a while (InvalidBucketState), and after MFA Delete is turned off it refuses a
	// lifecycle configuration for a while. AWS documents that lifecycle changes take time to propagate.
	lifecyclePropagation = 2 * time.Minute
	// mfaCodeWindow bounds retrying a write that carries a one-time code: a code is valid for its 30-second
	// step (S3 may accept a neighbouring one), so retrying longer cannot succeed.
	mfaCodeWindow = 25 * time.Second
	// publicPolicyPropagation bounds retrying a public bucket policy right after the bucket's public access
	// block was relaxed: S3 keeps refusing it with AccessDenied until the change has propagated (seconds to a
	// minute).
	publicPolicyPropagation = 2 * time.Minute
	// lifecycleGoneReads is how many reads in a row must report no lifecycle configuration before MFA Delete
	// is turned on.
	lifecycleGoneReads = 2
)

// applySettings writes the named settings of want onto its bucket, in an order S3 accepts. mfa goes with the
// versioning write, the only one of them S3 guards with MFA Delete. log (nil: none) hears about waits.
func applySettings(ctx context.Context, c *s3.Client, want bucketstate.Desired, settings []bucketstate.Setting, mfa MFA, o PairOptions) error {
	return writeSettings(ctx, c, want, settings, mfa, o, func(write func() error) error { return write() })
}

// applyNew is applySettings for a bucket created moments ago. S3 is eventually consistent right after
// CreateBucket: a configuration write can still answer NoSuchBucket after HeadBucket found the bucket
// (seen on AWS and on SeaweedFS), so each write is retried on NoSuchBucket, bounded by bucketVisibleTimeout.
func applyNew(ctx context.Context, c *s3.Client, want bucketstate.Desired, settings []bucketstate.Setting, mfa MFA, o PairOptions) error {
	return writeSettings(ctx, c, want, settings, mfa, o, func(write func() error) error {
		return retryOn(ctx, bucketVisibleTimeout, codeNoSuchBucket, write)
	})
}

// retryOn calls write until it does not fail with code, it fails otherwise, timeout passes or ctx ends. On
// timeout it returns S3's last answer.
func retryOn(ctx context.Context, timeout time.Duration, code string, write func() error) error {
	var last error
	err := poll(ctx, timeout, func() (bool, error) {
		last = write()
		if hasCode(last, code) {
			return false, nil
		}
		return true, last
	})
	if err != nil && last != nil && hasCode(last, code) {
		return last
	}
	return err
}

// writeSettings writes the named settings of want, each as soon as the writes writeAfter puts before it
// have succeeded; a setting whose predecessor failed is not written. It returns every failure, in
// writeOrder. attempt makes each write's attempts (applyNew retries a new bucket's NoSuchBucket).
func writeSettings(ctx context.Context, c *s3.Client, want bucketstate.Desired, settings []bucketstate.Setting, mfa MFA, o PairOptions, attempt func(func() error) error) error {
	w := bucketWrite{ctx: ctx, c: c, want: want, settings: settings, mfa: mfa, log: o.Log, attempt: attempt,
		enablingMFA:  want.MFADelete != nil && *want.MFADelete && slices.Contains(settings, bucketstate.SettingMFADelete),
		disablingMFA: want.MFADelete != nil && !*want.MFADelete && slices.Contains(settings, bucketstate.SettingMFADelete),
		// S3 refuses MFA Delete while a lifecycle configuration exists: that is removed first.
		removingLifecycle: want.MFADelete != nil && *want.MFADelete && slices.Contains(settings, bucketstate.SettingLifecycle),
	}
	guarded := mfa.Code != "" || slices.Contains(settings, bucketstate.SettingMFADelete)
	// Versioning and MFA Delete are one PutBucketVersioning call.
	if slices.Contains(settings, bucketstate.SettingMFADelete) && !slices.Contains(settings, bucketstate.SettingVersioning) {
		settings = append(slices.Clone(settings), bucketstate.SettingVersioning)
		w.settings = settings
	}
	w.relaxingBlock = slices.Contains(settings, bucketstate.SettingPublicAccessBlock) && !want.PublicAccessBlock.BlockPublicPolicy

	// One write per setting; done[s] is closed when s's write has ended, ok[s] tells whether it succeeded.
	var todo []bucketstate.Setting
	for _, s := range writeOrder {
		if slices.Contains(settings, s) {
			todo = append(todo, s)
		}
	}
	after := func(s bucketstate.Setting) []bucketstate.Setting { return writeAfter(s, guarded, w.removingLifecycle) }
	if !o.ConcurrentWrites {
		// One after another, in writeOrder, which meets every order of writeAfter; the lifecycle
		// configuration first when it makes way for MFA Delete.
		if w.removingLifecycle {
			todo = append([]bucketstate.Setting{bucketstate.SettingLifecycle}, slices.DeleteFunc(todo, func(s bucketstate.Setting) bool { return s == bucketstate.SettingLifecycle })...)
		}
		after = func(s bucketstate.Setting) []bucketstate.Setting {
			if i := slices.Index(todo, s); i > 0 {
				return todo[i-1 : i]
			}
			return nil
		}
	}
	done := make(map[bucketstate.Setting]chan struct{}, len(todo))
	for _, s := range todo {
		done[s] = make(chan struct{})
	}
	ok := make(map[bucketstate.Setting]bool, len(todo))
	errs := make([]error, len(todo))
	var mu sync.Mutex
	var wg sync.WaitGroup
	for i, s := range todo {
		wg.Go(func() {
			defer close(done[s])
			for _, before := range after(s) {
				ch, planned := done[before]
				if !planned {
					continue
				}
				<-ch
				mu.Lock()
				succeeded := ok[before]
				mu.Unlock()
				if !succeeded {
					return // its failure is the one reported
				}
			}
			if errs[i] = w.write(s); errs[i] == nil {
				mu.Lock()
				ok[s] = true
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// bucketWrite is one writeSettings call: what it writes, and what its settings together imply for each write.
type bucketWrite struct {
	ctx      context.Context
	c        *s3.Client
	want     bucketstate.Desired
	settings []bucketstate.Setting
	mfa      MFA
	log      Logger
	attempt  func(func() error) error
	// enablingMFA, disablingMFA: the versioning write turns MFA Delete on or off. removingLifecycle: the
	// lifecycle configuration is removed to make way for MFA Delete. relaxingBlock: the public access block
	// written lets public policies through.
	enablingMFA, disablingMFA, removingLifecycle, relaxingBlock bool
}

// write writes setting s, with the waits and retries S3's rules about it need.
func (w bucketWrite) write(s bucketstate.Setting) error {
	ctx, c, want, settings, mfa, log := w.ctx, w.c, w.want, w.settings, w.mfa, w.log
	enablingMFA, disablingMFA, removingLifecycle, relaxingBlock := w.enablingMFA, w.disablingMFA, w.removingLifecycle, w.relaxingBlock
	req := writeRequest{Bucket: want.Bucket, Role: want.Role, Action: iamAction(s, want), Feature: bucketstate.FeatureOf(s)}
	write := func() error { return write(ctx, c, want, s) }
	switch s {
	case bucketstate.SettingVersioning:
		withMFADelete := slices.Contains(settings, bucketstate.SettingMFADelete)
		req.MFASent, req.MFALifecycle = mfa.Code != "", enablingMFA
		write = func() error { return writeVersioning(ctx, c, want, withMFADelete, mfa) }
		if enablingMFA && removingLifecycle {
			if err := waitLifecycleGone(ctx, c, want.Bucket); err != nil {
				return fmt.Errorf("waiting for the lifecycle configuration of %s bucket %q to be gone before MFA Delete: %w", want.Role, want.Bucket, err)
			}
		}
		if enablingMFA {
			// Deleting the lifecycle configuration takes a while to reach every part of S3, which keeps
			// refusing MFA Delete meanwhile: retry while the code can still be valid.
			write = retrying(ctx, mfaCodeWindow, codeInvalidBucketState, log, want, "MFA Delete refused while the lifecycle configuration's removal propagates", write)
		}
	case bucketstate.SettingLifecycle:
		req.MFALifecycle = true
		if disablingMFA && !want.Lifecycle.Empty() {
			write = retrying(ctx, lifecyclePropagation, codeInvalidBucketState, log, want, "lifecycle refused while MFA Delete's removal propagates", write)
		}
	case bucketstate.SettingPolicy:
		req.PublicPolicy = !want.PublicAccessBlock.BlockPublicPolicy
		if req.PublicPolicy && relaxingBlock {
			write = retrying(ctx, publicPolicyPropagation, codeAccessDenied, log, want, "public policy refused while the relaxed public access block propagates", write)
		}
	case bucketstate.SettingEncryption:
		req.KMS = want.Encryption == bucketstate.EncryptionKMS
	case bucketstate.SettingReplication:
		if want.Replication != nil && slices.Contains(settings, bucketstate.SettingVersioning) {
			write = retrying(ctx, replicationAfterVersioning, codeInvalidRequest, log, want, "replication refused while enabled versioning propagates", write)
		}
	}
	if err := w.attempt(write); err != nil {
		what := string(s)
		if s == bucketstate.SettingVersioning && slices.Contains(settings, bucketstate.SettingMFADelete) {
			what = "versioning and MFA Delete"
		}
		return fmt.Errorf("setting %s on %s bucket %q: %w", what, want.Role, want.Bucket, classifyRefusal(bucketGone(want.Bucket, err), req))
	}
	return nil
}

// retrying wraps write to retry it on code for at most timeout, logging each refusal once.
func retrying(ctx context.Context, timeout time.Duration, code string, log Logger, want bucketstate.Desired, why string, write func() error) func() error {
	return func() error {
		return retryOn(ctx, timeout, code, func() error {
			err := write()
			if hasCode(err, code) && log != nil {
				log.Warn("S3 refused a write that should succeed shortly: retrying", map[string]any{
					"bucket": want.Bucket, "role": string(want.Role), "why": why, "code": code, "bound": timeout.String()})
			}
			return err
		})
	}
}

// waitLifecycleGone waits until lifecycleGoneReads reads in a row report no lifecycle configuration.
func waitLifecycleGone(ctx context.Context, c *s3.Client, bucket string) error {
	gone := 0
	return poll(ctx, lifecyclePropagation, func() (bool, error) {
		l, err := FindLifecycle(ctx, c, bucket)
		if err != nil {
			return false, err
		}
		if !l.Empty() {
			gone = 0
			return false, nil
		}
		gone++
		return gone >= lifecycleGoneReads, nil
	})
}

// iamAction is the IAM action S3 checks for writing setting s of want.
func iamAction(s bucketstate.Setting, want bucketstate.Desired) string {
	switch s {
	case bucketstate.SettingVersioning, bucketstate.SettingMFADelete:
		return "s3:PutBucketVersioning"
	case bucketstate.SettingOwnership:
		return "s3:PutBucketOwnershipControls"
	case bucketstate.SettingEncryption:
		return "s3:PutEncryptionConfiguration"
	case bucketstate.SettingPublicAccessBlock:
		return "s3:PutBucketPublicAccessBlock"
	case bucketstate.SettingPolicy:
		if want.Policy == "" {
			return "s3:DeleteBucketPolicy"
		}
		return "s3:PutBucketPolicy"
	case bucketstate.SettingTags:
		return "s3:PutBucketTagging"
	case bucketstate.SettingLifecycle:
		return "s3:PutLifecycleConfiguration"
	case bucketstate.SettingCORS:
		// DeleteBucketCors is authorized by s3:PutBucketCORS too.
		return "s3:PutBucketCORS"
	case bucketstate.SettingReplication:
		// DeleteBucketReplication is authorized by s3:PutReplicationConfiguration too.
		return "s3:PutReplicationConfiguration"
	case bucketstate.SettingObjectLock:
		return "s3:PutBucketObjectLockConfiguration"
	}
	return "s3:" + string(s)
}

// writeVersioning sets the versioning status and, when asked, MFA Delete, in the one call S3 has for both.
func writeVersioning(ctx context.Context, c *s3.Client, want bucketstate.Desired, withMFADelete bool, mfa MFA) error {
	cfg := &types.VersioningConfiguration{Status: types.BucketVersioningStatus(want.Versioning)}
	if withMFADelete && want.MFADelete != nil {
		cfg.MFADelete = types.MFADeleteDisabled
		if *want.MFADelete {
			cfg.MFADelete = types.MFADeleteEnabled
		}
	}
	_, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{
		Bucket:                  aws.String(want.Bucket),
		VersioningConfiguration: cfg,
		MFA:                     mfa.header(),
	})
	return err
}

func write(ctx context.Context, c *s3.Client, want bucketstate.Desired, s bucketstate.Setting) error {
	bucket := aws.String(want.Bucket)
	var err error
	switch s {
	case bucketstate.SettingOwnership:
		_, err = c.PutBucketOwnershipControls(ctx, &s3.PutBucketOwnershipControlsInput{
			Bucket: bucket,
			OwnershipControls: &types.OwnershipControls{Rules: []types.OwnershipControlsRule{
				{ObjectOwnership: types.ObjectOwnership(want.Ownership)},
			}},
		})
	case bucketstate.SettingEncryption:
		// With SSE-S3 the key is left out and the bucket key sent off, so one set out of band is removed.
		rule := types.ServerSideEncryptionRule{
			ApplyServerSideEncryptionByDefault: &types.ServerSideEncryptionByDefault{SSEAlgorithm: types.ServerSideEncryption(want.Encryption)},
			BucketKeyEnabled:                   aws.Bool(want.BucketKey),
		}
		if want.EncryptionKey != "" {
			rule.ApplyServerSideEncryptionByDefault.KMSMasterKeyID = aws.String(want.EncryptionKey)
		}
		if want.KnowsSSECBlocking {
			// Only to a server known to understand it: others may refuse the element. A write that leaves it
			// out keeps what the bucket had.
			blocked := types.EncryptionTypeNone
			if want.BlockSSEC {
				blocked = types.EncryptionTypeSseC
			}
			rule.BlockedEncryptionTypes = &types.BlockedEncryptionTypes{EncryptionType: []types.EncryptionType{blocked}}
		}
		_, err = c.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{
			Bucket:                            bucket,
			ServerSideEncryptionConfiguration: &types.ServerSideEncryptionConfiguration{Rules: []types.ServerSideEncryptionRule{rule}},
		})
	case bucketstate.SettingPublicAccessBlock:
		p := want.PublicAccessBlock
		_, err = c.PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{
			Bucket: bucket,
			PublicAccessBlockConfiguration: &types.PublicAccessBlockConfiguration{
				BlockPublicAcls:       aws.Bool(p.BlockPublicAcls),
				IgnorePublicAcls:      aws.Bool(p.IgnorePublicAcls),
				BlockPublicPolicy:     aws.Bool(p.BlockPublicPolicy),
				RestrictPublicBuckets: aws.Bool(p.RestrictPublicBuckets),
			},
		})
	case bucketstate.SettingPolicy:
		_, err = c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: bucket, Policy: aws.String(want.Policy)})
	case bucketstate.SettingTags:
		return writeTags(ctx, c, want)
	case bucketstate.SettingLifecycle:
		return writeLifecycle(ctx, c, want.Bucket, want.Lifecycle)
	case bucketstate.SettingCORS:
		return writeCORS(ctx, c, want.Bucket, want.CORS)
	case bucketstate.SettingReplication:
		return writeReplication(ctx, c, want.Bucket, want.Replication)
	case bucketstate.SettingObjectLock:
		return writeObjectLock(ctx, c, want.Bucket, want.ObjectLock)
	default:
		return fmt.Errorf("no writer for setting %q", s)
	}
	return err
}

// writeTags replaces the bucket's user tags with want's. PutBucketTagging replaces the whole tag set, and S3
// refuses one that drops or changes a system tag (400 InvalidTag, "System Tags cannot be removed by
// requester"), so the bucket's system tags (want.SystemTags, from the read the repair started with) go back
// exactly as read; and a bucket that has them keeps them alone rather than seeing DeleteBucketTagging, which
// would remove them too.
func writeTags(ctx context.Context, c *s3.Client, want bucketstate.Desired) error {
	tags := bucketstate.MergeTags(bucketstate.SystemTags(want.SystemTags), bucketstate.UserTags(want.Tags))
	if len(tags) == 0 {
		_, err := c.DeleteBucketTagging(ctx, &s3.DeleteBucketTaggingInput{Bucket: aws.String(want.Bucket)})
		return err
	}
	tagSet := make([]types.Tag, 0, len(tags))
	for _, k := range slices.Sorted(maps.Keys(tags)) {
		tagSet = append(tagSet, types.Tag{Key: aws.String(k), Value: aws.String(tags[k])})
	}
	_, err := c.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: aws.String(want.Bucket), Tagging: &types.Tagging{TagSet: tagSet}})
	return err
}
