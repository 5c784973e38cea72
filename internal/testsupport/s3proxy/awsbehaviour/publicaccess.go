package awsbehaviour

// Behaviours 1 and 2: block public access at the bucket and at the account.
//
// Sources (Amazon S3 API Reference and User Guide):
//   - PublicAccessBlockConfiguration (API data type) and PutPublicAccessBlock: "Setting [BlockPublicPolicy]
//     to TRUE causes Amazon S3 to reject calls to PUT Bucket policy if the specified bucket policy allows
//     public access"; RestrictPublicBuckets restricts access to a bucket with a public policy to AWS
//     service principals and authorized users within the bucket owner's account; "Amazon S3 uses the most
//     restrictive combination of the bucket-level and account-level settings".
//   - "Blocking public access to your Amazon S3 storage" (User Guide): a request that a block public access
//     setting prohibits is rejected; S3 answers it 403 AccessDenied (Error responses: AccessDenied).
//   - S3 Control GetPublicAccessBlock (API_control_GetPublicAccessBlock): GET
//     /v20180820/configuration/publicAccessBlock with the account in x-amz-account-id; the answer is a
//     PublicAccessBlockConfiguration with BlockPublicAcls, IgnorePublicAcls, BlockPublicPolicy,
//     RestrictPublicBuckets, in S3 Control's namespace (the one PutPublicAccessBlock's request names); an
//     account without one answers 404 NoSuchPublicAccessBlockConfiguration. S3 Control wraps its errors in
//     <ErrorResponse><Error>, as the SDK's S3 Control deserializers expect.
//
// Not documented, and chosen: how long BlockPublicPolicy takes to stop applying after it is turned off.
// AWS says nothing; users meet it as an AccessDenied on the PutBucketPolicy that follows
// PutPublicAccessBlock (env0/templates#258 adds a delay before it, "a recommendation by AWS support"), so
// the window is the test's to set. A bucket whose public access block the layer never saw is taken to
// have had BlockPublicPolicy on, as every new bucket has since April 2023, so turning it off starts the
// window; but the layer does not enforce that default on a bucket it knows nothing of, since SeaweedFS
// would report no configuration for it.
//
// What the layer does not do: S3 Control's PutPublicAccessBlock and DeletePublicAccessBlock are not
// answered (they reach the server, which has no S3 Control API; tests set the account's block with
// SetAccountPublicAccessBlock); BlockPublicAcls and IgnorePublicAcls are left to SeaweedFS, whose source
// enforces them (s3api_public_access_block.go, for the bucket's own block only); an access point's block
// does not exist here.

import (
	"encoding/xml"
	"net/http"
	"strconv"
	"time"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/testsupport/s3proxy"
)

// PublicAccessBlock is a public access block configuration, a bucket's or the account's.
type PublicAccessBlock struct {
	BlockPublicAcls       bool
	IgnorePublicAcls      bool
	BlockPublicPolicy     bool
	RestrictPublicBuckets bool
}

// BlockAll returns the configuration with all four settings on, AWS's default for new buckets.
func BlockAll() *PublicAccessBlock {
	return &PublicAccessBlock{BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true}
}

// EnforceBlockPublicPolicy switches behaviour 1 on: the layer follows each bucket's public access block
// through PutPublicAccessBlock and DeletePublicAccessBlock (and SetBucketPublicAccessBlock), refuses a
// public PutBucketPolicy while the bucket's BlockPublicPolicy is on and for propagation after it was turned
// off, and refuses anonymous requests on a bucket with a public policy while its RestrictPublicBuckets is
// on. propagation 0 makes a change apply at once.
func (l *Layer) EnforceBlockPublicPolicy(propagation time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.switchOn(bucketBlockBehaviour)
	l.blockLag = propagation
}

// SetBucketPublicAccessBlock tells the layer bucket's public access block, as set out of band and fully
// propagated (no window starts); nil means the bucket has none.
func (l *Layer) SetBucketPublicAccessBlock(bucket string, block *PublicAccessBlock) {
	l.read(bucket, func(b *bucketState) { b.block, b.blockKnown = clonePAB(block), true })
}

