package provider

// Every example under examples/ is what the registry docs show and what users copy, so each directory with
// .tf files must be `terraform fmt`-clean, and its protectedmedia blocks must match the provider built from
// this source. Two checks see to the second:
//
//   - `terraform validate`, with the provider installed through a dev_overrides CLI configuration, which lets
//     validate run without `terraform init` (and without a network). It works only for an example that needs
//     no other registry provider and no module.
//   - A check of the arguments themselves, for every example: each protectedmedia resource, data source and
//     provider block is parsed with HCL and its argument names, nested attribute names and blocks are
//     compared with the provider's schema. For an example that composes the provider with another one, such
//     as hashicorp/aws in examples/cloudfront, this is all that can be checked offline: everything but the
//     other provider's blocks.

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	tfjson "github.com/hashicorp/terraform-json"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/zclconf/go-cty/cty"
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
	for _, want := range []string{"demo", "provider", "resources/protectedmedia_bucket_pair", "functions/django_storages", "cloudfront"} {
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
	for _, want := range []string{
		"terraform fmt",
		`An argument named "no_such_argument" is not expected here`,
		"Not enough function arguments",
		`main.tf:4: protectedmedia_bucket_pair.site: unsupported argument "no_such_argument"`,
	} {
		if !strings.Contains(problems, want) {
			t.Errorf("the check did not report %q; it reported:\n%s", want, problems)
		}
	}
}

// An example that needs another provider cannot be validated offline; the schema check must still catch
// every kind of mistake in its protectedmedia blocks, each at its file and line, and nothing else.
func TestExamplesCheckCatchesBrokenExampleWithOtherProvider(t *testing.T) {
	v := newExampleValidator(t, repoRoot(t))
	dir := t.TempDir()
	broken := `terraform {
  required_providers {
    protectedmedia = {
      source = "protectedmedia/protectedmedia"
    }
    aws = {
      source = "hashicorp/aws"
    }
  }
}

resource "protectedmedia_bucket_pair" "site" {
  media_bucket     = "example-media"
  statc_bucket     = "example-static"
  media_versioning = "Enabled"

  static_cdn = {
    distribution_ar = aws_cloudfront_distribution.static.arn
    custom_domain   = "static.example.com"
  }

  static_cors_rules = [{
    allowed_origins = ["*"]
    allowed_method  = ["GET"]
  }]

  media_cdn {
    custom_domain = "media.example.com"
  }

  timeouts {
    creat = "10m"
  }

  lifecycle {
    prevent_destroy = true
  }
}

provider "protectedmedia" {
  regin = "eu-west-1"
}

resource "aws_cloudfront_distribution" "static" {
  not_checked = true
}
`
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(broken), 0o600); err != nil {
		t.Fatal(err)
	}
	problems := v.check(t, dir)
	wants := []struct {
		line int
		text string
	}{
		{12, `protectedmedia_bucket_pair.site: missing required argument "static_bucket"`},
		{14, `protectedmedia_bucket_pair.site: unsupported argument "statc_bucket" (did you mean "static_bucket"?)`},
		{15, `protectedmedia_bucket_pair.site: "media_versioning" is read-only`},
		{17, `protectedmedia_bucket_pair.site.static_cdn: missing required attribute "distribution_arn"`},
		{18, `protectedmedia_bucket_pair.site.static_cdn: unsupported attribute "distribution_ar" (did you mean "distribution_arn"?)`},
		{22, `protectedmedia_bucket_pair.site.static_cors_rules[0]: missing required attribute "allowed_methods"`},
		{24, `protectedmedia_bucket_pair.site.static_cors_rules[0]: unsupported attribute "allowed_method"`},
		{27, `protectedmedia_bucket_pair.site: "media_cdn" is an attribute, not a block: write media_cdn = {`},
		{32, `protectedmedia_bucket_pair.site.timeouts: unsupported argument "creat" (did you mean "create"?)`},
		{41, `provider.protectedmedia: unsupported argument "regin" (did you mean "region"?)`},
	}
	for _, want := range wants {
		at := fmt.Sprintf("main.tf:%d: %s", want.line, want.text)
		if !slices.ContainsFunc(problems, func(p string) bool { return strings.Contains(p, at) }) {
			t.Errorf("the check did not report %q; it reported:\n%s", at, strings.Join(problems, "\n"))
		}
	}
	// Nothing else: no complaint about lifecycle or the aws block, and no validate, which would fail for want
	// of hashicorp/aws.
	if len(problems) != len(wants) {
		t.Errorf("the check reported %d problems, want %d:\n%s", len(problems), len(wants), strings.Join(problems, "\n"))
	}
}

