package loadtest

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Content length bounds, in characters (runes). The API accepts up to
// 10,000; real reports are rarely longer than a few paragraphs.
const (
	minContent = 40
	maxContent = 800
)

// Generator makes realistic citizen reports for the ticket API: Vietnamese
// text across the usual 1022 topics, written the way each channel writes
// (an operator's summary of a call, a citizen's letter, a chat message with
// abbreviations or without diacritics), with random names and mobile
// numbers. The same seed gives the same sequence of reports.
//
// A Generator is not safe for concurrent use; give each goroutine its own.
type Generator struct {
	r *rand.Rand
}

// NewGenerator returns a Generator whose reports depend only on seed (and on
// the categories and areas passed to Report).
func NewGenerator(seed int64) *Generator { return newGenerator(seed, 0) }

// newGenerator returns a Generator on one of several independent streams of
// the same seed, so that each load-test worker has its own reproducible
// sequence.
func newGenerator(seed int64, stream uint64) *Generator {
	return &Generator{r: rand.New(rand.NewPCG(uint64(seed), stream))}
}

// style is how a report is written.
type style int

const (
	operatorStyle style = iota // a call, summarised by the operator
	writtenStyle               // a citizen's own text on the web, app or email
	chatStyle                  // a chat message on Zalo, Messenger or Viber
)

// Report returns one report as the JSON body of POST /api/v1/tickets:
// channel and content always; title, category (from categories), area (from
// areas), address and contact when the report has them. About one report in
// ten is anonymous and has no "contact" key at all. Empty categories or
// areas mean reports without those fields.
func (g *Generator) Report(categories, areas []string) map[string]any {
	channel := pickWeighted(g.r, channels)
	st := writtenStyle
	switch channel {
	case "phone":
		st = operatorStyle
	case "zalo", "messenger", "viber":
		st = chatStyle
	case "app":
		if g.chance(30) {
			st = chatStyle
		}
	}
	t := &topics[g.topicIndex()]

	street := streets[g.r.IntN(len(streets))]
	no := g.houseNumber()
	alley := pick(g.r, alleyWords) + " " + strconv.Itoa(1+g.r.IntN(200))
	fill := strings.NewReplacer(
		"{street}", street[0], "{sname}", street[1], "{no}", no, "{alley}", alley,
		"{place}", pick(g.r, places), "{time}", g.since(),
	)

	content, plain := g.content(t, st, fill)
	report := map[string]any{"channel": channel, "content": content}

	titled := 15
	if st == writtenStyle {
		titled = 80
	}
	if g.chance(titled) {
		title := capitalize(fill.Replace(pick(g.r, t.titles)))
		if plain {
			title = stripDiacritics(title)
		}
		report["title"] = title
	}
	if c := g.category(t, categories); c != "" {
		report["category"] = c
	}
	if len(areas) > 0 && g.chance(85) {
		report["area"] = areas[g.r.IntN(len(areas))]
	}
	if !t.question && g.chance(35) {
		if g.chance(50) {
			report["address"] = no + " " + street[1]
		} else {
			report["address"] = alley + " " + street[1]
		}
	}
	// An email always has a sender; on other channels people may stay
	// anonymous.
	if channel == "email" || !g.chance(10) {
		report["contact"] = g.contact(channel == "email")
	}
	return report
}

// content writes the text of a report. plain reports whether it was written
// without diacritics.
func (g *Generator) content(t *topic, st style, fill *strings.Replacer) (text string, plain bool) {
	var parts []string
	if st == chatStyle && len(t.shorts) > 0 && g.chance(35) {
		// A stop, so that a closing or an added detail reads as a
		// sentence of its own.
		parts = append(parts, pick(g.r, t.shorts)+".")
		if c := pick(g.r, chatClosings); c != "" {
			parts = append(parts, c)
		}
	} else {
		parts = g.sentences(t, st)
	}
	// Terse messages get a detail until they reach the minimum length.
	for i := 0; runeLen(fill.Replace(strings.Join(parts, " "))) < minContent; i++ {
		parts = append(parts, t.details[i%len(t.details)])
	}
	text = capitalize(fill.Replace(strings.Join(parts, " ")))

	// Some people type without a Vietnamese keyboard, chat users most.
	plainChance := 4
	if st == chatStyle {
		plainChance = 30
	}
	plain = g.chance(plainChance)
	if st == chatStyle && g.chance(60) {
		text = g.abbreviate(text)
	}
	if plain {
		text = stripDiacritics(text)
	}
	return clip(text, maxContent), plain
}

