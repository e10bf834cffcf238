package siri_test

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/halte-transit/halte"
	"github.com/halte-transit/halte/feeds/siri"
	"github.com/halte-transit/halte/internal/testkit"
)

// corpusFiles lists every SIRI-SX file of the shared corpus.
func corpusFiles(t *testing.T) []string {
	t.Helper()
	dir := testkit.Corpus(t, "siri_sx")
	files, _ := filepath.Glob(filepath.Join(dir, "*", "*.xml"))
	more, _ := filepath.Glob(filepath.Join(dir, "*", "*", "*.xml"))
	return append(files, more...)
}

func decode(t *testing.T, raw []byte) []halte.FeedAlert {
	t.Helper()
	alerts, err := siri.Decode(raw, siri.Options{Prefix: "x:", Language: "no"})
	if err != nil {
		t.Fatal(err)
	}
	return alerts
}

var (
	situationTag = regexp.MustCompile(`<(?:\w+:)?PtSituationElement[\s>]`)
	closed       = regexp.MustCompile(`<(?:\w+:)?Progress>\s*closed\s*<`)
	// the publishing scope and a line's destinations are not what is affected
	notAffected = regexp.MustCompile(`(?s)<(?:\w+:)?(PublishingActions|Destinations)>.*?</(?:\w+:)?(PublishingActions|Destinations)>`)
	langText    = regexp.MustCompile(`(?s)<(?:\w+:)?(Summary|Description|Detail|Advice)(?: xml:lang="([^"]*)")?>(.*?)</`)
	refs        = regexp.MustCompile(`<(?:\w+:)?(StopPointRef|StopPlaceRef|LineRef)>([^<]*)<`)
	starts      = regexp.MustCompile(`(?s)<(?:\w+:)?ValidityPeriod>\s*<(?:\w+:)?StartTime>([^<]*)<`)
)

// TestCorpus decodes every SIRI-SX file of the corpus, compares the count of
// situations with one made by pattern (closed ones are not in force), and
// checks that every text, every affected stop and line, and every period's
// start the file holds is in the decoded alerts.
func TestCorpus(t *testing.T) {
	for _, path := range corpusFiles(t) {
		t.Run(filepath.Base(path), func(t *testing.T) {
			raw, _ := os.ReadFile(path)
			alerts := decode(t, raw)
			chunks := situationTag.Split(string(raw), -1)[1:]
			want := 0
			for _, c := range chunks {
				if !closed.MatchString(c) {
					want++
				}
			}
			if len(alerts) != want {
				t.Fatalf("decoded %d situations in force, the file holds %d", len(alerts), want)
			}
			if want == 0 {
				return
			}
			body := notAffected.ReplaceAllString(string(raw), "")
			var texts, ids []string
			var periods []time.Time
			for _, fa := range alerts {
				for _, tx := range []halte.Text{fa.Alert.Header, fa.Alert.Description, fa.Alert.Advice} {
					for _, s := range tx {
						texts = append(texts, s)
					}
				}
				for _, s := range fa.Selectors {
					ids = append(ids, s.Stop, s.Route)
				}
				for _, p := range fa.Alert.Periods {
					periods = append(periods, p.Start)
				}
			}
			for _, m := range langText.FindAllStringSubmatch(body, -1) {
				s := strings.Join(strings.Fields(m[3]), " ")
				if s != "" && !slices.ContainsFunc(texts, func(x string) bool { return strings.Contains(x, s) }) {
					t.Errorf("%s %q (lang %q) is in the file but not in the alerts", m[1], s, m[2])
				}
			}
			for _, m := range refs.FindAllStringSubmatch(body, -1) {
				if !slices.Contains(ids, strings.TrimSpace(m[2])) {
					t.Errorf("%s %q is in the file but not in the selectors", m[1], m[2])
				}
			}
			for _, m := range starts.FindAllStringSubmatch(body, -1) {
				found := false
				for _, p := range periods {
					found = found || strings.HasPrefix(m[1], p.Format("2006-01-02T15:04"))
				}
				if !found {
					t.Errorf("period starting %s is in the file but not in the alerts", m[1])
				}
			}
		})
	}
}

