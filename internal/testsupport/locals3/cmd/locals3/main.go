// Command locals3 runs a local SeaweedFS S3 server over HTTPS for the demo and manual testing, writes
// the client environment to a file, and stops the server on SIGINT or SIGTERM.
//
//	go run ./internal/testsupport/locals3/cmd/locals3 -binary "$(scripts/ensure-seaweedfs.sh)" -env-file .locals3.env
//	. .locals3.env && aws s3 ls
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/testsupport/locals3"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "locals3:", err)
		os.Exit(1)
	}
}

func run() error {
	binary := flag.String("binary", os.Getenv("PROTECTEDMEDIA_WEED"), "path to the weed binary (default $PROTECTEDMEDIA_WEED)")
	dir := flag.String("dir", "", "data directory, kept on exit (default: a temp dir removed on exit)")
	envFile := flag.String("env-file", "", "file to write `export KEY=VALUE` lines to once the server is ready, removed on exit (default: stdout)")
	flag.Parse()
	if *binary == "" {
		return errors.New("-binary is required (scripts/ensure-seaweedfs.sh prints the path)")
	}
	if *envFile != "" {
		// A file left by an earlier run must not pass for this server being ready.
		if err := os.Remove(*envFile); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	fmt.Fprintln(os.Stderr, "locals3: starting SeaweedFS…")
	began := time.Now()
	srv, err := locals3.Start(ctx, locals3.Options{Binary: *binary, DataDir: *dir})
	if err != nil {
		return err
	}
	defer func() {
		fmt.Fprintln(os.Stderr, "locals3: stopping")
		if err := srv.Stop(); err != nil {
			fmt.Fprintln(os.Stderr, "locals3:", err)
		}
	}()

	// LOCALS3_PID is this process: signalling it stops weed and cleans up; LOCALS3_WEED_PID is weed itself.
	vars := append(srv.Env(), "LOCALS3_PID="+strconv.Itoa(os.Getpid()), "LOCALS3_WEED_PID="+strconv.Itoa(srv.PID))
	if err := writeEnv(*envFile, vars); err != nil {
		return err
	}
	if *envFile != "" {
		defer os.Remove(*envFile)
	}
	fmt.Fprintf(os.Stderr, "locals3: ready at %s (pid %d) in %.1fs; weed output in %s\n",
		srv.Endpoint, srv.PID, time.Since(began).Seconds(), filepath.Join(filepath.Dir(srv.CAFile), "weed.log"))

	select {
	case <-ctx.Done():
		return nil
	case <-srv.Done():
		return fmt.Errorf("weed (pid %d) exited unexpectedly", srv.PID)
	}
}

// writeEnv writes shell export lines to path, or to stdout when path is empty. The file appears whole
// (written aside, then renamed), so a script waiting for it never reads half of it.
func writeEnv(path string, vars []string) error {
	var b strings.Builder
	for _, kv := range vars {
		k, v, _ := strings.Cut(kv, "=")
		fmt.Fprintf(&b, "export %s=%s\n", k, shellQuote(v))
	}
	if path == "" {
		_, err := os.Stdout.WriteString(b.String())
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(b.String()), 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// shellQuote returns v as a single POSIX shell word.
func shellQuote(v string) string {
	if v != "" && strings.Trim(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./:+=@,") == "" {
		return v
	}
	return "'" + strings.ReplaceAll(v, "'", `'\''`) + "'"
}
