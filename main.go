package main

import (
	"context"
	"flag"
	"log"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/provider"
)

// version is set at release time through -ldflags "-X main.version=…".
var version = "dev"

// Address is where Terraform finds the provider.
const address = "registry.terraform.io/protectedmedia/protectedmedia"

func main() {
	var debug bool
	flag.BoolVar(&debug, "debug", false, "run the provider with support for debuggers like delve")
	flag.Parse()

	err := providerserver.Serve(context.Background(), provider.New(version), providerserver.ServeOpts{
		Address: address,
		Debug:   debug,
	})
	if err != nil {
		log.Fatal(err.Error())
	}
}
