package s3api

// What the S3 service behind the client implements. Amazon S3 implements every bucket API a pair uses, so
// there a 501 NotImplemented is an error like any other. An S3-compatible service may lack some: those named
// in the provider's unsupported_features are never asked about, and a read it answers NotImplemented marks
// the feature unsupported for the rest of the run (shared by every resource of the provider), so the pair
// manages what the service can do and the plan says what it cannot.

import (
	"errors"
	"fmt"
	"net/http"
	"sync"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/bucketstate"
)

// codeNotImplemented is a service's answer to an API it does not have (501).
const codeNotImplemented = "NotImplemented"

// Capabilities is what one provider instance knows about its service's features. nil means Amazon S3 rules:
// nothing is skipped and NotImplemented is an error. Safe for concurrent use.
type Capabilities struct {
	// detect is set for an S3-compatible service: a NotImplemented read marks the feature unsupported.
	detect   bool
	declared bucketstate.Features

	mu       sync.Mutex
	detected bucketstate.Features
	// known is set once a pair has been read in full: every feature was asked about or skipped, so what
	// the service lacks is known and a new pair need not be read before its first write.
	known bool
}

// NewCapabilities is what a client knows before its first request: onAWS is Amazon S3, where nothing is
// skipped or detected; declared are the features the configuration says the service lacks (ParseFeatures
// has checked them; on AWS there must be none).
func NewCapabilities(onAWS bool, declared bucketstate.Features) *Capabilities {
	return &Capabilities{detect: !onAWS, declared: declared.Union(nil), detected: bucketstate.Features{}}
}

// Unsupported are the features declared or found missing so far.
func (c *Capabilities) Unsupported() bucketstate.Features {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.declared.Union(c.detected)
}

// Detected are the features found missing so far that the configuration did not declare.
func (c *Capabilities) Detected() bucketstate.Features {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.detected.Union(nil)
}

// markKnown records that a pair was read in full.
func (c *Capabilities) markKnown() {
	if c != nil {
		c.mu.Lock()
		c.known = true
		c.mu.Unlock()
	}
}

// needsProbe says whether a new pair must be read before its first write: on an S3-compatible service whose
// features are not known yet.
func (c *Capabilities) needsProbe() bool {
	if c == nil || !c.detect {
		return false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return !c.known
}

// Supports says whether f may be asked about.
func (c *Capabilities) Supports(f bucketstate.Feature) bool { return !c.Unsupported().Has(f) }

// judge decides what a read of f that failed with err means. A service without versioning is never
// acceptable; NotImplemented from an S3-compatible service marks f unsupported and is no error; anything
// else, on AWS everything, stays an error.
func (c *Capabilities) judge(f bucketstate.Feature, err error) error {
	if err == nil || !isNotImplemented(err) {
		return err
	}
	if f == bucketstate.FeatureVersioning {
		return &UnsupportedError{Feature: f, Err: err}
	}
	if c == nil || !c.detect {
		return fmt.Errorf("S3 answered NotImplemented to a read of %s, which Amazon S3 implements: %w", f, err)
	}
	c.mu.Lock()
	c.detected[f] = true
	c.mu.Unlock()
	return nil
}

// isNotImplemented reports whether err is a service saying it has no such API.
func isNotImplemented(err error) bool {
	return hasCode(err, codeNotImplemented) || httpStatus(err) == http.StatusNotImplemented
}

// UnsupportedError is a service refusing a feature the pair cannot do without.
type UnsupportedError struct {
	Feature bucketstate.Feature
	Err     error
}

func (e *UnsupportedError) Error() string {
	if e.Feature == bucketstate.FeatureVersioning {
		return "the S3 service does not implement bucket versioning (it answered NotImplemented), and a media bucket " +
			"without versions protects nothing: " + bucketstate.ErrVersioningRequired.Error() + ": " + e.Err.Error()
	}
	return fmt.Sprintf("the S3 service does not implement %s (it answered NotImplemented): name it in the provider's "+
		"unsupported_features and remove the arguments that need it, or use a service that implements it: %v", e.Feature, e.Err)
}

func (e *UnsupportedError) Unwrap() error { return e.Err }

// IsUnsupported reports whether err says the service lacks a feature the pair needs.
func IsUnsupported(err error) bool {
	var u *UnsupportedError
	return errors.As(err, &u)
}
