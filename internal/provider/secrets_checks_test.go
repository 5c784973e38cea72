package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	tfjson "github.com/hashicorp/terraform-json"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
)

// mustNotContain fails when secret appears anywhere in doc rendered as JSON, the form `terraform show
// -json` gives. The document must be non-trivial, or the check would prove nothing.
func mustNotContain(where string, doc any, secret string) error {
	b, err := json.Marshal(doc)
	if err != nil {
		return err
	}
	if len(b) < 200 {
		return fmt.Errorf("%s is suspiciously small (%d bytes) to search for a secret", where, len(b))
	}
	if strings.Contains(string(b), secret) {
		return fmt.Errorf("a secret appears in %s", where)
	}
	return nil
}

type planCheck func(*tfjson.Plan) error

func (f planCheck) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	resp.Error = f(req.Plan)
}

type stateCheck func(*tfjson.State) error

func (f stateCheck) CheckState(_ context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	resp.Error = f(req.State)
}
