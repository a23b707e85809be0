package metrics

import (
	"bytes"
	"os"
	"runtime"
	"runtime/metrics"
	"strconv"
	"time"
)

// processStart approximates the process start time. Package variables are
// initialised before main runs, so this is within milliseconds of exec, and
// it needs neither /proc nor the kernel's clock tick rate.
var processStart = time.Now()

// RegisterGoMetrics registers the standard process and Go runtime metrics
// under the names Prometheus's own Go client uses, so existing dashboards
// work: go_goroutines, go_memstats_alloc_bytes, go_memstats_heap_inuse_bytes,
// go_gc_cycles_total, process_start_time_seconds and, where /proc/self/statm
// is readable (Linux), process_resident_memory_bytes. All are read at scrape
// time; runtime/metrics is used rather than runtime.ReadMemStats because it
// does not stop the world.
//
// It panics if called twice on the same registry.
func (r *Registry) RegisterGoMetrics() {
	r.GaugeFunc("go_goroutines", "Number of goroutines that currently exist.",
		func() float64 { return float64(runtime.NumGoroutine()) })
	r.GaugeFunc("go_memstats_alloc_bytes",
		"Number of bytes allocated in heap and currently in use. Equals to /memory/classes/heap/objects:bytes.",
		func() float64 { return readRuntime("/memory/classes/heap/objects:bytes") })
	r.GaugeFunc("go_memstats_heap_inuse_bytes",
		"Number of heap bytes that are in use. Equals to /memory/classes/heap/objects:bytes + /memory/classes/heap/unused:bytes.",
		func() float64 {
			return readRuntime("/memory/classes/heap/objects:bytes", "/memory/classes/heap/unused:bytes")
		})
	r.CounterFunc("go_gc_cycles_total", "Count of all completed GC cycles.",
		func() float64 { return readRuntime("/gc/cycles/total:gc-cycles") })
	r.GaugeFunc("process_start_time_seconds", "Start time of the process since unix epoch in seconds.",
		func() float64 { return float64(processStart.UnixNano()) / 1e9 })
	if _, ok := residentMemory(); ok {
		r.register("process_resident_memory_bytes", &funcFamily{
			meta: newMeta("process_resident_memory_bytes", "Resident memory size in bytes.", "gauge", nil),
			fn:   residentMemory,
		}, "process_resident_memory_bytes")
	}
}

// readRuntime returns the sum of the named runtime/metrics values, all of
// which must be uint64 metrics. A name the runtime does not support counts
// as zero rather than failing the scrape.
func readRuntime(names ...string) float64 {
	samples := make([]metrics.Sample, len(names))
	for i, n := range names {
		samples[i].Name = n
	}
	metrics.Read(samples)
	var sum float64
	for _, s := range samples {
		if s.Value.Kind() == metrics.KindUint64 {
			sum += float64(s.Value.Uint64())
		}
	}
	return sum
}

// residentMemory reads the resident set size from /proc/self/statm, whose
// second field is the number of resident pages. ok is false where there is
// no such file, and the metric is then left out of the scrape.
func residentMemory() (bytesRSS float64, ok bool) {
	data, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0, false
	}
	fields := bytes.Fields(data)
	if len(fields) < 2 {
		return 0, false
	}
	pages, err := strconv.ParseUint(string(fields[1]), 10, 64)
	if err != nil {
		return 0, false
	}
	return float64(pages) * float64(os.Getpagesize()), true
}
