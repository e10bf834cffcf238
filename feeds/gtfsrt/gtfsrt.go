// Package gtfsrt reads GTFS-Realtime Alerts feeds into halte's alerts: the
// binary protobuf, its JSON rendering (also the snake_case and MBTA
// "enhanced" variants) and the protobuf text format. Every field that
// matters for speech is kept: informed entities (agency, route, route type,
// trip, stop, direction), active periods, cause, effect, severity, header,
// description, text-to-speech texts and URL, in every language.
package gtfsrt

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	rt "github.com/MobilityData/gtfs-realtime-bindings/golang/gtfs"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/encoding/prototext"
	"google.golang.org/protobuf/proto"

	"github.com/halte-transit/halte"
)

// Options say how to read a feed.
type Options struct {
	// Prefix goes before each entity id to make the alert id, so that the
	// ids of different feeds never meet ("delijn:" + "12345").
	Prefix string
	// Language is the language of texts that name none; "" means "und".
	Language string
}

// Decode reads a feed in any of its renderings and returns its alerts. A
// feed that does not parse is an error; entities that are not alerts, or are
// deleted, are passed over.
func Decode(data []byte, o Options) ([]halte.FeedAlert, error) {
	msg, err := parse(data)
	if err != nil {
		return nil, err
	}
	if o.Language == "" {
		o.Language = "und"
	}
	var out []halte.FeedAlert
	for _, e := range msg.GetEntity() {
		if e.GetIsDeleted() || e.GetAlert() == nil {
			continue
		}
		out = append(out, convert(e.GetId(), e.GetAlert(), o))
	}
	return out, nil
}

// parse recognises the rendering: JSON starts with "{", the text format
// with a field name or a comment, the rest is binary.
func parse(data []byte) (*rt.FeedMessage, error) {
	msg := &rt.FeedMessage{}
	trimmed := bytes.TrimSpace(data)
	switch {
	case len(trimmed) == 0:
		return nil, errors.New("GTFS-Realtime feed is empty")
	case trimmed[0] == '{':
		normalized, err := normalizeJSON(trimmed)
		if err != nil {
			return nil, fmt.Errorf("GTFS-Realtime JSON: %w", err)
		}
		if err := (protojson.UnmarshalOptions{DiscardUnknown: true}).Unmarshal(normalized, msg); err != nil {
			return nil, fmt.Errorf("GTFS-Realtime JSON: %w", err)
		}
	case looksLikeText(trimmed):
		if err := (prototext.UnmarshalOptions{DiscardUnknown: true}).Unmarshal(trimmed, msg); err != nil {
			return nil, fmt.Errorf("GTFS-Realtime text format: %w", err)
		}
	default:
		if err := proto.Unmarshal(data, msg); err != nil {
			return nil, fmt.Errorf("GTFS-Realtime protobuf: %w (truncated or not a FeedMessage)", err)
		}
	}
	if msg.GetHeader().GetGtfsRealtimeVersion() == "" {
		return nil, errors.New("GTFS-Realtime feed has no header (gtfs_realtime_version): not a FeedMessage")
	}
	return msg, nil
}

func looksLikeText(b []byte) bool {
	if !utf8.Valid(b) {
		return false
	}
	return b[0] == '#' || bytes.HasPrefix(b, []byte("header")) || bytes.HasPrefix(b, []byte("entity"))
}

func convert(id string, a *rt.Alert, o Options) halte.FeedAlert {
	fa := halte.FeedAlert{Alert: halte.Alert{
		ID:          halte.SafeID(o.Prefix + id),
		Version:     1,
		Header:      text(a.GetHeaderText(), o.Language),
		Description: text(a.GetDescriptionText(), o.Language),
		URL:         text(a.GetUrl(), o.Language),
	}}
	al := &fa.Alert
	for _, p := range a.GetActivePeriod() {
		al.Periods = append(al.Periods, halte.Period{Start: unix(p.GetStart()), End: unix(p.GetEnd())})
	}
	if eff, err := halte.ParseEffect(a.GetEffect().String()); err == nil {
		al.Effect = eff
	} else {
		al.Effect = halte.UnknownEffect
		fa.Unmapped = append(fa.Unmapped, "effect "+a.GetEffect().String())
	}
	if a.Cause != nil {
		al.Cause = a.GetCause().String()
	}
	if sev, err := halte.ParseSeverity(a.GetSeverityLevel().String()); err == nil {
		al.Severity = sev
	}
	al.Speech = joinText(text(a.GetTtsHeaderText(), o.Language), text(a.GetTtsDescriptionText(), o.Language))
	for _, ie := range a.GetInformedEntity() {
		sel := halte.Selector{Agency: ie.GetAgencyId(), Route: ie.GetRouteId(), Stop: ie.GetStopId(), Trip: ie.GetTrip().GetTripId()}
		if ie.RouteType != nil {
			sel.RouteType = strconv.Itoa(int(ie.GetRouteType()))
		}
		if ie.DirectionId != nil {
			sel.Direction = strconv.Itoa(int(ie.GetDirectionId()))
		}
		if sel.Route == "" && sel.Trip == "" {
			sel.Route = ie.GetTrip().GetRouteId()
		}
		if sel != (halte.Selector{}) {
			fa.Selectors = append(fa.Selectors, sel)
		}
	}
	return fa
}

// text turns a translated string into a halte.Text; a translation without
// language is in lang.
func text(ts *rt.TranslatedString, lang string) halte.Text {
	if ts == nil {
		return nil
	}
	t := halte.Text{}
	for _, tr := range ts.GetTranslation() {
		l := strings.TrimSpace(tr.GetLanguage())
		if !validTag(l) {
			l = lang
		}
		if s := strings.TrimSpace(tr.GetText()); s != "" {
			t[l] = s
		}
	}
	if len(t) == 0 {
		return nil
	}
	return t
}

// joinText puts header and description together, language by language.
func joinText(a, b halte.Text) halte.Text {
	if a == nil && b == nil {
		return nil
	}
	out := halte.Text{}
	for l, s := range a {
		out[l] = s
	}
	for l, s := range b {
		if out[l] != "" {
			out[l] = strings.TrimRight(out[l], " .") + ". " + s
		} else {
			out[l] = s
		}
	}
	return out
}

func validTag(tag string) bool {
	if len(tag) < 2 || len(tag) > 35 {
		return false
	}
	for _, r := range tag {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

func unix(s uint64) time.Time {
	if s == 0 {
		return time.Time{}
	}
	return time.Unix(int64(s), 0).UTC()
}

// normalizeJSON rewrites the MBTA "enhanced" shape of translated strings,
// [{"translation": {...}}], into GTFS-Realtime's {"translation": [...]}.
func normalizeJSON(b []byte) ([]byte, error) {
	var v any
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return json.Marshal(walk(v))
}

func walk(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, val := range x {
			x[k] = walk(val)
		}
		return x
	case []any:
		var translations []any
		for _, item := range x {
			m, ok := item.(map[string]any)
			if !ok || len(m) != 1 || m["translation"] == nil {
				translations = nil
				break
			}
			translations = append(translations, m["translation"])
		}
		if translations != nil {
			return map[string]any{"translation": translations}
		}
		for i, item := range x {
			x[i] = walk(item)
		}
		return x
	}
	return v
}