// sentences writes a full report: opener and problem, maybe since when,
// details, the citizen's request and a closing. About a quarter of the
// reports are long, with every detail and, when the citizen writes, some
// extra sentences.
func (g *Generator) sentences(t *topic, st style) []string {
	var opener string
	switch {
	case t.question && st == operatorStyle:
		opener = pick(g.r, operatorQuestionOpeners)
	case t.question:
		opener = pick(g.r, questionOpeners)
	case st == operatorStyle:
		opener = pick(g.r, operatorOpeners)
	case st == writtenStyle:
		opener = pick(g.r, writtenOpeners)
	default:
		opener = pick(g.r, chatOpeners)
	}
	problem := pick(g.r, t.problems)
	if opener == "" || strings.HasSuffix(opener, ": ") || strings.HasSuffix(opener, ". ") {
		problem = capitalize(problem)
	}
	end := "."
	if t.question {
		end = "?"
	}
	parts := []string{opener + problem + end}
	if !t.question && !strings.Contains(problem, "{time}") && g.chance(40) {
		parts = append(parts, "Tình trạng này kéo dài {time}.")
	}

	var details, extra int
	switch n := g.r.IntN(100); {
	case n < 15: // brief
	case n < 75:
		details = 1 + g.r.IntN(2)
	default:
		details = len(t.details)
		if st == writtenStyle {
			extra = 2 + g.r.IntN(3)
		}
	}
	for _, i := range g.r.Perm(len(t.details))[:min(details, len(t.details))] {
		parts = append(parts, t.details[i])
	}
	for _, i := range g.r.Perm(len(extras))[:extra] {
		parts = append(parts, extras[i])
	}
	if details > 0 || g.chance(50) {
		parts = append(parts, pick(g.r, t.requests))
	}
	switch st {
	case chatStyle:
		if c := pick(g.r, chatClosings); c != "" {
			parts = append(parts, c)
		}
	case writtenStyle:
		parts = append(parts, pick(g.r, closings))
	}
	return parts
}

// category picks a category for topic t among those the server has: one of
// the topic's own when the server knows it, otherwise any. Operators leave
// some reports unclassified at intake, so about one in five has none.
func (g *Generator) category(t *topic, categories []string) string {
	if len(categories) == 0 || g.chance(20) {
		return ""
	}
	if g.chance(90) {
		for _, want := range t.categories {
			for _, c := range categories {
				if c == want {
					return c
				}
			}
		}
	}
	return categories[g.r.IntN(len(categories))]
}

// contact returns a reporter: name and mobile number, and an email address
// for email reports and some others.
func (g *Generator) contact(withEmail bool) map[string]any {
	family := pickWeighted(g.r, familyNames)
	var middle, given string
	if g.chance(50) {
		middle, given = pick(g.r, femaleMiddle), pick(g.r, femaleGiven)
		if middle == "Thị" && g.chance(20) {
			middle += " " + pick(g.r, femaleMiddle[3:])
		}
	} else {
		middle, given = pick(g.r, maleMiddle), pick(g.r, maleGiven)
	}
	if strings.HasSuffix(middle, given) {
		// "Nguyễn Minh Minh": rare in life, odd in a demo.
		given = pick(g.r, []string{"An", "Bảo", "Châu", "Khoa"})
	}
	c := map[string]any{
		"name":  family + " " + middle + " " + given,
		"phone": g.mobileNumber(),
	}
	if withEmail || g.chance(12) {
		local := strings.ToLower(stripDiacritics(given + "." + family))
		if g.chance(60) {
			local += strconv.Itoa(60 + g.r.IntN(46))
		}
		c["email"] = local + "@" + pickWeighted(g.r, emailDomains)
	}
	return c
}

// mobileNumber returns a 10-digit Vietnamese mobile number.
func (g *Generator) mobileNumber() string {
	p := pick(g.r, mobilePrefixes)
	if p == "089" {
		return fmt.Sprintf("089%d%06d", 6+g.r.IntN(4), g.r.IntN(1_000_000))
	}
	return fmt.Sprintf("%s%07d", p, g.r.IntN(10_000_000))
}

// houseNumber returns a house number as Vietnamese addresses write them:
// "45", "45/3" (a house in the alley beside number 45), "112A", "203/14/5".
func (g *Generator) houseNumber() string {
	n := 1 + g.r.IntN(350)
	switch k := g.r.IntN(10); {
	case k < 6:
		return strconv.Itoa(n)
	case k < 8:
		return fmt.Sprintf("%d/%d", n, 1+g.r.IntN(40))
	case k < 9:
		return fmt.Sprintf("%d%c", n, 'A'+rune(g.r.IntN(4)))
	default:
		return fmt.Sprintf("%d/%d/%d", n, 1+g.r.IntN(30), 1+g.r.IntN(12))
	}
}

