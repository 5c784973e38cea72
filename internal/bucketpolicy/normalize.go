package bucketpolicy

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
	"sync"
)

// defaultVersion is what AWS assumes when a policy has no Version element.
const defaultVersion = "2008-10-17"

// Equivalent reports whether two policy documents grant and deny the same things. It returns an error only
// when a document is not valid policy JSON; the error says which one, "first" or "second", and why.
func Equivalent(a, b string) (bool, error) {
	na, err := canonical(a)
	if err != nil {
		return false, fmt.Errorf("first policy is invalid: %w", err)
	}
	nb, err := canonical(b)
	if err != nil {
		return false, fmt.Errorf("second policy is invalid: %w", err)
	}
	return na == nb, nil
}

// Normalize returns the canonical compact JSON form of a policy, the form Equivalent compares, so a message
// can show a diff that contains only real differences. Labels (Sid, Id) are dropped, sets are sorted and
// deduplicated, actions and condition keys are lower-cased, and statements are sorted.
func Normalize(doc string) (string, error) {
	n, err := canonical(doc)
	if err != nil {
		return "", fmt.Errorf("invalid bucket policy: %w", err)
	}
	return n, nil
}

// canonical parses doc and re-encodes it so that two documents with the same meaning encode identically:
// every set becomes a sorted slice and every object a map, which encoding/json writes with sorted keys.
func canonical(doc string) (string, error) {
	dec := json.NewDecoder(strings.NewReader(doc))
	// Numbers stay as written, so a condition value 5 becomes "5" and unknown fields keep their precision.
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return "", fmt.Errorf("not valid JSON: %w", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return "", errors.New("not valid JSON: unexpected data after the top-level value")
	}
	top, ok := v.(map[string]any)
	if !ok {
		return "", fmt.Errorf("the policy must be a JSON object, got %s", kind(v))
	}

	out := map[string]any{"Version": defaultVersion}
	for k, val := range top {
		switch k {
		case "Version":
			s, ok := val.(string)
			if !ok {
				return "", fmt.Errorf("Version must be a string, got %s", kind(val))
			}
			out[k] = s
		case "Id":
			// A label, like Sid: it grants nothing.
		case "Statement":
			stmts, err := statements(val)
			if err != nil {
				return "", err
			}
			out[k] = stmts
		default:
			out[k] = val
		}
	}
	if _, ok := out["Statement"]; !ok {
		return "", errors.New("missing Statement")
	}
	return marshal(out)
}

// statements returns the canonical statements sorted by their encoding; duplicates are kept because the
// comparison is of multisets.
func statements(v any) ([]json.RawMessage, error) {
	var list []any
	switch t := v.(type) {
	case map[string]any:
		list = []any{t}
	case []any:
		list = t
	default:
		return nil, fmt.Errorf("Statement must be an object or an array of objects, got %s", kind(v))
	}
	encoded := make([]string, 0, len(list))
	for i, s := range list {
		m, ok := s.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("Statement[%d] must be an object, got %s", i, kind(s))
		}
		n, err := statementOf(m)
		if err != nil {
			return nil, fmt.Errorf("Statement[%d]: %w", i, err)
		}
		e, err := marshal(n)
		if err != nil {
			return nil, fmt.Errorf("Statement[%d]: %w", i, err)
		}
		encoded = append(encoded, e)
	}
	slices.Sort(encoded)
	out := make([]json.RawMessage, len(encoded))
	for i, e := range encoded {
		out[i] = json.RawMessage(e)
	}
	return out, nil
}

func statementOf(m map[string]any) (map[string]any, error) {
	out := make(map[string]any, len(m))
	for k, v := range m {
		var (
			n   any
			err error
		)
		switch k {
		case "Sid":
			continue
		case "Effect":
			s, ok := v.(string)
			if !ok {
				err = fmt.Errorf("must be a string, got %s", kind(v))
			}
			n = s
		case "Action", "NotAction":
			// IAM matches action names case-insensitively.
			n, err = stringSet(v, strings.ToLower)
		case "Resource", "NotResource":
			n, err = stringSet(v, nil)
		case "Principal", "NotPrincipal":
			n, err = principal(v)
		case "Condition":
			var c map[string]map[string][]string
			c, err = condition(v)
			if err == nil && len(c) == 0 {
				// An empty Condition restricts nothing, the same as none.
				continue
			}
			n = c
		default:
			n = v
		}
		if err != nil {
			return nil, fmt.Errorf("%s %w", k, err)
		}
		out[k] = n
	}
	if _, ok := out["Effect"]; !ok {
		return nil, errors.New("missing Effect")
	}
	return out, nil
}

