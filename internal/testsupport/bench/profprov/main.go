// Command profprov is the provider with profiles: it serves as main.go does and, when Terraform stops it,
// writes what the environment asks for, one set of files per process:
//
//	PROTECTEDMEDIA_CPUPROFILE_DIR  <pid>.pprof: the CPU profile of the whole process
//	PROTECTEDMEDIA_MEMPROFILE_DIR  <pid>.heap.pprof: the heap profile at exit (inuse_space and alloc_space);
//	                               <pid>.peak.pprof: the heap profile when the heap in use was largest;
//	                               <pid>.goroutine.txt: the goroutines at that peak;
//	                               <pid>.memstats.txt: the peaks of runtime.MemStats and of the goroutine count
//
// Put it behind provwrap (PROTECTEDMEDIA_BENCH_PROVIDER) to profile real plans; merge the files with
// `go tool pprof -top dir/*.pprof` (heap: `-sample_index=inuse_space`).
package main

import (
	"bytes"
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"time"

	"github.com/protectedmedia/terraform-provider-protectedmedia/internal/provider"
)

func main() {
	stop := func() {}
	if dir := os.Getenv("PROTECTEDMEDIA_CPUPROFILE_DIR"); dir != "" {
		f, err := os.Create(filepath.Join(dir, fmt.Sprintf("%d.pprof", os.Getpid())))
		if err != nil {
			log.Fatal(err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			log.Fatal(err)
		}
		stop = func() { pprof.StopCPUProfile(); f.Close() }
	}
	var mem *memWatch
	if dir := os.Getenv("PROTECTEDMEDIA_MEMPROFILE_DIR"); dir != "" {
		runtime.MemProfileRate = 16 << 10 // finer than the default 512 KiB: the heap is tens of MiB
		mem = watchMemory(dir)
	}
	err := provider.Serve(context.Background(), "dev", false)
	stop()
	if mem != nil {
		mem.finish()
	}
	if err != nil {
		log.Fatal(err)
	}
}

// memWatch samples runtime.MemStats every few milliseconds and keeps the peaks, with a heap profile and the
// goroutines taken at the largest heap in use.
type memWatch struct {
	dir  string
	done chan struct{}
	quit chan struct{}
	peak struct {
		heapInuse, heapSys, heapAlloc, stackInuse, sys uint64
		goroutines                                     int
		numGC                                          uint32
		at                                             time.Duration
	}
	peakHeap, peakGoroutines bytes.Buffer
}

const memSampleEvery = 20 * time.Millisecond

func watchMemory(dir string) *memWatch {
	w := &memWatch{dir: dir, done: make(chan struct{}), quit: make(chan struct{})}
	start := time.Now()
	go func() {
		defer close(w.done)
		t := time.NewTicker(memSampleEvery)
		defer t.Stop()
		var ms runtime.MemStats
		var lastProfiled uint64
		for {
			select {
			case <-w.quit:
				return
			case <-t.C:
			}
			runtime.ReadMemStats(&ms)
			p := &w.peak
			p.heapSys = max(p.heapSys, ms.HeapSys)
			p.heapAlloc = max(p.heapAlloc, ms.HeapAlloc)
			p.stackInuse = max(p.stackInuse, ms.StackInuse)
			p.sys = max(p.sys, ms.Sys)
			p.goroutines = max(p.goroutines, runtime.NumGoroutine())
			if ms.HeapInuse > p.heapInuse {
				p.heapInuse, p.numGC, p.at = ms.HeapInuse, ms.NumGC, time.Since(start)
				// A new profile only when the peak moved by 1 MiB, so the sampling costs little.
				if ms.HeapInuse > lastProfiled+1<<20 {
					lastProfiled = ms.HeapInuse
					w.peakHeap.Reset()
					w.peakGoroutines.Reset()
					_ = pprof.Lookup("heap").WriteTo(&w.peakHeap, 0)
					_ = pprof.Lookup("goroutine").WriteTo(&w.peakGoroutines, 1)
				}
			}
		}
	}()
	return w
}

func (w *memWatch) finish() {
	close(w.quit)
	<-w.done
	pid := os.Getpid()
	name := func(suffix string) string { return filepath.Join(w.dir, fmt.Sprintf("%d.%s", pid, suffix)) }
	if f, err := os.Create(name("heap.pprof")); err == nil {
		_ = pprof.Lookup("heap").WriteTo(f, 0)
		f.Close()
	}
	_ = os.WriteFile(name("peak.pprof"), w.peakHeap.Bytes(), 0o600)
	_ = os.WriteFile(name("goroutine.txt"), w.peakGoroutines.Bytes(), 0o600)
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	p := w.peak
	const mib = 1 << 20
	stats := fmt.Sprintf("peak HeapInuse=%.1fMiB at %s (GC #%d) HeapAlloc=%.1fMiB HeapSys=%.1fMiB StackInuse=%.1fMiB Sys=%.1fMiB goroutines=%d\n"+
		"exit HeapInuse=%.1fMiB HeapSys=%.1fMiB HeapReleased=%.1fMiB StackInuse=%.1fMiB Sys=%.1fMiB NumGC=%d TotalAlloc=%.1fMiB goroutines=%d\n",
		float64(p.heapInuse)/mib, p.at.Round(time.Millisecond), p.numGC, float64(p.heapAlloc)/mib, float64(p.heapSys)/mib,
		float64(p.stackInuse)/mib, float64(p.sys)/mib, p.goroutines,
		float64(ms.HeapInuse)/mib, float64(ms.HeapSys)/mib, float64(ms.HeapReleased)/mib, float64(ms.StackInuse)/mib,
		float64(ms.Sys)/mib, ms.NumGC, float64(ms.TotalAlloc)/mib, runtime.NumGoroutine())
	_ = os.WriteFile(name("memstats.txt"), []byte(stats), 0o600)
}
