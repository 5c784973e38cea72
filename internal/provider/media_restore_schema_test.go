package provider

import (
	"testing"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/recovery"
)

func TestRestoreMethodList(t *testing.T) {
	if got := choiceList(recovery.Methods); got != "`copy`, `remove_delete_markers` or `batch_operations`" {
		t.Fatalf("%q", got)
	}
}
