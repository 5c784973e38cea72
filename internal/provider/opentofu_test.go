package provider

import (
	"os"
	"os/exec"
	"regexp"
	"sync"
	"testing"
)

// underOpenTofu reports whether the tests drive OpenTofu rather than Terraform: `make test-tofu` points
// TF_ACC_TERRAFORM_PATH at a tofu binary, whose `version` prints "OpenTofu v<version>" (after any warning
// about the CLI configuration). Asked once per run.
var underOpenTofu = sync.OnceValue(func() bool {
	path := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if path == "" {
		return false
	}
	out, err := exec.Command(path, "version").Output()
	return err == nil && regexp.MustCompile(`(?m)^OpenTofu v`).Match(out)
})

// skipUnderOpenTofu skips a test of behaviour that OpenTofu does not share with Terraform, saying why, so
// that `make test-tofu` lists every difference by name instead of failing on it.
func skipUnderOpenTofu(t *testing.T, why string) {
	t.Helper()
	if underOpenTofu() {
		t.Skipf("skipped under OpenTofu: %s", why)
	}
}
