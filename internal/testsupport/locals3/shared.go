package locals3

import (
	"crypto/tls"
	"crypto/x509"
	"syscall"
)

// This file exports what launchers of other S3 servers (localrgw) share with this one, so a test proxy and
// its clients treat every server the same way.

// CA is the kind of throwaway certificate authority Start makes for its own server.
type CA struct{ a *authority }

// NewCA generates a certificate authority valid for a few days.
func NewCA() (*CA, error) {
	a, err := newAuthority()
	if err != nil {
		return nil, err
	}
	return &CA{a: a}, nil
}

// PEM is the CA certificate, PEM encoded, for a client's CA bundle (AWS_CA_BUNDLE).
func (c *CA) PEM() []byte { return c.a.pem }

// Issue signs a server certificate for hosts (IP addresses or DNS names).
func (c *CA) Issue(hosts ...string) (tls.Certificate, error) { return c.a.issue(hosts...) }

// Pool returns a certificate pool holding only the CA.
func (c *CA) Pool() *x509.CertPool { return c.a.pool() }

// WriteKeyPair writes cert's chain and its private key as PEM files, the key readable by its owner only.
func WriteKeyPair(cert tls.Certificate, certFile, keyFile string) error {
	return writeKeyPair(cert, certFile, keyFile)
}

// FreePorts returns n distinct ports free on 127.0.0.1 right now, from below the ephemeral range (see
// freePorts); another process may still take one before the server binds it.
func FreePorts(n int) ([]int, error) { return freePorts(n) }

// DaemonProcAttr puts a server process in its own process group and, on Linux, has the kernel kill it if
// the test process dies first.
func DaemonProcAttr() *syscall.SysProcAttr { return sysProcAttr() }
