package api_test

import (
	"io"
	"log/slog"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	rt "github.com/MobilityData/gtfs-realtime-bindings/golang/gtfs"
	"google.golang.org/protobuf/proto"

	"github.com/halte-transit/halte"
	"github.com/halte-transit/halte/feeds/gtfs"
	"github.com/halte-transit/halte/feeds/gtfs/sample"
	"github.com/halte-transit/halte/feeds/gtfsrt"
	"github.com/halte-transit/halte/feeds/hub"
	"github.com/halte-transit/halte/feeds/source"
	"github.com/halte-transit/halte/internal/testkit"
	"github.com/halte-transit/halte/tts/phrases"
)

// exported fetches the GTFS-Realtime export and decodes it with the
// MobilityData bindings.
func (s *site) exported(t *testing.T) (*rt.FeedMessage, []byte) {
	t.Helper()
	resp, body := s.get(t, "/v1/gtfs-rt/alerts.pb", "/v1/gtfs-rt/alerts.pb")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("export: %s", resp.Status)
	}
	msg := &rt.FeedMessage{}
	if err := proto.Unmarshal(body, msg); err != nil {
		t.Fatalf("the export does not decode with the MobilityData bindings: %v", err)
	}
	if msg.GetHeader().GetGtfsRealtimeVersion() != "2.0" || msg.GetHeader().GetIncrementality() != rt.FeedHeader_FULL_DATASET {
		t.Fatalf("export header %v", msg.GetHeader())
	}
	return msg, body
}

// served lists the alerts the API holds, with the stops that carry them.
func (s *site) alertsHeld(t *testing.T) map[string]halte.Alert {
	t.Helper()
	var p struct {
		Items []halte.Alert `json:"items"`
	}
	s.getJSON(t, "/v1/alerts", "/v1/alerts?limit=1000", http.StatusOK, &p)
	out := map[string]halte.Alert{}
	for _, a := range p.Items {
		out[a.ID] = a
	}
	return out
}

// reached resolves an exported feed, read back by halte's own GTFS-Realtime
// reader, with the network: the stops each alert reaches.
func reached(t *testing.T, net *gtfs.Network, feed []byte, at time.Time) map[string][]string {
	t.Helper()
	alerts, err := gtfsrt.Decode(feed, gtfsrt.Options{Language: "en"})
	if err != nil {
		t.Fatalf("the export does not decode: %v", err)
	}
	st := hub.NewState(net, slog.New(slog.NewTextHandler(io.Discard, nil)))
	out := map[string][]string{}
	for _, doc := range st.Plan(st.ReplaceFeed("export", alerts, at), at) {
		for _, id := range doc.AlertIDs() {
			out[id] = append(out[id], doc.Stop)
		}
	}
	for id := range out {
		slices.Sort(out[id])
	}
	return out
}

// The merged alerts of the Ghent site go out as GTFS-Realtime: each alert
// reaches, read back, the stops that carry it, and says itself in every
// language of the phrase book.
func TestExportCarriesTheAlertsAndTheirSpeech(t *testing.T) {
	s, _ := ghent(t)
	s.publish(t, halte.Alert{ID: "tram4-delays", Version: 1, Effect: halte.SignificantDelays, Lines: []halte.Line{{ID: "T4"}},
		Stops: []string{"200801"}, Header: halte.Text{"nl": "Tram 4 heeft vertraging door een defecte tram."}})
	want := slices.Sorted(slices.Values(append(sample.GhentNetwork().RouteDirectionStops("T4", ""), "200801")))
	testkit.WaitFor(t, deadline, "the API with the operator's alert at tram 4's stops and Dampoort", func() bool {
		return slices.Equal(s.alertsHeld(t)["tram4-delays"].Stops, want)
	})
	held := s.alertsHeld(t)
	msg, raw := s.exported(t)
	if len(msg.GetEntity()) != len(held) {
		t.Fatalf("the export has %d entities, the API %d alerts", len(msg.GetEntity()), len(held))
	}
	back := reached(t, sample.GhentNetwork(), raw, s.now)
	for id, a := range held {
		if !slices.Equal(back[id], a.Stops) {
			t.Errorf("alert %s read back from the export reaches %v, its documents are at %v", id, back[id], a.Stops)
		}
	}
	for _, e := range msg.GetEntity() {
		a := held[e.GetId()]
		tts := map[string]string{}
		for _, tr := range e.GetAlert().GetTtsHeaderText().GetTranslation() {
			tts[tr.GetLanguage()] = tr.GetText()
		}
		want := phrases.Languages
		if !a.Header.Empty() {
			want = []string{"nl"} // the operator wrote Dutch only
		}
		for _, lang := range want {
			if tts[lang] != phrases.New(lang, brussels(t), nil).Alert(a, s.now) {
				t.Errorf("alert %s: tts_header_text[%s] = %q, the phrase book says %q", e.GetId(), lang, tts[lang], phrases.New(lang, brussels(t), nil).Alert(a, s.now))
			}
		}
		if len(tts) != len(want) {
			t.Errorf("alert %s: tts in %d languages, want %v", e.GetId(), len(tts), want)
		}
		if e.GetAlert().GetEffect().String() != string(a.Effect) {
			t.Errorf("alert %s: effect %s, want %s", e.GetId(), e.GetAlert().GetEffect(), a.Effect)
		}
	}
	if got := held[gravensteenSkip]; !strings.Contains(phrases.New("fr", brussels(t), nil).Alert(got, s.now), "ne dessert pas cet arrêt") {
		t.Errorf("the French tts of the skip: %q", phrases.New("fr", brussels(t), nil).Alert(got, s.now))
	}
}

