// Package siri reads SIRI-SX (CEN/TS 15531-5) situations into halte's
// alerts, with encoding/xml: validity periods, publication windows,
// severity, summary, description, detail and advice in every xml:lang,
// what is affected (networks and lines, stop points, stop places, vehicle
// journeys, operators), the consequences' conditions and suitabilities, and
// progress (a closed situation has ended). It reads a whole SIRI
// ServiceDelivery as well as a bare situation or list of situations.
package siri

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/halte-transit/halte"
)

// Namespace is SIRI's XML namespace; documents in any other are refused.
const Namespace = "http://www.siri.org.uk/siri"

// Options say how to read a document.
type Options struct {
	// Prefix goes before each situation number to make the alert id.
	Prefix string
	// Language is the language of texts that name none (and of a situation
	// without <Language>); "" means "und".
	Language string
	// Location reads times written without a zone; nil means UTC.
	Location *time.Location
}

// Decode reads the situations of a SIRI document. Closed situations are
// passed over; anything that is not SIRI XML is an error.
func Decode(data []byte, o Options) ([]halte.FeedAlert, error) {
	if o.Language == "" {
		o.Language = "und"
	}
	if o.Location == nil {
		o.Location = time.UTC
	}
	dec := xml.NewDecoder(bytes.NewReader(data))
	var out []halte.FeedAlert
	root := true
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("SIRI XML: %w", err)
		}
		start, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		if root {
			if start.Name.Space != Namespace {
				return nil, fmt.Errorf("SIRI XML: root element <%s> is in namespace %q, not SIRI's (%s)", start.Name.Local, start.Name.Space, Namespace)
			}
			root = false
		}
		if start.Name.Local != "PtSituationElement" {
			continue
		}
		var s situation
		if err := dec.DecodeElement(&s, &start); err != nil {
			return nil, fmt.Errorf("SIRI XML: situation %d: %w", len(out)+1, err)
		}
		if strings.EqualFold(strings.TrimSpace(s.Progress), "closed") {
			continue
		}
		fa, err := s.convert(o)
		if err != nil {
			return nil, fmt.Errorf("SIRI situation %s: %w", s.SituationNumber, err)
		}
		out = append(out, fa)
	}
	if root {
		return nil, errors.New("SIRI XML: the document is empty")
	}
	return out, nil
}

// situation is a PtSituationElement, as far as halte reads it.
type situation struct {
	ParticipantRef    string
	SituationNumber   string
	Progress          string
	ValidityPeriod    []period
	PublicationWindow []period
	Severity          string
	Language          string
	Summary           []langText
	Description       []langText
	Detail            []langText
	Advice            []langText
	Affects           affects
	Consequences      []consequence `xml:"Consequences>Consequence"`
	Actions           []textual     `xml:"PublishingActions>PublishingAction>PassengerInformationAction>TextualContent"`
	InfoLinks         []string      `xml:"InfoLinks>InfoLink>Uri"`
}

type period struct {
	StartTime string
	EndTime   string
}

type langText struct {
	Lang string `xml:"http://www.w3.org/XML/1998/namespace lang,attr"`
	Text string `xml:",chardata"`
}

type affects struct {
	Operators  []string          `xml:"Operators>AffectedOperator>OperatorRef"`
	Networks   []affectedNetwork `xml:"Networks>AffectedNetwork"`
	StopPoints []stopPoint       `xml:"StopPoints>AffectedStopPoint"`
	StopPlaces []stopPlace       `xml:"StopPlaces>AffectedStopPlace"`
	Journeys   []journey         `xml:"VehicleJourneys>AffectedVehicleJourney"`
}

type affectedNetwork struct {
	AllLines *struct{}      `xml:"AllLines"`
	Lines    []affectedLine `xml:"AffectedLine"`
}

type affectedLine struct {
	LineRef    string
	StopPoints []stopPoint `xml:"StopPoints>AffectedStopPoint"`
	RouteStops []stopPoint `xml:"Routes>AffectedRoute>StopPoints>AffectedStopPoint"`
}

type stopPoint struct {
	StopPointRef string
}

// stopPlace is a station; some producers name it by StopPointRef.
type stopPlace struct {
	StopPlaceRef string
	StopPointRef string
}

type journey struct {
	Framed     string      `xml:"FramedVehicleJourneyRef>DatedVehicleJourneyRef"`
	Dated      string      `xml:"DatedVehicleJourneyRef"`
	Vehicle    string      `xml:"VehicleJourneyRef"`
	LineRef    string      `xml:"LineRef"`
	RouteStops []stopPoint `xml:"Route>StopPoints>AffectedStopPoint"`
}

type consequence struct {
	Conditions    []string      `xml:"Condition"`
	Severity      string        `xml:"Severity"`
	Affects       affects       `xml:"Affects"`
	Suitabilities []suitability `xml:"Suitabilities>Suitability"`
}

type suitability struct {
	Suitable string   `xml:"Suitable"`
	Needs    []string `xml:",any"`
}

type textual struct {
	Summary        []langText `xml:"SummaryContent>SummaryText"`
	Reason         []langText `xml:"ReasonContent>ReasonText"`
	Description    []langText `xml:"DescriptionContent>DescriptionText"`
	Consequence    []langText `xml:"ConsequenceContent>ConsequenceText"`
	Recommendation []langText `xml:"RecommendationContent>RecommendationText"`
}

