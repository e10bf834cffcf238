package gtfsrt_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"google.golang.org/protobuf/encoding/protowire"

	"github.com/halte-transit/halte"
	"github.com/halte-transit/halte/feeds/gtfsrt"
	"github.com/halte-transit/halte/internal/testkit"
)

// corpusFiles lists every GTFS-Realtime file of the shared corpus.
func corpusFiles(t *testing.T) []string {
	return testkit.CorpusFiles(t, "gtfs_rt", "*/*", "*.asciipb")
}

func decodeFile(t *testing.T, path string) []halte.FeedAlert {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	alerts, err := gtfsrt.Decode(raw, gtfsrt.Options{Prefix: "x:", Language: "en"})
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return alerts
}

// TestCorpusCounts decodes every file and compares the number of alerts with
// a count made without the decoder: protowire for binary, the JSON tree, a
// pattern for the text format.
func TestCorpusCounts(t *testing.T) {
	for _, path := range corpusFiles(t) {
		t.Run(filepath.Base(filepath.Dir(path))+"/"+filepath.Base(path), func(t *testing.T) {
			raw, _ := os.ReadFile(path)
			want := independentCount(t, path, raw)
			if got := len(decodeFile(t, path)); got != want {
				t.Fatalf("decoded %d alerts, the file holds %d", got, want)
			}
		})
	}
}

func independentCount(t *testing.T, path string, raw []byte) int {
	switch {
	case strings.HasSuffix(path, ".json"):
		var doc struct {
			Entity []map[string]json.RawMessage `json:"entity"`
		}
		if err := json.Unmarshal(raw, &doc); err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, e := range doc.Entity {
			if e["alert"] != nil {
				n++
			}
		}
		return n
	case strings.HasSuffix(path, "pb") && !strings.HasSuffix(path, ".pb"):
		return len(regexp.MustCompile(`(?m)^\s*alert:? \{`).FindAll(raw, -1))
	}
	// binary: top-level field 2 (entity) holding field 5 (alert)
	n := 0
	for len(raw) > 0 {
		num, typ, size := protowire.ConsumeTag(raw)
		raw = raw[size:]
		vlen := protowire.ConsumeFieldValue(num, typ, raw)
		if vlen < 0 {
			t.Fatalf("bad protobuf at field %d", num)
		}
		if num == 2 && typ == protowire.BytesType {
			entity, _ := protowire.ConsumeBytes(raw)
			for len(entity) > 0 {
				en, et, es := protowire.ConsumeTag(entity)
				entity = entity[es:]
				if en == 5 {
					n++
				}
				entity = entity[protowire.ConsumeFieldValue(en, et, entity):]
			}
		}
		raw = raw[vlen:]
	}
	return n
}

// TestCorpusKeepsEverySpokenField checks each binary feed against its text
// rendering, and each JSON feed against its own tree: every text, stop id,
// route id and period start in the file is in the decoded alerts.
func TestCorpusKeepsEverySpokenField(t *testing.T) {
	for _, path := range corpusFiles(t) {
		var source string
		switch {
		case strings.HasSuffix(path, ".pb"):
			source = strings.TrimSuffix(path, ".pb") + ".txtpb"
			if _, err := os.Stat(source); err != nil {
				continue // no text rendering beside it (BART's has a JSON one)
			}
		case strings.HasSuffix(path, ".json"), strings.HasSuffix(path, ".asciipb"):
			source = path
		default:
			continue
		}
		t.Run(filepath.Base(filepath.Dir(path))+"/"+filepath.Base(path), func(t *testing.T) {
			raw, _ := os.ReadFile(source)
			want := fieldsIn(t, source, raw)
			got := decodedFields(decodeFile(t, path))
			for kind, values := range want {
				for _, v := range values {
					if !slices.Contains(got[kind], v) {
						t.Errorf("%s %q is in the file but not in the decoded alerts", kind, v)
					}
				}
			}
			if len(want["text"]) == 0 {
				t.Fatal("found no text in the file: the check would prove nothing")
			}
		})
	}
}

var textPatterns = map[string]*regexp.Regexp{
	"text":  regexp.MustCompile(`\btext: ("(?:[^"\\]|\\.)*")`),
	"stop":  regexp.MustCompile(`\bstop_id: ("(?:[^"\\]|\\.)*")`),
	"route": regexp.MustCompile(`\broute_id: ("(?:[^"\\]|\\.)*")`),
	"start": regexp.MustCompile(`\bstart: (\d+)`),
}

// fieldsIn collects what the file says, without the decoder.
func fieldsIn(t *testing.T, path string, raw []byte) map[string][]string {
	out := map[string][]string{}
	if strings.HasSuffix(path, ".json") {
		var v any
		if err := json.Unmarshal(raw, &v); err != nil {
			t.Fatal(err)
		}
		collectJSON(v, "", out)
		return out
	}
	for kind, re := range textPatterns {
		for _, m := range re.FindAllSubmatch(raw, -1) {
			s := string(m[1])
			if kind != "start" {
				var err error
				if s, err = strconv.Unquote(s); err != nil {
					t.Fatalf("%s %s: %v", kind, m[1], err)
				}
			}
			if s = strings.TrimSpace(s); s != "" {
				out[kind] = append(out[kind], s)
			}
		}
	}
	return out
}

// spokenTexts are GTFS-Realtime's translated strings; MBTA's own additions
// (service_effect_text, timeframe_text, ...) are not GTFS-Realtime and are
// not read.
var spokenTexts = map[string]bool{"header_text": true, "headerText": true, "description_text": true,
	"descriptionText": true, "url": true, "tts_header_text": true, "ttsHeaderText": true,
	"tts_description_text": true, "ttsDescriptionText": true}

func collectJSON(v any, key string, out map[string][]string) {
	collect(v, key, false, out)
}

func collect(v any, key string, inText bool, out map[string][]string) {
	switch x := v.(type) {
	case map[string]any:
		for k, val := range x {
			collect(val, k, inText || spokenTexts[k], out)
		}
	case []any:
		for _, val := range x {
			collect(val, key, inText, out)
		}
	case string:
		kind := map[string]string{"stop_id": "stop", "stopId": "stop", "route_id": "route", "routeId": "route"}[key]
		if key == "text" && inText {
			kind = "text"
		}
		if kind != "" && strings.TrimSpace(x) != "" {
			out[kind] = append(out[kind], strings.TrimSpace(x))
		}
	case float64:
		if key == "start" {
			out["start"] = append(out["start"], strconv.FormatInt(int64(x), 10))
		}
	}
}

// decodedFields collects the same kinds of values from decoded alerts.
func decodedFields(alerts []halte.FeedAlert) map[string][]string {
	out := map[string][]string{}
	for _, fa := range alerts {
		a := fa.Alert
		for _, t := range []halte.Text{a.Header, a.Description, a.URL, a.Speech} {
			for _, s := range t {
				out["text"] = append(out["text"], s)
			}
		}
		for _, s := range fa.Selectors {
			out["stop"] = append(out["stop"], s.Stop)
			out["route"] = append(out["route"], s.Route)
		}
		for _, p := range a.Periods {
			if !p.Start.IsZero() {
				out["start"] = append(out["start"], strconv.FormatInt(p.Start.Unix(), 10))
			}
		}
	}
	return out
}
