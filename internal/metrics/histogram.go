package metrics

import (
	"math"
	"sort"
	"strconv"
	"sync/atomic"
)

// HistogramVec is a histogram family: one Histogram per combination of
// label values, all sharing the same buckets.
type HistogramVec struct {
	meta
	upper  []float64
	series seriesSet[Histogram]
}

// With returns the histogram for the given label values, in the order of
// the label names given at registration, creating it on first use. Once the
// series exists With does not allocate.
// It panics if the number of values differs from the number of label names.
func (v *HistogramVec) With(labelValues ...string) *Histogram {
	return v.series.get(v.name, labelValues)
}

func (v *HistogramVec) appendText(b []byte) []byte {
	all := v.series.sorted()
	if len(all) == 0 {
		return b
	}
	les := make([]string, len(v.upper)+1)
	for i, u := range v.upper {
		les[i] = string(appendFloat(nil, u))
	}
	les[len(v.upper)] = "+Inf"

	b = v.appendHeader(b)
	counts := make([]uint64, len(les))
	for _, s := range all {
		h := s.metric
		// Read the buckets once and derive _count from them, so that
		// _count always equals the +Inf bucket even while observations
		// race with the scrape. _sum may be a few observations ahead or
		// behind; Prometheus tolerates that.
		for i := range counts {
			counts[i] = h.counts[i].Load()
		}
		var cum uint64
		for i, le := range les {
			cum += counts[i]
			b = appendSeries(b, v.name, "_bucket", v.labelNames, s.labelValues, le)
			b = strconv.AppendUint(b, cum, 10)
			b = append(b, '\n')
		}
		b = appendSeries(b, v.name, "_sum", v.labelNames, s.labelValues, "")
		b = appendFloat(b, math.Float64frombits(h.sumBits.Load()))
		b = append(b, '\n')
		b = appendSeries(b, v.name, "_count", v.labelNames, s.labelValues, "")
		b = strconv.AppendUint(b, cum, 10)
		b = append(b, '\n')
	}
	return b
}

// Histogram counts observations in buckets and keeps their sum. It is safe
// for concurrent use.
type Histogram struct {
	upper []float64 // inclusive upper bounds, shared by the family; +Inf implicit
	// counts[i] counts observations in (upper[i-1], upper[i]], and the last
	// element those above every bound. They are not cumulative, so an
	// observation touches one counter; the scrape adds them up.
	counts  []atomic.Uint64
	sumBits atomic.Uint64 // math.Float64bits of the sum of observations
}

func newHistogram(upper []float64) *Histogram {
	return &Histogram{upper: upper, counts: make([]atomic.Uint64, len(upper)+1)}
}

// Observe records x, for example a latency in seconds. A NaN lands in the
// +Inf bucket and makes the sum NaN, as in Prometheus's own clients.
func (h *Histogram) Observe(x float64) {
	h.counts[sort.SearchFloat64s(h.upper, x)].Add(1)
	addFloat(&h.sumBits, x)
}
