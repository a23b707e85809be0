package metrics

import (
	"math"
	"sync/atomic"
)

// GaugeVec is a gauge family: one Gauge per combination of label values.
type GaugeVec struct {
	meta
	series seriesSet[Gauge]
}

// With returns the gauge for the given label values, in the order of the
// label names given at registration, creating it on first use. Once the
// series exists With does not allocate.
// It panics if the number of values differs from the number of label names.
func (v *GaugeVec) With(labelValues ...string) *Gauge {
	return v.series.get(v.name, labelValues)
}

func (v *GaugeVec) appendText(b []byte) []byte {
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

// Gauge is a value that goes up and down. It is safe for concurrent use.
type Gauge struct {
	bits atomic.Uint64 // math.Float64bits of the value
}

func newGauge() *Gauge { return new(Gauge) }

// Set sets the gauge to x.
func (g *Gauge) Set(x float64) { g.bits.Store(math.Float64bits(x)) }

// Add adds d, which may be negative.
func (g *Gauge) Add(d float64) { addFloat(&g.bits, d) }

// Sub subtracts d.
func (g *Gauge) Sub(d float64) { addFloat(&g.bits, -d) }

// Inc adds 1.
func (g *Gauge) Inc() { addFloat(&g.bits, 1) }

// Dec subtracts 1.
func (g *Gauge) Dec() { addFloat(&g.bits, -1) }

// Value returns the current value.
func (g *Gauge) Value() float64 { return math.Float64frombits(g.bits.Load()) }
