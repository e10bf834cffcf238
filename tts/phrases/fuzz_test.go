package phrases_test

import (
	"bytes"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/halte-transit/halte/tts/phrases"
)

// FuzzLexicon: no lexicon file panics the reader, and a lexicon it takes
// rewrites a text without panicking. Seeds: the built-in lexicons.
func FuzzLexicon(f *testing.F) {
	for _, lang := range phrases.Languages {
		data, err := os.ReadFile("lexicon/" + lang + ".txt")
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data, "Robie St. (8223) & St. John's, L14 Hauptstr. 5")
	}
	f.Fuzz(func(t *testing.T, file []byte, text string) {
		lex := &phrases.Lexicon{}
		if err := lex.Load("en", bytes.NewReader(file)); err != nil {
			return
		}
		lex.Apply("en", text)
	})
}

// link is what Speakable promises to leave out: web addresses by their
// scheme or "www.", and e-mail addresses.
var link = regexp.MustCompile(`(?i)\bhttps?://|\bwww\.|\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b`)

// FuzzSpeakable: whatever an agency writes, what the stop says of it holds
// no line break and no web address. Seeds: the golden files' own cases.
func FuzzSpeakable(f *testing.F) {
	for _, s := range []string{"Affected routes:\r\n9\r\n11\r\n\r\nSee www.mbta.com/x for details. Call 617-222-3200.",
		"<p>Werken aan de St.-Pietersnieuwstraat</p>", "L14 dévié jusqu'au 24/12 à partir de 9h", "• Stop A\n• Stop B",
		"Ab 14:30 Uhr bis 24.12.2026 über die Hauptstr. Mo-Fr", "DETOUR IN EFFECT (Stop #36541)"} {
		f.Add(s, uint8(0))
	}
	f.Fuzz(func(t *testing.T, text string, lang uint8) {
		book := phrases.New(phrases.Languages[int(lang)%len(phrases.Languages)], brussels, nil)
		got := book.Speakable(text)
		if strings.ContainsAny(got, "\r\n") {
			t.Fatalf("a line break is left: %q → %q", text, got)
		}
		if link.MatchString(got) {
			t.Fatalf("a web or e-mail address is left: %q → %q", text, got)
		}
	})
}
