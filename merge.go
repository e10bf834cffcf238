package halte

import (
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
)

// LinesPlaceholder stands, in a merged alert's texts, where the feed named
// its line ("Route 4 detour" → "{lines} detour"): the phrase book puts the
// names of all the merged lines there.
const LinesPlaceholder = "{lines}"

// lineWords are the words that introduce a line's name in agencies' texts,
// in the languages halte reads ("Route 4", "L 45", "ligne 14", "Linie 3").
const lineWords = `routes?|lines?|lignes?|l|linien?|lijnen?|lijn|bus(?:es|lijn)?|trams?|tramlijn`

// Merge says alerts that say the same thing once. Alerts merge when they
// differ only in their lines, in the feed that sent them, or in the stop
// they were sent for: the same effect, cause, severity and periods, and the
// same texts once the lines' names are taken out. The first of a group
// stands for it, with every line of the group and the others in Also;
// nothing is dropped. Items that are not alerts pass through. Order is kept.
func Merge(items []Item) []Item {
	var out []Item
	var keys []string
	for _, it := range items {
		if it.Kind != ItemAlert && it.Kind != ItemUpcoming {
			out, keys = append(out, it), append(keys, "")
			continue
		}
		key := sayingKey(it)
		i := slices.Index(keys, key)
		if i < 0 {
			out, keys = append(out, it), append(keys, key)
			continue
		}
		out[i] = join(out[i], it)
	}
	for i, it := range out {
		if len(it.Also) > 0 {
			out[i].Alert = withPlaceholders(it)
		}
	}
	return out
}

// join adds it to the group led by lead.
func join(lead, it Item) Item {
	lead.Also = append(lead.Also, it)
	for _, l := range it.Alert.Lines {
		if !slices.ContainsFunc(lead.Alert.Lines, func(m Line) bool { return m.ID == l.ID && m.Direction == l.Direction }) {
			lead.Alert.Lines = append(lead.Alert.Lines, l)
		}
	}
	slices.SortStableFunc(lead.Alert.Lines, func(a, b Line) int { return compareNatural(lineName(a), lineName(b)) })
	for _, s := range it.Alert.Stops {
		if !slices.Contains(lead.Alert.Stops, s) {
			lead.Alert.Stops = append(lead.Alert.Stops, s)
		}
	}
	return lead
}

// sayingKey is what an item says with its lines' names taken out.
func sayingKey(it Item) string {
	a := it.Alert
	strip := lineMentions(a.Lines)
	var b strings.Builder
	b.WriteString(strconv.Itoa(int(it.Kind)) + "|" + string(a.Effect) + "|" + a.Cause + "|" + string(a.Severity) + "|")
	b.WriteString(it.Start.String() + "|")
	for _, p := range a.Periods {
		b.WriteString(p.Start.String() + "/" + p.End.String() + ";")
	}
	for _, t := range []Text{a.Header, a.Description, a.Speech, a.Advice, a.URL} {
		b.WriteString("|")
		for _, lang := range slices.Sorted(maps.Keys(t)) {
			b.WriteString(lang + "=" + normalizeSpace(strings.ToLower(strip(t[lang]))) + ";")
		}
	}
	return b.String()
}

// withPlaceholders puts LinesPlaceholder where the lead's texts name a line
// of the group, so that the phrase book can name them all there.
func withPlaceholders(it Item) Alert {
	a := it.Alert
	strip := lineMentions(a.Lines)
	for _, t := range []*Text{&a.Header, &a.Description, &a.Speech, &a.Advice} {
		if *t == nil {
			continue
		}
		out := Text{}
		for lang, s := range *t {
			out[lang] = strip(s)
		}
		*t = out
	}
	return a
}

// lineMentions returns a function that replaces each mention of one of the
// lines (a line word and the name, "Route 4", "Lignes 2, 4 et 14", or the
// name alone where it is not a bare number) with LinesPlaceholder.
func lineMentions(lines []Line) func(string) string {
	var names []string
	for _, l := range lines {
		for _, n := range []string{l.Name, l.ID} {
			if q := regexp.QuoteMeta(n); n != "" && !slices.Contains(names, q) {
				names = append(names, q)
			}
		}
	}
	if len(names) == 0 {
		return func(s string) string { return s }
	}
	slices.SortFunc(names, func(a, b string) int { return len(b) - len(a) })
	name := `(?:` + strings.Join(names, "|") + `)`
	list := name + `(?:\s*(?:,|&|/|\band\b|\bet\b|\ben\b|\bund\b)\s*` + name + `)*`
	withWord := regexp.MustCompile(`(?i)\b(?:` + lineWords + `)\s*` + list + `\b`)
	bare := regexp.MustCompile(`(?i)\b` + list + `\b`)
	return func(s string) string {
		s = withWord.ReplaceAllString(s, LinesPlaceholder)
		return bare.ReplaceAllStringFunc(s, func(m string) string {
			if strings.IndexFunc(m, unicode.IsLetter) < 0 {
				return m // a bare number may be anything: a time, a count
			}
			return LinesPlaceholder
		})
	}
}

func lineName(l Line) string {
	if l.Name != "" {
		return l.Name
	}
	return l.ID
}

// compareNatural orders "4" < "7A" < "8" < "90" < "N1": numbers by value.
func compareNatural(a, b string) int {
	na, ra := leadingNumber(a)
	nb, rb := leadingNumber(b)
	switch {
	case na >= 0 && nb >= 0 && na != nb:
		return na - nb
	case na >= 0 && nb < 0:
		return -1
	case na < 0 && nb >= 0:
		return 1
	}
	return strings.Compare(ra, rb)
}

func leadingNumber(s string) (int, string) {
	i := strings.IndexFunc(s, func(r rune) bool { return r < '0' || r > '9' })
	if i < 0 {
		i = len(s)
	}
	if i == 0 || i > 9 {
		return -1, s
	}
	n, _ := strconv.Atoi(s[:i])
	return n, s[i:]
}

func normalizeSpace(s string) string { return strings.Join(strings.Fields(s), " ") }
