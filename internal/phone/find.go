package phone

import "unicode"

// Find returns the numbers written in a text (a chat message: "số tôi là
// 0912 345 678"), in their stored form, each once, in order. A run of
// digits and the separators people put in numbers counts when Normalize
// takes it; short codes (1022) are left out, as they name no person.
func Find(text string) []string {
	var out []string
	seen := map[string]bool{}
	rs := []rune(text)
	for i := 0; i < len(rs); {
		r := foldWidth(rs[i])
		if !('0' <= r && r <= '9') && r != '+' {
			i++
			continue
		}
		j, digits := i, 0
		for j < len(rs) {
			c := foldWidth(rs[j])
			if '0' <= c && c <= '9' {
				digits++
			} else if !(c == '+' && j == i) && !(c == ' ' || c == '.' || c == '-' || c == '(' || c == ')' || unicode.Is(unicode.Pd, c)) {
				break
			}
			j++
		}
		if digits >= 9 && digits <= maxDigits {
			if n, err := Parse(string(rs[i:j])); err == nil && n.Kind != Short && !seen[n.E164] {
				seen[n.E164] = true
				out = append(out, n.E164)
			}
		}
		i = j
	}
	return out
}
