package phrases

import (
	"bufio"
	"embed"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

//go:embed lexicon/*.txt
var builtinLexicon embed.FS

// Lexicon fixes how words are spoken, per language: abbreviations ("St.-",
// "P+R", "Rd") and names that the engine gets wrong. It is a plain data file
// per language, "written = spoken" a line, that operators can extend.
// Entries match whole words, longest first, and case matters. A section
// header limits the entries below it to a position:
//
//	[anywhere]          the default
//	[after a name]      the word before starts with a capital or a digit: "Robie St" → "Robie Street"
//	[before a name]     the word after starts with a capital: "St. John's" → "Saint John's"
//	[before a number]   a number follows, with or without a space: "L14" → "ligne 14"
//	[end of a word]     the end of a longer word: "Hauptstr." → "Hauptstraße"
//
// The zero value is an empty lexicon.
type Lexicon struct {
	entries map[string][]entry // language → entries, longest first
}

type entry struct {
	from, to string
	where    position
}

// position is where an entry applies.
type position int

const (
	anywhere position = iota
	afterName
	beforeName
	beforeNumber
	wordEnd
)

var sections = map[string]position{"[anywhere]": anywhere, "[after a name]": afterName,
	"[before a name]": beforeName, "[before a number]": beforeNumber, "[end of a word]": wordEnd}

// DefaultLexicon returns the built-in lexicon of every language, a copy of
// its own that Load may extend.
func DefaultLexicon() *Lexicon {
	l := &Lexicon{entries: make(map[string][]entry, len(Languages))}
	for lang, entries := range builtin().entries {
		l.entries[lang] = slices.Clone(entries)
	}
	return l
}

// builtin is the built-in lexicon, read once: every phrase book without a
// lexicon of its own starts from it.
var builtin = sync.OnceValue(func() *Lexicon {
	l := &Lexicon{entries: map[string][]entry{}}
	for _, lang := range Languages {
		f, err := builtinLexicon.Open("lexicon/" + lang + ".txt")
		if err != nil {
			panic(err) // embedded, one per language
		}
		if err := l.Load(lang, f); err != nil {
			panic(err) // the built-in files are tested to load
		}
		f.Close()
	}
	return l
})

// Load adds the entries of a lexicon file for lang. An error names the line.
func (l *Lexicon) Load(lang string, r io.Reader) error {
	if l.entries == nil {
		l.entries = map[string][]entry{}
	}
	sc := bufio.NewScanner(r)
	where := anywhere
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if strings.HasPrefix(line, "[") {
			w, ok := sections[line]
			if !ok {
				return fmt.Errorf("lexicon %s line %d: unknown section %q (want one of [anywhere], [after a name], [before a name], [before a number], [end of a word])", lang, n, line)
			}
			where = w
			continue
		}
		from, to, ok := strings.Cut(line, "=")
		from, to = strings.TrimSpace(from), strings.TrimSpace(to)
		if !ok || from == "" {
			return fmt.Errorf("lexicon %s line %d: want \"written = spoken\", got %q", lang, n, line)
		}
		l.entries[base(lang)] = append(l.entries[base(lang)], entry{from, to, where})
	}
	list := l.entries[base(lang)]
	sort.SliceStable(list, func(i, j int) bool { return len(list[i].from) > len(list[j].from) })
	return sc.Err()
}

// Apply rewrites text in lang with the lexicon.
func (l *Lexicon) Apply(lang, text string) string {
	for _, e := range l.entries[base(lang)] {
		text = e.replace(text)
	}
	return text
}

// replace puts e.to where e.from stands as a word of its own (no letter or
// digit right before it, nor right after it when it ends in one) at e's
// position.
func (e entry) replace(text string) string {
	var b strings.Builder
	done := 0 // text[:done] is written
	for at := 0; ; {
		i := strings.Index(text[at:], e.from)
		if i < 0 {
			b.WriteString(text[done:])
			return b.String()
		}
		i += at
		end := i + len(e.from)
		before, after := text[:i], text[end:]
		at = end
		if !e.matches(before, after) {
			continue
		}
		b.WriteString(text[done:i])
		b.WriteString(e.to)
		if e.where == beforeNumber && after != "" && isDigit(firstRune(after)) {
			b.WriteString(" ")
		}
		if strings.HasSuffix(e.from, ".") && !strings.HasSuffix(e.to, ".") && e.where != beforeName && sentenceEnds(after) {
			b.WriteString(".") // the abbreviation's point also ended the sentence
		}
		done = end
	}
}

func (e entry) matches(before, after string) bool {
	if e.where == wordEnd {
		return before != "" && unicode.IsLetter(lastRune(before)) && (!endsInWordChar(e.from) || wordEdge(after, false))
	}
	if !wordEdge(before, true) {
		return false
	}
	if e.where == beforeNumber {
		rest := strings.TrimLeft(after, " ")
		return rest != "" && isDigit(firstRune(rest))
	}
	if endsInWordChar(e.from) && !wordEdge(after, false) {
		return false
	}
	switch e.where {
	case afterName:
		w := lastWord(before)
		return w != "" && (unicode.IsUpper(firstRune(w)) || isDigit(firstRune(w)))
	case beforeName:
		w := firstWord(after)
		return w != "" && unicode.IsUpper(firstRune(w))
	}
	return true
}

// sentenceEnds reports whether what follows a point starts a new sentence.
func sentenceEnds(after string) bool {
	rest := strings.TrimLeft(after, " ")
	return rest == "" || len(rest) < len(after) && unicode.IsUpper(firstRune(rest))
}

// lastWord is the word before a space that ends s ("" when s does not end
// in a space), without the brackets and quotes before it.
func lastWord(s string) string {
	f := strings.Fields(s)
	if len(f) == 0 || !strings.HasSuffix(s, " ") {
		return ""
	}
	return strings.TrimLeft(f[len(f)-1], "([\"'“‘")
}

// firstWord is the word after a space that starts s ("" when s does not
// start with a space), without the brackets and quotes before it.
func firstWord(s string) string {
	f := strings.Fields(s)
	if len(f) == 0 || !strings.HasPrefix(s, " ") {
		return ""
	}
	return strings.TrimLeft(f[0], "([\"'“‘")
}

func wordEdge(s string, before bool) bool {
	if s == "" {
		return true
	}
	r := firstRune(s)
	if before {
		r = lastRune(s)
	}
	return !unicode.IsLetter(r) && !unicode.IsDigit(r)
}

func endsInWordChar(s string) bool {
	r := lastRune(s)
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

func firstRune(s string) rune {
	r, _ := utf8.DecodeRuneInString(s)
	return r
}

func lastRune(s string) rune {
	r, _ := utf8.DecodeLastRuneInString(s)
	return r
}

func isDigit(r rune) bool { return r >= '0' && r <= '9' }