func (s situation) convert(o Options) (halte.FeedAlert, error) {
	lang := o.Language
	if l := strings.TrimSpace(s.Language); l != "" {
		lang = l
	}
	fa := halte.FeedAlert{Alert: halte.Alert{
		ID:          halte.SafeID(o.Prefix + strings.TrimSpace(s.SituationNumber)),
		Version:     1,
		Header:      texts(lang, s.Summary),
		Description: texts(lang, s.Description, s.Detail),
		Advice:      texts(lang, s.Advice),
	}}
	a := &fa.Alert
	if len(s.Actions) > 0 { // VDV 736 puts the texts in the publishing actions
		act := s.Actions[0]
		a.Header = orText(a.Header, texts(lang, act.Summary))
		a.Description = orText(a.Description, texts(lang, act.Reason, act.Description, act.Consequence))
		a.Advice = orText(a.Advice, texts(lang, act.Recommendation))
	}
	if len(s.InfoLinks) > 0 {
		a.URL = halte.Text{lang: strings.TrimSpace(s.InfoLinks[0])}
	}
	for _, p := range s.ValidityPeriod {
		per, err := o.period(p)
		if err != nil {
			return fa, err
		}
		a.Periods = append(a.Periods, per)
	}
	for _, p := range s.PublicationWindow {
		per, err := o.period(p)
		if err != nil {
			return fa, err
		}
		fa.Publish = append(fa.Publish, per)
	}
	severity := s.Severity
	fa.Selectors = s.Affects.selectors()
	for _, c := range s.Consequences {
		if severity == "" {
			severity = c.Severity
		}
		fa.Selectors = append(fa.Selectors, c.Affects.selectors()...)
	}
	var ok bool
	if a.Severity, ok = severities[strings.TrimSpace(severity)]; !ok {
		a.Severity = halte.UnknownSeverity
		fa.Unmapped = append(fa.Unmapped, "severity "+severity)
	}
	a.Effect, fa.Unmapped = effectOf(s.Consequences, fa.Unmapped)
	return fa, nil
}

var timeLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02T15:04:05", "2006-01-02T15:04"}

func (o Options) period(p period) (halte.Period, error) {
	var out halte.Period
	for i, s := range []string{p.StartTime, p.EndTime} {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		var t time.Time
		var err error
		for _, layout := range timeLayouts {
			if t, err = time.ParseInLocation(layout, s, o.Location); err == nil {
				break
			}
		}
		if err != nil {
			return out, fmt.Errorf("time %q is not an xs:dateTime", s)
		}
		if i == 0 {
			out.Start = t
		} else {
			out.End = t
		}
	}
	return out, nil
}

// selectors turns what a situation affects into GTFS-style selectors.
func (af affects) selectors() []halte.Selector {
	var out []halte.Selector
	for _, op := range af.Operators {
		out = append(out, halte.Selector{Agency: strings.TrimSpace(op)})
	}
	for _, n := range af.Networks {
		if n.AllLines != nil {
			out = append(out, halte.Selector{Agency: halte.AnyAgency})
		}
		for _, l := range n.Lines {
			stops := append(l.StopPoints, l.RouteStops...)
			if len(stops) == 0 {
				out = append(out, halte.Selector{Route: strings.TrimSpace(l.LineRef)})
			}
			for _, sp := range stops {
				out = append(out, halte.Selector{Route: strings.TrimSpace(l.LineRef), Stop: strings.TrimSpace(sp.StopPointRef)})
			}
		}
	}
	for _, sp := range af.StopPoints {
		out = append(out, halte.Selector{Stop: strings.TrimSpace(sp.StopPointRef)})
	}
	for _, sp := range af.StopPlaces {
		out = append(out, halte.Selector{Stop: firstOf(sp.StopPlaceRef, sp.StopPointRef)})
	}
	for _, j := range af.Journeys {
		base := halte.Selector{Trip: firstOf(j.Framed, j.Dated, j.Vehicle), Route: strings.TrimSpace(j.LineRef)}
		if len(j.RouteStops) == 0 {
			out = append(out, base)
		}
		for _, sp := range j.RouteStops {
			sel := base
			sel.Stop = strings.TrimSpace(sp.StopPointRef)
			out = append(out, sel)
		}
	}
	var kept []halte.Selector
	for _, s := range out {
		if s != (halte.Selector{}) {
			kept = append(kept, s)
		}
	}
	return kept
}

func firstOf(values ...string) string {
	for _, v := range values {
		if v = strings.TrimSpace(v); v != "" {
			return v
		}
	}
	return ""
}

// texts gathers xml:lang texts, several parts of one language joined.
func texts(lang string, parts ...[]langText) halte.Text {
	out := halte.Text{}
	for _, part := range parts {
		for _, lt := range part {
			l := strings.TrimSpace(lt.Lang)
			if l == "" {
				l = lang
			}
			s := strings.Join(strings.Fields(lt.Text), " ")
			if s == "" {
				continue
			}
			if out[l] != "" {
				s = strings.TrimRight(out[l], " .") + ". " + s
			}
			out[l] = s
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

func orText(t, fallback halte.Text) halte.Text {
	if t.Empty() {
		return fallback
	}
	return t
}
