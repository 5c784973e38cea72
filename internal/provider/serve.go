package provider

import (
	"context"
	"os"
	"strings"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"
)

// address is where Terraform finds the provider.
const address = "registry.terraform.io/protectedmedia/protectedmedia"

// Serve runs the provider as Terraform's plugin until Terraform stops it. With debug, it waits for a
// debugger to attach and prints the TF_REATTACH_PROVIDERS value to use instead.
func Serve(ctx context.Context, version string, debug bool) error {
	if !debug {
		silenceUnreadLogs(os.LookupEnv, os.Setenv)
	}
	var opts []tf6server.ServeOpt
	if debug {
		opts = append(opts, tf6server.WithManagedDebug())
	}
	// As providerserver.Serve does, with the requests' contexts released after each call (serve_contexts.go).
	return tf6server.Serve(address, protocol6Server(New(version)()), opts...)
}

// sdkLogLevels are the variables that set the level of every logger in the provider process: the SDK's root
// logger, its protocol and framework subsystems, and the provider's own logger.
var sdkLogLevels = []string{"TF_LOG_SDK", "TF_LOG_SDK_PROTO", "TF_LOG_SDK_FRAMEWORK", "TF_LOG_PROVIDER_PROTECTEDMEDIA"}

// silenceUnreadLogs turns the provider's logging off when Terraform will drop every line of it. The SDK
// logs each step of every request at TRACE unless told otherwise, and Terraform parses each line only to
// discard it when neither TF_LOG nor TF_LOG_PROVIDER is set (or they say off), which costs CPU in both
// processes on every plan. A level the user set explicitly is left alone.
func silenceUnreadLogs(lookup func(string) (string, bool), set func(string, string) error) {
	level, _ := lookup("TF_LOG_PROVIDER")
	if level == "" {
		level, _ = lookup("TF_LOG")
	}
	if level != "" && !strings.EqualFold(level, "off") {
		return // Terraform records provider logs at some level: keep them all, it filters
	}
	for _, name := range sdkLogLevels {
		if _, ok := lookup(name); !ok {
			_ = set(name, "OFF")
		}
	}
}