// BART's test alerts from ../shared/corpus, through the hub and out again:
// the same texts, effect, cause and periods, and the same stops reached.
func TestExportRoundTripsTheCorpus(t *testing.T) {
	net, err := gtfs.Load(testkit.Corpus(t, "gtfs_static/bart/bart.zip"))
	if err != nil {
		t.Fatal(err)
	}
	file := testkit.Corpus(t, "gtfs_rt/bart/BA-alerts.json")
	feed := &source.Source{Name: "bart", Location: file, Decode: func(b []byte) ([]halte.FeedAlert, error) {
		return gtfsrt.Decode(b, gtfsrt.Options{Prefix: "bart:", Language: "en"})
	}}
	at := time.Unix(1527719250, 0) // the feed's own time
	s := startSite(t, siteConfig{net: net, now: at, feeds: []*source.Source{feed}})
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	original, err := gtfsrt.Decode(raw, gtfsrt.Options{Prefix: "bart:", Language: "en"})
	if err != nil {
		t.Fatal(err)
	}
	placed := reached(t, net, raw, at) // where the hub puts the corpus' alerts
	var held map[string]halte.Alert
	testkit.WaitFor(t, deadline, "the API with BART's alerts at their stops", func() bool {
		held = s.alertsHeld(t)
		for id, stops := range placed {
			if !slices.Equal(held["bart:"+id].Stops, stops) {
				return false
			}
		}
		return len(held) == len(placed)
	})
	msg, out := s.exported(t)
	back := reached(t, net, out, at)
	exported := map[string]*rt.Alert{}
	for _, e := range msg.GetEntity() {
		exported[e.GetId()] = e.GetAlert()
	}
	checked := 0
	for _, fa := range original {
		a, ok := held[fa.Alert.ID]
		if !ok || fa.Alert.Ended(at) {
			continue // on no BART stop, or over at the feed's time
		}
		e := exported[fa.Alert.ID]
		if e == nil {
			t.Fatalf("alert %s is held but not exported", fa.Alert.ID)
		}
		in := fa.Alert
		if got := e.GetHeaderText().GetTranslation(); len(got) != len(in.Header) || in.Header.In("en") != firstText(got) {
			t.Errorf("%s header %v, want %v", in.ID, got, in.Header)
		}
		if got := e.GetDescriptionText().GetTranslation(); in.Description.In("en") != firstText(got) {
			t.Errorf("%s description %v, want %v", in.ID, got, in.Description)
		}
		if e.GetEffect().String() != string(in.Effect) || e.GetCause().String() != in.Cause && in.Cause != "" {
			t.Errorf("%s effect %s cause %s, want %s %s", in.ID, e.GetEffect(), e.GetCause(), in.Effect, in.Cause)
		}
		if len(e.GetActivePeriod()) != len(in.Periods) || len(in.Periods) > 0 && int64(e.GetActivePeriod()[0].GetStart()) != in.Periods[0].Start.Unix() {
			t.Errorf("%s periods %v, want %v", in.ID, e.GetActivePeriod(), in.Periods)
		}
		if !slices.Equal(back[in.ID], a.Stops) {
			t.Errorf("%s read back reaches %d stops, the hub placed it at %d", in.ID, len(back[in.ID]), len(a.Stops))
		}
		if e.GetTtsHeaderText() == nil {
			t.Errorf("%s has no tts_header_text", in.ID)
		}
		checked++
	}
	if checked == 0 {
		t.Fatal("no corpus alert went through the hub")
	}
	t.Logf("%d of BART's %d alerts round-tripped", checked, len(original))
}

func firstText(trs []*rt.TranslatedString_Translation) string {
	if len(trs) == 0 {
		return ""
	}
	return trs[0].GetText()
}
