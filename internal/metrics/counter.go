package metrics

import (
	"math"
	"sync/atomic"
)

// CounterVec is a counter family: one Counter per combination of label
// values.
type CounterVec struct {
	meta
	series seriesSet[Counter]
}

// With returns the counter for the given label values, in the order of the
// label names given at registration, creating it on first use. Once the
// series exists With does not allocate, so it is fine on the hot path.
// It panics if the number of values differs from the number of label names.
func (v *CounterVec) With(labelValues ...string) *Counter {
	return v.series.get(v.name, labelValues)
}

func (v *CounterVec) appendText(b []byte) []byte {
	all := v.series.sorted()
	if len(all) == 0 {
		return b
	}
	b = v.appendHeader(b)
	for _, s := range all {
		b = appendSample(b, v.name, v.labelNames, s.labelValues, s.metric.Value())
	}
	return b
}

// Counter is a value that only goes up. It is safe for concurrent use.
type Counter struct {
	// Whole-number additions, by far the common case, go to n with a single
	// atomic add; only fractional ones need the compare-and-swap loop on
	// the float bits.
	n    atomic.Uint64
	bits atomic.Uint64 // math.Float64bits of the fractional additions
}

func newCounter() *Counter { return new(Counter) }

// Inc adds 1.
func (c *Counter) Inc() { c.n.Add(1) }

// Add adds d. It panics if d is negative or NaN: a counter that goes down
// is a gauge, and Prometheus would read the drop as a restart.
func (c *Counter) Add(d float64) {
	if !(d >= 0) {
		panic("metrics: counter cannot decrease (Add with a negative or NaN value)")
	}
	if n := uint64(d); float64(n) == d {
		c.n.Add(n)
		return
	}
	addFloat(&c.bits, d)
}

// Value returns the current count.
func (c *Counter) Value() float64 {
	return float64(c.n.Load()) + math.Float64frombits(c.bits.Load())
}

// addFloat atomically adds d to the float64 stored as bits in u.
func addFloat(u *atomic.Uint64, d float64) {
	for {
		old := u.Load()
		if u.CompareAndSwap(old, math.Float64bits(math.Float64frombits(old)+d)) {
			return
		}
	}
}
