package metrics

import (
	"math"
	"strconv"
)

// This file encodes the text exposition format, version 0.0.4:
// https://prometheus.io/docs/instrumenting/exposition_formats/

// appendSample appends one line, `name{labels} value`, for a counter or
// gauge series.
func appendSample(b []byte, name string, labelNames, labelValues []string, v float64) []byte {
	b = appendSeries(b, name, "", labelNames, labelValues, "")
	b = appendFloat(b, v)
	return append(b, '\n')
}

// appendSeries appends a sample name and its labels, then a space. When le
// is not empty it is added as the last label, as histogram buckets need.
// The braces are left out when there are no labels at all.
func appendSeries(b []byte, name, suffix string, labelNames, labelValues []string, le string) []byte {
	b = append(b, name...)
	b = append(b, suffix...)
	if len(labelNames) > 0 || le != "" {
		b = append(b, '{')
		for i, l := range labelNames {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendLabel(b, l, labelValues[i])
		}
		if le != "" {
			if len(labelNames) > 0 {
				b = append(b, ',')
			}
			b = appendLabel(b, "le", le)
		}
		b = append(b, '}')
	}
	return append(b, ' ')
}

// appendLabel appends name="value" with the value escaped.
func appendLabel(b []byte, name, value string) []byte {
	b = append(b, name...)
	b = append(b, `="`...)
	for i := 0; i < len(value); i++ {
		switch c := value[i]; c {
		case '\\':
			b = append(b, `\\`...)
		case '"':
			b = append(b, `\"`...)
		case '\n':
			b = append(b, `\n`...)
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}

// appendEscapedHelp appends HELP text. The format escapes only backslash
// and newline there; double quotes stay as they are.
func appendEscapedHelp(b []byte, help string) []byte {
	for i := 0; i < len(help); i++ {
		switch c := help[i]; c {
		case '\\':
			b = append(b, `\\`...)
		case '\n':
			b = append(b, `\n`...)
		default:
			b = append(b, c)
		}
	}
	return b
}

// appendFloat appends a sample value or bucket bound the way Prometheus's
// own clients do: shortest round-trip form, with +Inf, -Inf and NaN
// spelled as the format requires.
func appendFloat(b []byte, v float64) []byte {
	switch {
	case math.IsInf(v, +1):
		return append(b, "+Inf"...)
	case math.IsInf(v, -1):
		return append(b, "-Inf"...)
	case math.IsNaN(v):
		return append(b, "NaN"...)
	}
	return strconv.AppendFloat(b, v, 'g', -1, 64)
}

// validMetricName reports whether name matches [a-zA-Z_:][a-zA-Z0-9_:]*.
func validMetricName(name string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(isAlpha(c) || c == '_' || c == ':' || i > 0 && isDigit(c)) {
			return false
		}
	}
	return true
}

// validLabelName reports whether name matches [a-zA-Z_][a-zA-Z0-9_]* and
// does not start with "__", which Prometheus reserves for itself.
func validLabelName(name string) bool {
	if name == "" || len(name) >= 2 && name[:2] == "__" {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(isAlpha(c) || c == '_' || i > 0 && isDigit(c)) {
			return false
		}
	}
	return true
}

func isAlpha(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
func isDigit(c byte) bool { return '0' <= c && c <= '9' }