// SetBucketPolicy tells the layer bucket's policy, as set out of band, for RestrictPublicBuckets; ""
// means none. It reports whether the layer takes the policy to be public.
func (l *Layer) SetBucketPolicy(bucket, policy string) bool {
	public := false
	if policy != "" {
		public, _ = publicPolicy([]byte(policy))
	}
	l.read(bucket, func(b *bucketState) { b.publicPolicy = public })
	return public
}

// SetAccountPublicAccessBlock switches behaviour 2 on with the account's public access block; nil means
// the account has none (S3 Control's GetPublicAccessBlock then answers 404).
func (l *Layer) SetAccountPublicAccessBlock(block *PublicAccessBlock) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.switchOn(accountBlockBehaviour)
	l.accountBlock = clonePAB(block)
}

func clonePAB(p *PublicAccessBlock) *PublicAccessBlock {
	if p == nil {
		return nil
	}
	c := *p
	return &c
}

// publicAccessBlock follows PutPublicAccessBlock and DeletePublicAccessBlock to the bucket's state.
func (l *Layer) publicAccessBlock(w http.ResponseWriter, r *http.Request, op s3proxy.Operation, next http.Handler) {
	if !l.isOn(bucketBlockBehaviour) {
		next.ServeHTTP(w, r)
		return
	}
	unlock := l.locks.Lock(op.Bucket)
	defer unlock()
	var block *PublicAccessBlock
	if op.Name == "PutPublicAccessBlock" {
		body, ok := l.readBody(w, r)
		if !ok {
			return
		}
		var err error
		if block, err = parsePublicAccessBlock(body); err != nil {
			next.ServeHTTP(w, r) // the server refuses what it cannot read, as without the layer
			return
		}
	}
	s3proxy.ForwardThen(w, r, next, func() {
		now := l.now()
		l.read(op.Bucket, func(b *bucketState) {
			wasOn := !b.blockKnown || b.block != nil && b.block.BlockPublicPolicy
			if wasOn && (block == nil || !block.BlockPublicPolicy) {
				b.policyOffAt = now
			}
			b.block, b.blockKnown = block, true
		})
	})
}

// putBucketPolicy refuses a public policy that a public access block forbids, and records whether the
// policy the server accepted is public.
func (l *Layer) putBucketPolicy(w http.ResponseWriter, r *http.Request, bucket string, next http.Handler) {
	if !l.isOn(bucketBlockBehaviour | accountBlockBehaviour) {
		next.ServeHTTP(w, r)
		return
	}
	unlock := l.locks.Lock(bucket)
	defer unlock()
	body, ok := l.readBody(w, r)
	if !ok {
		return
	}
	public, err := publicPolicy(body)
	if err != nil {
		next.ServeHTTP(w, r) // not a policy the layer can read: the server judges it
		return
	}
	if public && l.blocksPublicPolicy(bucket) {
		l.refuse(w, r, errAccessDenied)
		return
	}
	s3proxy.ForwardThen(w, r, next, func() { l.read(bucket, func(b *bucketState) { b.publicPolicy = public }) })
}

// blocksPublicPolicy reports whether the account's or the bucket's public access block forbids a public
// policy on bucket now.
func (l *Layer) blocksPublicPolicy(bucket string) bool {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.isOn(accountBlockBehaviour) && l.accountBlock != nil && l.accountBlock.BlockPublicPolicy {
		return true
	}
	if !l.isOn(bucketBlockBehaviour) {
		return false
	}
	b := l.bucket(bucket)
	if b.blockKnown && b.block != nil && b.block.BlockPublicPolicy {
		return true
	}
	return l.blockLag > 0 && !b.policyOffAt.IsZero() && now.Sub(b.policyOffAt) < l.blockLag
}

func (l *Layer) deleteBucketPolicy(w http.ResponseWriter, r *http.Request, bucket string, next http.Handler) {
	if !l.isOn(bucketBlockBehaviour | accountBlockBehaviour) {
		next.ServeHTTP(w, r)
		return
	}
	unlock := l.locks.Lock(bucket)
	defer unlock()
	s3proxy.ForwardThen(w, r, next, func() { l.read(bucket, func(b *bucketState) { b.publicPolicy = false }) })
}