// since returns since when a problem has lasted.
func (g *Generator) since() string {
	switch g.r.IntN(8) {
	case 0:
		return fmt.Sprintf("từ %dh tối qua", 18+g.r.IntN(5))
	case 1:
		return fmt.Sprintf("từ %d giờ sáng nay", 5+g.r.IntN(5))
	case 2:
		return "từ chiều hôm qua"
	case 3:
		return "từ đầu tuần"
	case 4:
		return fmt.Sprintf("%d ngày nay", 2+g.r.IntN(4))
	case 5:
		return "gần một tuần nay"
	case 6:
		return "từ hôm " + pick(g.r, []string{"thứ hai", "thứ ba", "thứ năm", "thứ bảy", "chủ nhật"})
	default:
		return "từ đầu tháng đến nay"
	}
}

// topicIndex picks a topic by weight.
func (g *Generator) topicIndex() int {
	total := 0
	for _, t := range topics {
		total += t.weight
	}
	n := g.r.IntN(total)
	for i, t := range topics {
		if n < t.weight {
			return i
		}
		n -= t.weight
	}
	return len(topics) - 1
}

// chatWords are the abbreviations of Vietnamese chat.
var chatWords = map[string]string{
	"không": "ko", "được": "dc", "với": "vs", "rồi": "r", "gì": "j",
	"biết": "bít", "nhiều": "nhìu", "vậy": "v",
}

// abbreviate shortens most of the words that chat users shorten. It works
// on whole words: "rồi" becomes "r" but "trồi" stays.
func (g *Generator) abbreviate(s string) string {
	words := strings.Split(s, " ")
	for i, w := range words {
		core := strings.TrimRight(w, ".,?!:")
		short, ok := chatWords[strings.ToLower(core)]
		if !ok || !g.chance(75) {
			continue
		}
		if core != strings.ToLower(core) {
			short = capitalize(short)
		}
		words[i] = short + w[len(core):]
	}
	return strings.Join(words, " ")
}

func (g *Generator) chance(percent int) bool { return g.r.IntN(100) < percent }

type weighted[T any] struct {
	v T
	w int
}

func pickWeighted[T any](r *rand.Rand, xs []weighted[T]) T {
	total := 0
	for _, x := range xs {
		total += x.w
	}
	n := r.IntN(total)
	for _, x := range xs {
		if n < x.w {
			return x.v
		}
		n -= x.w
	}
	return xs[len(xs)-1].v
}

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

func runeLen(s string) int { return utf8.RuneCountInString(s) }

// capitalize upper-cases the first letter of s.
func capitalize(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return strings.ToUpper(string(r)) + s[n:]
}

// clip shortens s to at most n characters, at the end of a sentence when
// one ends in the second half, otherwise at a space.
func clip(s string, n int) string {
	if runeLen(s) <= n {
		return s
	}
	i := 0
	for k := range s {
		if i == n {
			s = s[:k]
			break
		}
		i++
	}
	if k := strings.LastIndex(s, ". "); k > len(s)/2 {
		return s[:k+1]
	}
	if k := strings.LastIndexByte(s, ' '); k > 0 {
		return s[:k]
	}
	return s
}

// plainLetters maps each Vietnamese letter with diacritics, in the
// precomposed (NFC) form hotline stores, to its plain letter.
var plainLetters = func() map[rune]rune {
	groups := map[rune]string{
		'a': "àáảãạăằắẳẵặâầấẩẫậ",
		'e': "èéẻẽẹêềếểễệ",
		'i': "ìíỉĩị",
		'o': "òóỏõọôồốổỗộơờớởỡợ",
		'u': "ùúủũụưừứửữự",
		'y': "ỳýỷỹỵ",
		'd': "đ",
	}
	m := make(map[rune]rune)
	for base, letters := range groups {
		for _, r := range letters {
			m[r] = base
			m[[]rune(strings.ToUpper(string(r)))[0]] = []rune(strings.ToUpper(string(base)))[0]
		}
	}
	return m
}()

// stripDiacritics writes s the way people type without a Vietnamese
// keyboard: "Đèn đường" becomes "Den duong".
func stripDiacritics(s string) string {
	return strings.Map(func(r rune) rune {
		if p, ok := plainLetters[r]; ok {
			return p
		}
		return r
	}, s)
}

// hasDiacritics reports whether s has a Vietnamese letter with diacritics.
func hasDiacritics(s string) bool {
	for _, r := range s {
		if _, ok := plainLetters[r]; ok {
			return true
		}
	}
	return false
}
