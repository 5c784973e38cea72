// Package policydoc reads bucket policy documents the way IAM accepts them, for the semantics layers that
// evaluate policies (policyguard, awsbehaviour): a single statement or an array of them, and values that are
// a string or a list of strings.
package policydoc

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
)

// Document is a parsed bucket policy.
type Document struct {
	Statement Statements `json:"Statement"`
}

// Statement is one statement, with the elements the layers read.
type Statement struct {
	Effect       string                           `json:"Effect"`
	Principal    json.RawMessage                  `json:"Principal"`
	NotPrincipal json.RawMessage                  `json:"NotPrincipal"`
	Action       StringList                       `json:"Action"`
	NotAction    StringList                       `json:"NotAction"`
	Resource     StringList                       `json:"Resource"`
	NotResource  StringList                       `json:"NotResource"`
	Condition    map[string]map[string]StringList `json:"Condition"`
}

// Statements is Statement, which IAM accepts as one object or an array of them.
type Statements []Statement

func (s *Statements) UnmarshalJSON(b []byte) error {
	if b = bytes.TrimSpace(b); len(b) > 0 && b[0] == '{' {
		var one Statement
		if err := json.Unmarshal(b, &one); err != nil {
			return err
		}
		*s = Statements{one}
		return nil
	}
	return json.Unmarshal(b, (*[]Statement)(s))
}

// StringList is a policy value IAM accepts as a string or an array; condition values may also be booleans
// or numbers, which compare as their text.
type StringList []string

func (l *StringList) UnmarshalJSON(b []byte) error {
	var raw any
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	items, isList := raw.([]any)
	if !isList {
		items = []any{raw}
	}
	*l = nil
	for _, item := range items {
		switch v := item.(type) {
		case string:
			*l = append(*l, v)
		case bool:
			*l = append(*l, strconv.FormatBool(v))
		case float64:
			*l = append(*l, strconv.FormatFloat(v, 'f', -1, 64))
		default:
			return errors.New("policy value is neither a string nor a list of strings")
		}
	}
	return nil
}

// AWSPrincipals reads a Principal as the layers understand it: "*" (returned as ["*"]) or {"AWS": "*" or
// ARNs}. Any other form, or none, gives nil.
func AWSPrincipals(raw json.RawMessage) []string {
	if raw == nil {
		return nil
	}
	var star string
	if json.Unmarshal(raw, &star) == nil {
		if star == "*" {
			return []string{"*"}
		}
		return nil
	}
	var byType map[string]StringList
	if json.Unmarshal(raw, &byType) != nil {
		return nil
	}
	return byType["AWS"]
}
