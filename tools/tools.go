//go:build tools

// Package tools pins the documentation generator in a module of its own, so that neither it nor its
// dependencies enter the provider's go.mod. Generate docs/ from the repository root with:
//
//	cd tools && go run github.com/hashicorp/terraform-plugin-docs/cmd/tfplugindocs generate --provider-dir .. --provider-name protectedmedia
//
// tfplugindocs builds the provider and reads its schema through the terraform binary on PATH; it downloads
// Terraform only when none is found there.
package tools

import (
	_ "github.com/hashicorp/terraform-plugin-docs/cmd/tfplugindocs"
)
