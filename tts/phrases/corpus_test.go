package phrases_test

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/halte-transit/halte"
	"github.com/halte-transit/halte/feeds/gtfsrt"
	"github.com/halte-transit/halte/feeds/siri"
	"github.com/halte-transit/halte/internal/testkit"
	"github.com/halte-transit/halte/tts/phrases"
)

// corpusLanguages is the agency language of each GTFS-Realtime feed of the
// shared corpus (its texts without a language are in it).
var corpusLanguages = map[string]string{"mbta": "en", "bart": "en", "bibus_brest": "fr", "carris_metropolitana": "pt", "gtfs_rt": "en"}

// corpusFeed is one feed of ../shared/corpus, decoded.
type corpusFeed struct {
	name   string
	alerts []halte.FeedAlert
}

func corpusFeeds(t *testing.T) []corpusFeed {
	t.Helper()
	var out []corpusFeed
	rt := testkit.Corpus(t, "gtfs_rt")
	for _, path := range testkit.CorpusFiles(t, "gtfs_rt", "*/*", "*.asciipb") {
		if strings.HasSuffix(path, ".txtpb") || strings.Contains(path, "TripUpdates") {
			continue // a rendering of a .pb beside it; not alerts
		}
		raw, _ := os.ReadFile(path)
		alerts, err := gtfsrt.Decode(raw, gtfsrt.Options{Language: corpusLanguages[filepath.Base(filepath.Dir(path))]})
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		out = append(out, corpusFeed{strings.TrimPrefix(path, rt+"/"), alerts})
	}
	sx := testkit.Corpus(t, "siri_sx")
	for _, path := range testkit.CorpusFiles(t, "siri_sx", "*/*.xml", "*/*/*.xml") {
		raw, _ := os.ReadFile(path)
		alerts, err := siri.Decode(raw, siri.Options{})
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		out = append(out, corpusFeed{"siri/" + strings.TrimPrefix(path, sx+"/"), alerts})
	}
	return out
}

// Left in speech, each of these would be read wrongly or mean nothing to a
// listener.
var (
	rawAbbreviations = map[string]*regexp.Regexp{
		"en": word(`St|Rd|Ave|Blvd|Ln|Dr|Hwy|Pkwy|Sq|NB|SB|EB|WB|opp`),
		"fr": regexp.MustCompile(`(?:^|[^\pL])(?:bd|av|MAJ|L ?\d)(?:[^\pL]|$)`),
		"de": regexp.MustCompile(`str\.|(?:^|[^\pL])(?:Str|Hbf)(?:[^\pL]|$)`),
		"nl": regexp.MustCompile(`str\.|(?:^|[^\pL])(?:ln|stwg)(?:[^\pL]|$)`),
	}
	webAddress = regexp.MustCompile(`(?i)https?://|www\.|\.(com|org|pdf)\b|\S@\S`)
	clockOrDay = regexp.MustCompile(`\b\d{1,2}h\d{0,2}\b|\b\d{1,2}/\d{1,2}\b|\b\d{1,2}u\d{0,2}\b`)
)

// TestCorpusSpokenForms writes what a stop says of every alert of every
// corpus feed, in each language (testdata/corpus/, read by people: run
// with -update and read the diff), and checks each text: no line break, no
// web or e-mail address, no stop code of the feed, no raw abbreviation, no
// feed time or date left as written.
func TestCorpusSpokenForms(t *testing.T) {
	for _, feed := range corpusFeeds(t) {
		t.Run(feed.name, func(t *testing.T) {
			var out strings.Builder
			fmt.Fprintf(&out, "# %s: each alert as a stop says it, per language, at %s\n", feed.name, now.Format("2006-01-02 15:04 MST"))
			for _, fa := range feed.alerts {
				var codes []string
				for _, s := range fa.Selectors {
					if len(s.Stop) >= 3 && strings.Trim(s.Stop, "0123456789") == "" {
						codes = append(codes, s.Stop)
					}
				}
				for _, lang := range phrases.Languages {
					text := phrases.New(lang, brussels, nil).Alert(fa.Alert, now)
					fmt.Fprintf(&out, "%s | %s | %s\n", fa.Alert.ID, lang, text)
					checkSpoken(t, lang, text, codes)
				}
			}
			golden(t, filepath.Join("corpus", strings.NewReplacer("/", "_", ".", "_").Replace(feed.name)+".txt"), out.String())
		})
	}
}

// word matches one of the words as a word of its own, in any script.
func word(alternatives string) *regexp.Regexp {
	return regexp.MustCompile(`(?:^|[^\pL\pN])(?:` + alternatives + `)(?:[^\pL\pN]|$)`)
}

func checkSpoken(t *testing.T, lang, text string, codes []string) {
	t.Helper()
	words := strings.FieldsFunc(text, func(r rune) bool { return !('0' <= r && r <= '9') })
	switch {
	case strings.ContainsAny(text, "\r\n•"):
		t.Errorf("%s: a line break or bullet is left: %q", lang, text)
	case webAddress.MatchString(text):
		t.Errorf("%s: a web or e-mail address is left: %q", lang, text)
	case slices.ContainsFunc(codes, func(c string) bool { return slices.Contains(words, c) }):
		t.Errorf("%s: a stop code of the feed is read out: %q", lang, text)
	case rawAbbreviations[lang].MatchString(text):
		t.Errorf("%s: %q is left as written: %q", lang, rawAbbreviations[lang].FindString(text), text)
	case lang != "en" && clockOrDay.MatchString(text):
		t.Errorf("%s: the feed's time or date %q is left as written: %q", lang, clockOrDay.FindString(text), text)
	}
}
