package main

import (
	"context"
	"flag"
	"log"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/provider"
)

// version is set at release time through -ldflags "-X main.version=…".
var version = "dev"

func main() {
	var debug bool
	flag.BoolVar(&debug, "debug", false, "run the provider with support for debuggers like delve")
	flag.Parse()

	if err := provider.Serve(context.Background(), version, debug); err != nil {
		log.Fatal(err.Error())
	}
}
