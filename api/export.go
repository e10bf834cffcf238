package api

import (
	"net/http"
	"slices"
	"strconv"
	"time"

	rt "github.com/MobilityData/gtfs-realtime-bindings/golang/gtfs"
	"google.golang.org/protobuf/proto"

	"github.com/halte-transit/halte"
	"github.com/halte-transit/halte/tts/phrases"
)

// GET /v1/gtfs-rt/alerts.pb: the alerts of every stop's document (the
// operators' and the feeds' merged) as a GTFS-Realtime Alerts feed, with
// tts_header_text in halte's words for each language it can say them in.
// It is made at most once per generation of the documents and minute
// (spoken times are relative to now).
func (s *Server) gtfsRealtime(w http.ResponseWriter, r *http.Request) {
	now := s.cfg.Now()
	key := strconv.FormatUint(s.store.generation(), 10) + "@" + strconv.FormatInt(now.Unix()/60, 10)
	v, err, _ := s.export.Do(key, func() (any, error) {
		if b, ok := s.exported.Get(key); ok {
			return b, nil
		}
		b, err := proto.Marshal(s.feedMessage(now))
		if err == nil {
			s.exported.Add(key, b)
		}
		return b, err
	})
	if err != nil {
		writeError(w, http.StatusInternalServerError, "internal", "the feed could not be encoded: "+err.Error())
		return
	}
	w.Header().Set("Content-Type", "application/x-protobuf")
	w.Header().Set("Cache-Control", "public, max-age=30")
	writeCached(w, r, v.([]byte))
}

// feedMessage is the alerts held at now as a full GTFS-Realtime dataset.
func (s *Server) feedMessage(now time.Time) *rt.FeedMessage {
	alerts, named := s.store.allAlerts()
	msg := &rt.FeedMessage{Header: &rt.FeedHeader{
		GtfsRealtimeVersion: proto.String("2.0"),
		Incrementality:      rt.FeedHeader_FULL_DATASET.Enum(),
		Timestamp:           proto.Uint64(uint64(now.Unix())),
	}}
	books := map[string]*phrases.Book{}
	for _, lang := range phrases.Languages {
		books[lang] = phrases.New(lang, s.cfg.Location, s.cfg.Lexicon)
	}
	for _, a := range alerts {
		if a.Ended(now) {
			continue
		}
		msg.Entity = append(msg.Entity, &rt.FeedEntity{Id: proto.String(a.ID), Alert: s.feedAlert(a, named[a.ID], books, now)})
	}
	return msg
}

// feedAlert is one alert in GTFS-Realtime terms. Its informed entities
// reach the stops that carry it: its lines when some stop has it through
// them, and the stops it names (on its lines, when it reaches no other).
func (s *Server) feedAlert(a halte.Alert, named []string, books map[string]*phrases.Book, now time.Time) *rt.Alert {
	out := &rt.Alert{
		HeaderText:      translated(a.Header),
		DescriptionText: translated(a.Description),
		Url:             translated(a.URL),
	}
	if v, ok := rt.Alert_Effect_value[string(a.Effect)]; ok {
		out.Effect = rt.Alert_Effect(v).Enum()
	}
	if v, ok := rt.Alert_Cause_value[a.Cause]; ok {
		out.Cause = rt.Alert_Cause(v).Enum()
	}
	if v, ok := rt.Alert_SeverityLevel_value[string(a.Severity)]; ok {
		out.SeverityLevel = rt.Alert_SeverityLevel(v).Enum()
	}
	for _, p := range a.Periods {
		tr := &rt.TimeRange{}
		if !p.Start.IsZero() {
			tr.Start = proto.Uint64(uint64(p.Start.Unix()))
		}
		if !p.End.IsZero() {
			tr.End = proto.Uint64(uint64(p.End.Unix()))
		}
		out.ActivePeriod = append(out.ActivePeriod, tr)
	}
	throughLines := len(named) < len(a.Stops)
	if throughLines {
		for _, l := range a.Lines {
			out.InformedEntity = append(out.InformedEntity, &rt.EntitySelector{RouteId: proto.String(l.ID)})
		}
	}
	for _, stop := range named {
		if throughLines || len(a.Lines) == 0 {
			out.InformedEntity = append(out.InformedEntity, &rt.EntitySelector{StopId: proto.String(stop)})
			continue
		}
		for _, l := range a.Lines {
			out.InformedEntity = append(out.InformedEntity, &rt.EntitySelector{RouteId: proto.String(l.ID), StopId: proto.String(stop)})
		}
	}
	tts := halte.Text{}
	for _, lang := range sayable(a) {
		tts[lang] = books[lang].Alert(a, now)
	}
	out.TtsHeaderText = translated(tts)
	return out
}

// sayable are the languages halte can say a in: those of its texts that the
// phrase book speaks, or every one when the alert has no text (the phrase
// book makes its sentence from effect, lines and period).
func sayable(a halte.Alert) []string {
	if a.Speech.Empty() && a.Header.Empty() && a.Description.Empty() {
		return phrases.Languages
	}
	var out []string
	for _, lang := range phrases.Languages {
		if a.Speech.In(lang) != "" || a.Header.In(lang) != "" || a.Description.In(lang) != "" {
			out = append(out, lang)
		}
	}
	return out
}

// translated is t as a GTFS-Realtime translated string; nil when empty.
func translated(t halte.Text) *rt.TranslatedString {
	if t.Empty() {
		return nil
	}
	langs := make([]string, 0, len(t))
	for lang := range t {
		langs = append(langs, lang)
	}
	slices.Sort(langs)
	ts := &rt.TranslatedString{}
	for _, lang := range langs {
		if t[lang] == "" {
			continue
		}
		tr := &rt.TranslatedString_Translation{Text: proto.String(t[lang])}
		if lang != "und" {
			tr.Language = proto.String(lang)
		}
		ts.Translation = append(ts.Translation, tr)
	}
	return ts
}
