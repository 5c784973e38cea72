// Command provwrap stands in for the provider binary in benchmarks: it runs the real provider with the
// same arguments, environment and standard streams, and when it exits appends one line to a stats file:
// the time to the plugin handshake (start-up), the provider's peak resident memory and its CPU time. Terraform sees the
// provider's own handshake, so nothing else changes.
//
//	PROTECTEDMEDIA_BENCH_PROVIDER  path of the real provider binary
//	PROTECTEDMEDIA_BENCH_STATS     file the stats line is appended to
package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"syscall"
	"time"
)

func main() {
	start := time.Now()
	cmd := exec.Command(os.Getenv("PROTECTEDMEDIA_BENCH_PROVIDER"), os.Args[1:]...)
	cmd.Stdin, cmd.Stderr = os.Stdin, os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		fail(err)
	}
	if err := cmd.Start(); err != nil {
		fail(err)
	}
	r := bufio.NewReader(out)
	handshake, err := r.ReadString('\n')
	startup := time.Since(start)
	os.Stdout.WriteString(handshake)
	if err == nil {
		// The rest of the provider's stdout, for as long as it runs; the copy ends with the pipe.
		go func() { _, _ = io.Copy(os.Stdout, r) }()
	}
	waitErr := cmd.Wait()
	var maxRSSKiB int64
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		maxRSSKiB = ru.Maxrss // kibibytes on Linux
	}
	cpu := cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	if f, err := os.OpenFile(os.Getenv("PROTECTEDMEDIA_BENCH_STATS"), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600); err == nil {
		fmt.Fprintf(f, "%d %d %d\n", startup.Microseconds(), maxRSSKiB, cpu.Microseconds())
		f.Close()
	}
	if waitErr != nil {
		os.Exit(1)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "provwrap:", err)
	os.Exit(1)
}
