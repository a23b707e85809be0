package metrics

import (
	"encoding/binary"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
)

// seriesSet maps label values to the series of one family.
//
// Lookups are on the hot path (every request that counts something), so the
// map is copy-on-write behind an atomic pointer: a lookup is one atomic load
// and one map read, with no lock for readers to contend on and no
// allocation. Adding a series copies the map under a mutex; that happens
// once per label combination, and label cardinality is small by design.
type seriesSet[M any] struct {
	labelNames []string
	newMetric  func() *M
	mu         sync.Mutex // serialises inserts
	m          atomic.Pointer[map[string]series[M]]
}

// series is one label combination and its metric.
type series[M any] struct {
	labelValues []string
	metric      *M
}

// init prepares the set. An unlabelled family gets its only series now, so
// that it is exposed (at zero) before the first observation.
func (s *seriesSet[M]) init(labelNames []string, newMetric func() *M) {
	s.labelNames = labelNames
	s.newMetric = newMetric
	s.m.Store(&map[string]series[M]{})
	if len(labelNames) == 0 {
		s.get("", nil)
	}
}

// get returns the series for labelValues, creating it on first use.
// It panics if the number of values differs from the number of label names.
func (s *seriesSet[M]) get(name string, labelValues []string) *M {
	if len(labelValues) != len(s.labelNames) {
		panic(fmt.Sprintf("metrics: %s: got %d label values for %d label names %q",
			name, len(labelValues), len(s.labelNames), s.labelNames))
	}
	// The key lives on the stack for typical label values, and a map
	// index by string(bytes) does not allocate.
	var buf [128]byte
	key := appendKey(buf[:0], labelValues)
	if ser, ok := (*s.m.Load())[string(key)]; ok {
		return ser.metric
	}
	return s.add(key, labelValues)
}

// add is the slow path of get: it inserts a new series.
func (s *seriesSet[M]) add(key []byte, labelValues []string) *M {
	s.mu.Lock()
	defer s.mu.Unlock()
	old := *s.m.Load()
	if ser, ok := old[string(key)]; ok { // another goroutine won the race
		return ser.metric
	}
	// Clone the values: they are often substrings of a request, which the
	// series would otherwise keep alive for the life of the process.
	values := make([]string, len(labelValues))
	for i, v := range labelValues {
		values[i] = strings.Clone(v)
	}
	ser := series[M]{labelValues: values, metric: s.newMetric()}
	m := make(map[string]series[M], len(old)+1)
	for k, v := range old {
		m[k] = v
	}
	m[string(key)] = ser
	s.m.Store(&m)
	return ser.metric
}

// sorted returns a snapshot of the series, sorted by label values.
func (s *seriesSet[M]) sorted() []series[M] {
	m := *s.m.Load()
	out := make([]series[M], 0, len(m))
	for _, ser := range m {
		out = append(out, ser)
	}
	slices.SortFunc(out, func(a, b series[M]) int {
		return slices.Compare(a.labelValues, b.labelValues)
	})
	return out
}

// appendKey encodes label values unambiguously: each value is prefixed with
// its length, so no choice of separator can make two combinations collide.
func appendKey(b []byte, labelValues []string) []byte {
	for _, v := range labelValues {
		b = binary.AppendUvarint(b, uint64(len(v)))
		b = append(b, v...)
	}
	return b
}
