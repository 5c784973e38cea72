package provider

import (
	"testing"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/recovery"
)

func TestRestoreMethodList(t *testing.T) {
	if got := choiceList(recovery.Methods); got != "`copy` or `remove_delete_markers`" {
		t.Fatalf("%q", got)
	}
}