type exampleValidator struct {
	root      string
	terraform string
	tfrc      string
	schema    schemaChecker
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
	return &exampleValidator{root: root, terraform: terraform, tfrc: tfrc, schema: newSchemaChecker(t)}
}

// check returns what is wrong with the example in dir: formatting, arguments the schema does not have, and,
// for an example that needs no other provider, whatever terraform validate finds.
func (v *exampleValidator) check(t *testing.T, dir string) []string {
	t.Helper()
	var problems []string
	if out, err := v.run(dir, "fmt", "-check", "-diff", "-no-color", "."); err != nil {
		problems = append(problems, fmt.Sprintf("not formatted as terraform fmt would (%v); run `make fmt`:\n%s", err, out))
	}

	paths, err := filepath.Glob(filepath.Join(dir, "*.tf"))
	if err != nil {
		t.Fatal(err)
	}
	parser := hclparse.NewParser()
	var files []*hcl.File
	sources := map[string][]byte{}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		sources[filepath.Base(p)] = b
		f, diags := parser.ParseHCL(b, v.displayName(p))
		for _, d := range diags {
			problems = append(problems, d.Error())
		}
		if f != nil {
			files = append(files, f)
		}
	}
	problems = append(problems, v.schema.check(files)...)

	if others := otherProviders(files); len(others) > 0 {
		t.Logf("terraform validate skipped: the example also needs %s, which this check does not install; its "+
			"protectedmedia blocks were checked against the schema", strings.Join(others, ", "))
		return problems
	}
	return append(problems, v.validate(t, sources)...)
}