// Compiled on first use rather than at start-up: Terraform starts the provider three times per plan.
// accountRootARN matches an account's root user ARN. S3 stores an AWS principal written as a bare account
// ID in this form, and both name the account, so they compare as the account ID.
var accountRootARN = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^arn:aws(-[a-z]+)*:iam::([0-9]{12}):root$`) })

// principal returns a principal as type -> sorted values; "*" means everyone, the same as {"AWS": "*"}, and
// an account's root ARN is its account ID.
func principal(v any) (map[string][]string, error) {
	switch t := v.(type) {
	case string:
		if t != "*" {
			return nil, fmt.Errorf(`must be "*" or an object, got the string %q`, t)
		}
		return map[string][]string{"AWS": {"*"}}, nil
	case map[string]any:
		out := make(map[string][]string, len(t))
		for typ, vals := range t {
			set, err := stringSet(vals, nil)
			if err != nil {
				return nil, fmt.Errorf("%s %w", typ, err)
			}
			if typ == "AWS" {
				for i, s := range set {
					if m := accountRootARN().FindStringSubmatch(s); m != nil {
						set[i] = m[2]
					}
				}
				set = sortedSet(set)
			}
			out[typ] = set
		}
		return out, nil
	default:
		return nil, fmt.Errorf(`must be "*" or an object, got %s`, kind(v))
	}
}

// condition returns operator -> lower-cased key -> sorted values. Condition keys are case-insensitive in IAM,
// so keys that differ only in case are merged; their values are alternatives either way.
func condition(v any) (map[string]map[string][]string, error) {
	ops, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("must be an object, got %s", kind(v))
	}
	out := make(map[string]map[string][]string, len(ops))
	for op, keysV := range ops {
		keys, ok := keysV.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("%s must be an object, got %s", op, kind(keysV))
		}
		if len(keys) == 0 {
			continue
		}
		byKey := make(map[string][]string, len(keys))
		for key, vals := range keys {
			set, err := conditionValues(vals)
			if err != nil {
				return nil, fmt.Errorf("%s.%s %w", op, key, err)
			}
			lk := strings.ToLower(key)
			if prev, ok := byKey[lk]; ok {
				set = sortedSet(append(prev, set...))
			}
			byKey[lk] = set
		}
		out[op] = byKey
	}
	return out, nil
}

// conditionValues returns condition values as strings: IAM compares them as text, so false equals "false"
// and 5 equals "5".
func conditionValues(v any) ([]string, error) {
	list, ok := v.([]any)
	if !ok {
		list = []any{v}
	}
	out := make([]string, 0, len(list))
	for _, e := range list {
		switch t := e.(type) {
		case string:
			out = append(out, t)
		case bool:
			out = append(out, fmt.Sprint(t))
		case json.Number:
			out = append(out, t.String())
		default:
			return nil, fmt.Errorf("must be a string, boolean, number or an array of them, got %s", kind(e))
		}
	}
	return sortedSet(out), nil
}

// stringSet accepts a string or an array of strings and returns them sorted and deduplicated, after fold.
func stringSet(v any, fold func(string) string) ([]string, error) {
	var out []string
	switch t := v.(type) {
	case string:
		out = []string{t}
	case []any:
		out = make([]string, 0, len(t))
		for _, e := range t {
			s, ok := e.(string)
			if !ok {
				return nil, fmt.Errorf("must be a string or an array of strings, found %s in the array", kind(e))
			}
			out = append(out, s)
		}
	default:
		return nil, fmt.Errorf("must be a string or an array of strings, got %s", kind(v))
	}
	if fold != nil {
		for i := range out {
			out[i] = fold(out[i])
		}
	}
	return sortedSet(out), nil
}

func sortedSet(s []string) []string {
	slices.Sort(s)
	return slices.Compact(s)
}

// kind names a decoded JSON value's type for error messages.
func kind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case json.Number:
		return "a number"
	case string:
		return "a string"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	default:
		return fmt.Sprintf("%T", v)
	}
}
