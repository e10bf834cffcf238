package phrases

import (
	"bufio"
	"embed"
	"fmt"
	"io"
	"sort"
	"strings"
	"unicode"
)

//go:embed lexicon/*.txt
var builtinLexicon embed.FS

// Lexicon fixes how words are spoken, per language: abbreviations ("St.-",
// "P+R") and names that the engine gets wrong. Entries match whole words,
// longest first. It is a plain data file per language, "written = spoken" a
// line, that operators can extend.
type Lexicon struct {
	entries map[string][]entry // language → entries, longest first
}

type entry struct{ from, to string }

// DefaultLexicon returns the built-in lexicon of every language.
func DefaultLexicon() *Lexicon {
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
}

// Load adds the entries of a lexicon file for lang. An error names the line.
func (l *Lexicon) Load(lang string, r io.Reader) error {
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		from, to, ok := strings.Cut(line, "=")
		from, to = strings.TrimSpace(from), strings.TrimSpace(to)
		if !ok || from == "" {
			return fmt.Errorf("lexicon %s line %d: want \"written = spoken\", got %q", lang, n, line)
		}
		l.entries[base(lang)] = append(l.entries[base(lang)], entry{from, to})
	}
	list := l.entries[base(lang)]
	sort.SliceStable(list, func(i, j int) bool { return len(list[i].from) > len(list[j].from) })
	return sc.Err()
}

// Apply rewrites text in lang with the lexicon.
func (l *Lexicon) Apply(lang, text string) string {
	for _, e := range l.entries[base(lang)] {
		text = replaceWord(text, e.from, e.to)
	}
	return text
}

// replaceWord replaces from where it stands as a word of its own: no letter
// or digit right before it, nor right after it when it ends in one.
func replaceWord(text, from, to string) string {
	var b strings.Builder
	for {
		i := strings.Index(text, from)
		if i < 0 {
			b.WriteString(text)
			return b.String()
		}
		end := i + len(from)
		if wordEdge(text[:i], true) && (!endsInWordChar(from) || wordEdge(text[end:], false)) {
			b.WriteString(text[:i])
			b.WriteString(to)
		} else {
			b.WriteString(text[:end])
		}
		text = text[end:]
	}
}

func wordEdge(s string, before bool) bool {
	if s == "" {
		return true
	}
	var r rune
	if before {
		r = []rune(s)[len([]rune(s))-1]
	} else {
		r = []rune(s)[0]
	}
	return !unicode.IsLetter(r) && !unicode.IsDigit(r)
}

func endsInWordChar(s string) bool {
	r := []rune(s)
	return unicode.IsLetter(r[len(r)-1]) || unicode.IsDigit(r[len(r)-1])
}