// validate runs terraform validate on a copy of an example's files: the example directory stays untouched,
// and snippets get the provider's source.
func (v *exampleValidator) validate(t *testing.T, sources map[string][]byte) []string {
	t.Helper()
	work := t.TempDir()
	declared := false
	for name, b := range sources {
		declared = declared || bytes.Contains(b, []byte(`"`+providerSource+`"`))
		if err := os.WriteFile(filepath.Join(work, name), b, 0o600); err != nil {
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
		return []string{fmt.Sprintf("terraform validate: %v (output not JSON: %v)\n%s", err, jsonErr, out)}
	}
	var problems []string
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

// displayName is how problems name a file: relative to the repository when it is in it.
func (v *exampleValidator) displayName(path string) string {
	if rel, err := filepath.Rel(v.root, path); err == nil && !strings.HasPrefix(rel, "..") {
		return filepath.ToSlash(rel)
	}
	return path
}

// otherProviders lists the providers other than this one that the files' required_providers declare, as
// "name (source)".
func otherProviders(files []*hcl.File) []string {
	var others []string
	for _, f := range files {
		body, ok := f.Body.(*hclsyntax.Body)
		if !ok {
			continue
		}
		for _, tb := range body.Blocks {
			if tb.Type != "terraform" {
				continue
			}
			for _, rp := range tb.Body.Blocks {
				if rp.Type != "required_providers" {
					continue
				}
				for _, a := range sortedAttributes(rp.Body.Attributes) {
					// Without a source, Terraform would look for hashicorp/protectedmedia; validate says so.
					if a.Name == "protectedmedia" {
						continue
					}
					if source := providerSourceOf(a); strings.TrimPrefix(strings.ToLower(source), "registry.terraform.io/") != providerSource {
						others = append(others, fmt.Sprintf("%s (%s)", a.Name, source))
					}
				}
			}
		}
	}
	return others
}

// providerSourceOf is the source a required_providers entry names: its source attribute, or hashicorp/<name>
// as Terraform assumes without one.
func providerSourceOf(a *hclsyntax.Attribute) string {
	v, diags := a.Expr.Value(nil)
	if !diags.HasErrors() && v.IsKnown() && !v.IsNull() && v.Type().IsObjectType() && v.Type().HasAttribute("source") {
		if s := v.GetAttr("source"); s.IsKnown() && !s.IsNull() && s.Type() == cty.String {
			return s.AsString()
		}
	}
	return "hashicorp/" + a.Name
}

// schemaChecker compares the protectedmedia blocks of a configuration with the provider's schema, as served
// by the provider itself: argument and nested attribute names, required and read-only attributes, and
// blocks. What an expression evaluates to is left to terraform validate and plan; an argument given by a
// reference or a function call is not looked into.
type schemaChecker struct {
	provider    *tfprotov6.SchemaBlock
	resources   map[string]*tfprotov6.SchemaBlock
	dataSources map[string]*tfprotov6.SchemaBlock
}

func newSchemaChecker(t *testing.T) schemaChecker {
	t.Helper()
	server, err := providerserver.NewProtocol6WithError(New("test")())()
	if err != nil {
		t.Fatal(err)
	}
	resp, err := server.GetProviderSchema(t.Context(), &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range resp.Diagnostics {
		t.Fatalf("GetProviderSchema: %s: %s", d.Summary, d.Detail)
	}
	c := schemaChecker{provider: resp.Provider.Block, resources: map[string]*tfprotov6.SchemaBlock{}, dataSources: map[string]*tfprotov6.SchemaBlock{}}
	for name, s := range resp.ResourceSchemas {
		c.resources[name] = s.Block
	}
	for name, s := range resp.DataSourceSchemas {
		c.dataSources[name] = s.Block
	}
	return c
}

// Terraform's own arguments and blocks, which no provider schema lists.
var (
	resourceMetaArguments = []string{"count", "for_each", "provider", "depends_on"}
	resourceMetaBlocks    = []string{"lifecycle", "provisioner", "connection"}
	providerMetaArguments = []string{"alias", "version"}
)

// check returns one problem per mistake, each starting with file:line.
func (c schemaChecker) check(files []*hcl.File) []string {
	var problems []string
	for _, f := range files {
		body, ok := f.Body.(*hclsyntax.Body)
		if !ok {
			continue
		}
		for _, b := range body.Blocks {
			if len(b.Labels) == 0 {
				continue
			}
			typeName := b.Labels[0]
			switch {
			case b.Type == "provider" && typeName == "protectedmedia":
				problems = append(problems, c.checkBody("provider.protectedmedia", b, c.provider, providerMetaArguments, nil)...)
			case (b.Type == "resource" || b.Type == "data") && strings.HasPrefix(typeName, "protectedmedia_") && len(b.Labels) == 2:
				schemas, addr := c.resources, typeName+"."+b.Labels[1]
				if b.Type == "data" {
					schemas, addr = c.dataSources, "data."+addr
				}
				schema, known := schemas[typeName]
				if !known {
					problems = append(problems, fmt.Sprintf("%s: %s: the provider has no %s type %q", at(b.LabelRanges[0]), addr, b.Type, typeName))
					continue
				}
				problems = append(problems, c.checkBody(addr, b, schema, resourceMetaArguments, resourceMetaBlocks)...)
			}
		}
	}
	return problems
}

// checkBody checks a block's arguments and nested blocks against schema.
func (c schemaChecker) checkBody(addr string, block *hclsyntax.Block, schema *tfprotov6.SchemaBlock, metaArguments, metaBlocks []string) []string {
	var problems []string
	seen := map[string]bool{}
	for _, a := range sortedAttributes(block.Body.Attributes) {
		seen[a.Name] = true
		if slices.Contains(metaArguments, a.Name) {
			continue
		}
		problems = append(problems, checkArgument(addr, "argument", a.Name, a.NameRange, a.Expr, schema.Attributes)...)
	}
	problems = append(problems, missingRequired(addr, "argument", block.DefRange(), schema.Attributes, seen)...)

	for _, b := range block.Body.Blocks {
		if slices.Contains(metaBlocks, b.Type) {
			continue
		}
		name := b.Type
		if b.Type == "dynamic" && len(b.Labels) == 1 {
			name = b.Labels[0]
		}
		i := slices.IndexFunc(schema.BlockTypes, func(bt *tfprotov6.SchemaNestedBlock) bool { return bt.TypeName == name })
		switch {
		case i >= 0 && b.Type == "dynamic":
			// Its content block holds what each instance gets; generated blocks are validate's business.
		case i >= 0:
			problems = append(problems, c.checkBody(addr+"."+name, b, schema.BlockTypes[i].Block, nil, nil)...)
		case slices.ContainsFunc(schema.Attributes, func(a *tfprotov6.SchemaAttribute) bool { return a.Name == name }):
			problems = append(problems, fmt.Sprintf("%s: %s: %q is an attribute, not a block: write %s = { ... }", at(b.TypeRange), addr, name, name))
		default:
			problems = append(problems, fmt.Sprintf("%s: %s: unsupported block type %q%s", at(b.TypeRange), addr, name, suggestion(name, blockTypeNames(schema))))
		}
	}
	return problems
}

// checkArgument checks one argument, or one attribute of an object, named name and set to value.
func checkArgument(addr, kind, name string, rng hcl.Range, value hclsyntax.Expression, attrs []*tfprotov6.SchemaAttribute) []string {
	i := slices.IndexFunc(attrs, func(a *tfprotov6.SchemaAttribute) bool { return a.Name == name })
	if i < 0 {
		return []string{fmt.Sprintf("%s: %s: unsupported %s %q%s", at(rng), addr, kind, name, suggestion(name, attributeNames(attrs)))}
	}
	a := attrs[i]
	if !a.Required && !a.Optional {
		return []string{fmt.Sprintf("%s: %s: %q is read-only: the provider computes it, so a configuration cannot set it", at(rng), addr, name)}
	}
	if a.NestedType == nil {
		return nil
	}
	return checkNested(addr+"."+name, value, a.NestedType)
}

// checkNested checks the objects of a nested attribute's value, as far as the value is written out as object
// (or list, set or map of object) constructors.
func checkNested(addr string, value hclsyntax.Expression, nested *tfprotov6.SchemaObject) []string {
	switch nested.Nesting {
	case tfprotov6.SchemaObjectNestingModeSingle:
		return checkObject(addr, value, nested.Attributes)
	case tfprotov6.SchemaObjectNestingModeList, tfprotov6.SchemaObjectNestingModeSet:
		tuple, ok := value.(*hclsyntax.TupleConsExpr)
		if !ok {
			return nil
		}
		var problems []string
		for i, e := range tuple.Exprs {
			problems = append(problems, checkObject(fmt.Sprintf("%s[%d]", addr, i), e, nested.Attributes)...)
		}
		return problems
	case tfprotov6.SchemaObjectNestingModeMap:
		obj, ok := value.(*hclsyntax.ObjectConsExpr)
		if !ok {
			return nil
		}
		var problems []string
		for _, item := range obj.Items {
			if key, ok := objectKey(item.KeyExpr); ok {
				problems = append(problems, checkObject(fmt.Sprintf("%s[%q]", addr, key), item.ValueExpr, nested.Attributes)...)
			}
		}
		return problems
	default:
		return nil
	}
}

// checkObject checks an object constructor's attributes; any other expression is left alone.
func checkObject(addr string, value hclsyntax.Expression, attrs []*tfprotov6.SchemaAttribute) []string {
	obj, ok := value.(*hclsyntax.ObjectConsExpr)
	if !ok {
		return nil
	}
	var problems []string
	seen := map[string]bool{}
	for _, item := range obj.Items {
		name, ok := objectKey(item.KeyExpr)
		if !ok {
			continue
		}
		seen[name] = true
		problems = append(problems, checkArgument(addr, "attribute", name, item.KeyExpr.Range(), item.ValueExpr, attrs)...)
	}
	return append(problems, missingRequired(addr, "attribute", obj.OpenRange, attrs, seen)...)
}

func missingRequired(addr, kind string, rng hcl.Range, attrs []*tfprotov6.SchemaAttribute, seen map[string]bool) []string {
	var problems []string
	for _, a := range attrs {
		if a.Required && !seen[a.Name] {
			problems = append(problems, fmt.Sprintf("%s: %s: missing required %s %q", at(rng), addr, kind, a.Name))
		}
	}
	return problems
}

// objectKey is the name an object constructor's key spells, bare or quoted; ok is false for a computed key.
func objectKey(key hclsyntax.Expression) (string, bool) {
	v, diags := key.Value(nil)
	if diags.HasErrors() || !v.IsKnown() || v.IsNull() || v.Type() != cty.String {
		return "", false
	}
	return v.AsString(), true
}

func at(rng hcl.Range) string { return fmt.Sprintf("%s:%d", rng.Filename, rng.Start.Line) }

func sortedAttributes(attrs hclsyntax.Attributes) []*hclsyntax.Attribute {
	out := make([]*hclsyntax.Attribute, 0, len(attrs))
	for _, a := range attrs {
		out = append(out, a)
	}
	slices.SortFunc(out, func(a, b *hclsyntax.Attribute) int { return cmp.Compare(a.SrcRange.Start.Byte, b.SrcRange.Start.Byte) })
	return out
}

func attributeNames(attrs []*tfprotov6.SchemaAttribute) []string {
	names := make([]string, len(attrs))
	for i, a := range attrs {
		names[i] = a.Name
	}
	return names
}

func blockTypeNames(schema *tfprotov6.SchemaBlock) []string {
	names := make([]string, len(schema.BlockTypes))
	for i, bt := range schema.BlockTypes {
		names[i] = bt.TypeName
	}
	return names
}

// suggestion is ` (did you mean "x"?)` for the closest of names when the misspelling is small, else "".
func suggestion(name string, names []string) string {
	best, bestDistance := "", 3 // more than two edits is another word, not a typo
	for _, n := range names {
		if d := editDistance(name, n); d < bestDistance {
			best, bestDistance = n, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}

// editDistance is the Levenshtein distance between a and b, over bytes (attribute names are ASCII).
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
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