func TestMapping(t *testing.T) {
	doc := `<Siri xmlns="http://www.siri.org.uk/siri"><ServiceDelivery><SituationExchangeDelivery><Situations>
<PtSituationElement><SituationNumber>S/1</SituationNumber><Progress>open</Progress><Severity>severe</Severity>
 <ValidityPeriod><StartTime>2026-12-01T06:00:00</StartTime><EndTime>2026-12-01T20:00:00+01:00</EndTime></ValidityPeriod>
 <PublicationWindow><StartTime>2026-11-30T06:00:00+01:00</StartTime></PublicationWindow>
 <Summary xml:lang="nl">Halte Korenmarkt niet bediend</Summary><Summary xml:lang="fr">Arrêt Korenmarkt non desservi</Summary>
 <Advice xml:lang="nl">Neem tram 4.</Advice>
 <Affects><StopPlaces><AffectedStopPlace><StopPlaceRef>korenmarkt</StopPlaceRef></AffectedStopPlace></StopPlaces></Affects>
 <Consequences><Consequence><Condition>stopCancelled</Condition></Consequence></Consequences>
</PtSituationElement>
<PtSituationElement><SituationNumber>S2</SituationNumber>
 <Affects><Networks><AffectedNetwork><AffectedLine><LineRef>T1</LineRef></AffectedLine></AffectedNetwork></Networks></Affects>
 <Consequences><Consequence><Condition>somethingNew</Condition>
  <Suitabilities><Suitability><Suitable>notSuitable</Suitable><UserNeed><PsychosensoryNeed>visualImpairment</PsychosensoryNeed></UserNeed></Suitability></Suitabilities>
 </Consequence></Consequences>
</PtSituationElement>
<PtSituationElement><SituationNumber>S3</SituationNumber><Progress>closed</Progress></PtSituationElement>
</Situations></SituationExchangeDelivery></ServiceDelivery></Siri>`
	brussels, _ := time.LoadLocation("Europe/Brussels")
	alerts, err := siri.Decode([]byte(doc), siri.Options{Prefix: "gent:", Location: brussels})
	if err != nil {
		t.Fatal(err)
	}
	if len(alerts) != 2 {
		t.Fatalf("%d alerts; the closed one must be left out", len(alerts))
	}
	a := alerts[0]
	if a.Alert.ID != "gent:S_1" || a.Alert.Effect != halte.NoService || a.Alert.Severity != halte.Severe ||
		a.Alert.Header["fr"] != "Arrêt Korenmarkt non desservi" || a.Alert.Advice["nl"] != "Neem tram 4." ||
		a.Selectors[0] != (halte.Selector{Stop: "korenmarkt"}) || len(a.Publish) != 1 {
		t.Fatalf("situation 1: %+v", a)
	}
	if got := a.Alert.Periods[0].Start; !got.Equal(time.Date(2026, 12, 1, 6, 0, 0, 0, brussels)) {
		t.Fatalf("a time without zone is read in the network's: %s", got)
	}
	b := alerts[1]
	if b.Alert.Effect != halte.OtherEffect || !slices.Contains(b.Unmapped, "condition somethingNew") || b.Selectors[0].Route != "T1" {
		t.Fatalf("situation 2: %+v", b)
	}
}

func TestBadDocuments(t *testing.T) {
	cases := map[string]string{
		"unknown namespace": `<Siri xmlns="http://example.com/not-siri"><ServiceDelivery/></Siri>`,
		"no namespace":      `<Siri><ServiceDelivery/></Siri>`,
		"not XML":           `{"json": true}`,
		"truncated":         `<Siri xmlns="http://www.siri.org.uk/siri"><ServiceDelivery><SituationExchangeDelivery><Situations><PtSituationElement><SituationNumber>1`,
		"bad time":          `<Siri xmlns="http://www.siri.org.uk/siri"><PtSituationElement><SituationNumber>1</SituationNumber><ValidityPeriod><StartTime>tomorrow</StartTime></ValidityPeriod></PtSituationElement></Siri>`,
		"empty":             ``,
	}
	for name, doc := range cases {
		if _, err := siri.Decode([]byte(doc), siri.Options{}); err == nil || !strings.Contains(err.Error(), "SIRI") {
			t.Errorf("%s: got %v, want an error about SIRI", name, err)
		}
	}
}
