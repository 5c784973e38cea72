package provider

// Every example under examples/ is what the registry docs show and what users copy, so each directory with
// .tf files must be `terraform fmt`-clean and pass `terraform validate` against the provider built from this
// source. The provider is installed through a dev_overrides CLI configuration, which lets validate run
// without `terraform init` (and without a network): this works because the examples use no other
// registry provider and no module. An example that needs one would have to be validated after an init
// from a filesystem mirror, as scripts/demo.sh sets up.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	tfjson "github.com/hashicorp/terraform-json"
)

// providerSource is the address the examples' required_providers use, and the one dev_overrides replaces.
const providerSource = "protectedmedia/protectedmedia"

// devOverrideWarning is the warning Terraform prints whenever dev_overrides is in effect.
const devOverrideWarning = "Provider development overrides are in effect"

// requiredProvidersTF is added to a copy of an example that does not declare the provider itself (resource
// and function snippets, as tfplugindocs shows them), so that Terraform resolves protectedmedia to this
// provider rather than to hashicorp/protectedmedia.
const requiredProvidersTF = `terraform {
  required_providers {
    protectedmedia = {
      source = "` + providerSource + `"
    }
  }
}
`

func TestExamples(t *testing.T) {
	root := repoRoot(t)
	dirs := exampleDirs(t, filepath.Join(root, "examples"))
	for _, want := range []string{"demo", "provider", "resources/protectedmedia_bucket_pair", "functions/django_storages"} {
		if !slices.Contains(dirs, want) {
			t.Errorf("examples/%s has no .tf files; found %v", want, dirs)
		}
	}
	v := newExampleValidator(t, root)
	for _, dir := range dirs {
		t.Run(dir, func(t *testing.T) {
			t.Parallel()
			for _, p := range v.check(t, filepath.Join(root, "examples", dir)) {
				t.Error(p)
			}
		})
	}
}

// The check itself must catch what it is there for: a badly formatted file, an unknown argument, a wrong
// function call.
func TestExamplesCheckCatchesBrokenExample(t *testing.T) {
	v := newExampleValidator(t, repoRoot(t))
	dir := t.TempDir()
	broken := `resource "protectedmedia_bucket_pair" "site" {
  media_bucket = "example-media"
  static_bucket   = "example-static"
  no_such_argument = true
}

output "storages" {
  value = provider::protectedmedia::django_storages("example-media", "example-static")
}
`
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(broken), 0o600); err != nil {
		t.Fatal(err)
	}
	problems := strings.Join(v.check(t, dir), "\n")
	for _, want := range []string{"terraform fmt", `An argument named "no_such_argument" is not expected here`, "Not enough function arguments"} {
		if !strings.Contains(problems, want) {
			t.Errorf("the check did not report %q; it reported:\n%s", want, problems)
		}
	}
}

type exampleValidator struct {
	terraform string
	tfrc      string
}

// newExampleValidator builds the provider from source once and writes a CLI configuration that points
// Terraform at it.
func newExampleValidator(t *testing.T, root string) *exampleValidator {
	t.Helper()
	terraform, err := exec.LookPath("terraform")
	if err != nil {
		t.Fatalf("the example checks need terraform on PATH: %v", err)
	}
	tmp := t.TempDir()
	bin := filepath.Join(tmp, "bin")
	build := exec.Command("go", "build", "-o", filepath.Join(bin, "terraform-provider-protectedmedia"), ".")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the provider: %v\n%s", err, out)
	}
	tfrc := filepath.Join(tmp, "terraformrc")
	rc := fmt.Sprintf("provider_installation {\n  dev_overrides {\n    %q = %q\n  }\n  direct {}\n}\n",
		"registry.terraform.io/"+providerSource, bin)
	if err := os.WriteFile(tfrc, []byte(rc), 0o600); err != nil {
		t.Fatal(err)
	}
	return &exampleValidator{terraform: terraform, tfrc: tfrc}
}

// check returns what is wrong with the example in dir: formatting, then validation against the schema.
func (v *exampleValidator) check(t *testing.T, dir string) []string {
	t.Helper()
	var problems []string
	if out, err := v.run(dir, "fmt", "-check", "-diff", "-no-color", "."); err != nil {
		problems = append(problems, fmt.Sprintf("not formatted as terraform fmt would (%v); run `make fmt`:\n%s", err, out))
	}

	// Validate a copy: the example directory stays untouched, and snippets get the provider's source.
	work := t.TempDir()
	files, err := filepath.Glob(filepath.Join(dir, "*.tf"))
	if err != nil {
		t.Fatal(err)
	}
	declared := false
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		declared = declared || bytes.Contains(b, []byte(`"`+providerSource+`"`))
		if err := os.WriteFile(filepath.Join(work, filepath.Base(f)), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if !declared {
		if err := os.WriteFile(filepath.Join(work, "zz_required_providers.tf"), []byte(requiredProvidersTF), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	out, err := v.run(work, "validate", "-json", "-no-color")
	var result tfjson.ValidateOutput
	if jsonErr := json.Unmarshal(out, &result); jsonErr != nil {
		return append(problems, fmt.Sprintf("terraform validate: %v (output not JSON: %v)\n%s", err, jsonErr, out))
	}
	for _, d := range result.Diagnostics {
		if d.Severity == tfjson.DiagnosticSeverityWarning && d.Summary == devOverrideWarning {
			continue
		}
		where := ""
		if d.Range != nil {
			where = fmt.Sprintf(" (%s line %d)", d.Range.Filename, d.Range.Start.Line)
		}
		problems = append(problems, fmt.Sprintf("terraform validate %s%s: %s: %s", d.Severity, where, d.Summary, d.Detail))
	}
	if !result.Valid && len(problems) == 0 {
		problems = append(problems, fmt.Sprintf("terraform validate: not valid (%v)\n%s", err, out))
	}
	return problems
}

func (v *exampleValidator) run(dir string, args ...string) ([]byte, error) {
	cmd := exec.Command(v.terraform, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "TF_CLI_CONFIG_FILE="+v.tfrc, "TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if err != nil && stderr.Len() > 0 {
		err = fmt.Errorf("%w: %s", err, strings.TrimSpace(stderr.String()))
	}
	return stdout.Bytes(), err
}

// exampleDirs lists the directories under examples that hold .tf files, relative to it.
func exampleDirs(t *testing.T, examples string) []string {
	t.Helper()
	var dirs []string
	err := filepath.WalkDir(examples, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && strings.HasPrefix(d.Name(), ".") && path != examples {
			return filepath.SkipDir // .terraform and the like, left by a local run
		}
		if !d.IsDir() && filepath.Ext(path) == ".tf" {
			rel, err := filepath.Rel(examples, filepath.Dir(path))
			if err != nil {
				return err
			}
			if rel = filepath.ToSlash(rel); !slices.Contains(dirs, rel) {
				dirs = append(dirs, rel)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return dirs
}

// repoRoot is the module root: the tests run in internal/provider.
func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("module root not found from %s: %v", root, err)
	}
	return root
}
