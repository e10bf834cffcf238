package phrases_test

import (
	"bufio"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/halte-transit/halte/tts/phrases"
)

// notPlain matches what a listener should never hear: a web address,
// markup, a raw id (five digits or more), a clock time written as digits
// (but for English's "7:15 am", which espeak-ng says as people do),
// an abbreviation in capitals (an initialism must be spelled out, "U Z"),
// or one with a full stop ("St.", "nr.").
var notPlain = map[string]*regexp.Regexp{
	"a web address":              regexp.MustCompile(`https?://|www\.|\.(be|com|org)\b`),
	"markup":                     regexp.MustCompile(`[<>&{}\[\]]`),
	"a raw id":                   regexp.MustCompile(`\d{5,}|\b[A-Za-z]+\d+[A-Za-z]*\d*\b`),
	"a time written as digits":   regexp.MustCompile(`\d:\d\d|\d[.h]\d\d\b`),
	"an abbreviation":            regexp.MustCompile(`\b\p{Lu}{2,}\b`),
	"an abbreviation with a dot": regexp.MustCompile(`\b(St|Ste|nr|Nr|bv|ca|dir|ri|perr|min|Str|env)\.`),
}

// englishClock is how English says a time: "at 7:15 am".
var englishClock = regexp.MustCompile(`\b\d{1,2}:\d\d (am|pm)\b`)

// TestPlainSpeech reads every sentence of the golden files (every effect in
// every language, with lines, directions, ends and advice) and checks that
// each is plain to hear: at most phrases.MaxSentenceWords words (a
// spelled-out initialism, "U Z", is one word), and nothing of notPlain.
func TestPlainSpeech(t *testing.T) {
	initialism := regexp.MustCompile(`\b(\p{Lu} )+\p{Lu}\b`)
	for _, lang := range []string{"nl", "fr", "en", "de"} {
		f, err := os.Open(filepath.Join("testdata", lang+".txt"))
		if err != nil {
			t.Fatal(err)
		}
		lines := bufio.NewScanner(f)
		checked := 0
		for lines.Scan() {
			name, said, ok := strings.Cut(lines.Text(), " | ")
			if !ok || strings.HasPrefix(name, "#") {
				continue
			}
			for _, s := range regexp.MustCompile(`[.!?](\s+|$)`).Split(said, -1) {
				if s == "" {
					continue
				}
				checked++
				if n := len(strings.Fields(initialism.ReplaceAllString(s, "X"))); n > phrases.MaxSentenceWords {
					t.Errorf("%s, %s: %d words: %q", lang, name, n, s)
				}
				heard := s
				if lang == "en" {
					heard = englishClock.ReplaceAllString(s, "")
				}
				for what, re := range notPlain {
					if m := re.FindString(heard); m != "" {
						t.Errorf("%s, %s: %s (%q) in %q", lang, name, what, m, s)
					}
				}
			}
		}
		f.Close()
		if checked < 70 {
			t.Errorf("%s: only %d sentences in the golden file", lang, checked)
		}
	}
}