// restrictPublicBucket refuses an anonymous request on a bucket with a public policy while the account's
// or the bucket's RestrictPublicBuckets is on, and reports whether it did. Only AWS service principals
// and the owner's account keep access then; an unsigned request is neither.
func (l *Layer) restrictPublicBucket(w http.ResponseWriter, r *http.Request, bucket string) bool {
	if !anonymous(r) {
		return false
	}
	l.mu.Lock()
	b := l.bucket(bucket)
	restricted := b.publicPolicy &&
		(l.isOn(accountBlockBehaviour) && l.accountBlock != nil && l.accountBlock.RestrictPublicBuckets ||
			l.isOn(bucketBlockBehaviour) && b.block != nil && b.block.RestrictPublicBuckets)
	l.mu.Unlock()
	if restricted {
		l.refuse(w, r, errAccessDenied)
	}
	return restricted
}

// S3 Control's namespace, from its PutPublicAccessBlock request syntax.
const controlNS = "http://awss3control.amazonaws.com/doc/2018-08-20/"

// getAccountPublicAccessBlock answers S3 Control's GetPublicAccessBlock from the account's block.
func (l *Layer) getAccountPublicAccessBlock(w http.ResponseWriter, r *http.Request, next http.Handler) {
	l.mu.Lock()
	on, block := l.isOn(accountBlockBehaviour), clonePAB(l.accountBlock)
	l.mu.Unlock()
	switch {
	case !on:
		next.ServeHTTP(w, r)
	case r.Header.Get("X-Amz-Account-Id") != l.account:
		// Another account's configuration is not the caller's to read.
		l.refuseControl(w, http.StatusForbidden, "AccessDenied", "Access Denied")
	case block == nil:
		l.refuseControl(w, http.StatusNotFound, "NoSuchPublicAccessBlockConfiguration", "The public access block configuration was not found")
	default:
		writeXML(w, http.StatusOK, publicAccessBlockXML{XMLName: xml.Name{Space: controlNS, Local: "PublicAccessBlockConfiguration"},
			BlockPublicAcls: block.BlockPublicAcls, IgnorePublicAcls: block.IgnorePublicAcls,
			BlockPublicPolicy: block.BlockPublicPolicy, RestrictPublicBuckets: block.RestrictPublicBuckets})
	}
}

// publicAccessBlockXML is PublicAccessBlockConfiguration as S3 and S3 Control read and write it.
type publicAccessBlockXML struct {
	XMLName               xml.Name
	BlockPublicAcls       bool `xml:"BlockPublicAcls"`
	IgnorePublicAcls      bool `xml:"IgnorePublicAcls"`
	BlockPublicPolicy     bool `xml:"BlockPublicPolicy"`
	RestrictPublicBuckets bool `xml:"RestrictPublicBuckets"`
}

func parsePublicAccessBlock(body []byte) (*PublicAccessBlock, error) {
	var c publicAccessBlockXML
	if err := xml.Unmarshal(body, &c); err != nil {
		return nil, err
	}
	if c.XMLName.Local != "PublicAccessBlockConfiguration" {
		return nil, errUnexpectedRoot
	}
	return &PublicAccessBlock{BlockPublicAcls: c.BlockPublicAcls, IgnorePublicAcls: c.IgnorePublicAcls,
		BlockPublicPolicy: c.BlockPublicPolicy, RestrictPublicBuckets: c.RestrictPublicBuckets}, nil
}

// controlError is S3 Control's error document.
type controlError struct {
	XMLName   xml.Name `xml:"ErrorResponse"`
	Code      string   `xml:"Error>Code"`
	Message   string   `xml:"Error>Message"`
	RequestID string   `xml:"RequestId"`
	HostID    string   `xml:"HostId"`
}

// refuseControl answers with an S3 Control error and counts it.
func (l *Layer) refuseControl(w http.ResponseWriter, status int, code, message string) {
	l.refused.Add()
	id := requestID()
	w.Header().Set("X-Amz-Request-Id", id)
	w.Header().Set("X-Amz-Id-2", id)
	writeXML(w, status, controlError{Code: code, Message: message, RequestID: id, HostID: id})
}

// writeXML answers with v as an XML document.
func writeXML(w http.ResponseWriter, status int, v any) {
	body, err := xml.Marshal(v)
	if err != nil {
		panic("awsbehaviour: encoding an answer: " + err.Error()) // the layer's own types always encode
	}
	body = append([]byte(xml.Header), body...)
	w.Header().Set("Content-Type", "application/xml")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
