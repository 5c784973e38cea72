// Command profprov is the provider with a CPU profile: it serves as main.go does and writes the
// profile of the whole process to $PROTECTEDMEDIA_CPUPROFILE_DIR/<pid>.pprof when Terraform stops it.
// Put it behind provwrap (PROTECTEDMEDIA_BENCH_PROVIDER) to profile real plans; merge the files with
// `go tool pprof -top dir/*.pprof`.
package main

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"runtime/pprof"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/provider"
)

func main() {
	f, err := os.Create(filepath.Join(os.Getenv("PROTECTEDMEDIA_CPUPROFILE_DIR"), fmt.Sprintf("%d.pprof", os.Getpid())))
	if err != nil {
		log.Fatal(err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		log.Fatal(err)
	}
	err = provider.Serve(context.Background(), "dev", false)
	pprof.StopCPUProfile()
	f.Close()
	if err != nil {
		log.Fatal(err)
	}
}
