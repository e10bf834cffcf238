package halte_test

import (
	"strings"

	"github.com/halte-transit/halte"
)

// vector is one payload from the wire and what decoding must make of it. The
// same table drives the Go decoder's tests and the JSON Schema's, so the two
// cannot drift apart.
type vector struct {
	name    string
	kind    string // "alert" or "stop"
	payload string
	// reason and field are what the refusal must say; reason "" means valid.
	reason halte.Reason
	field  string
	// schemaBlind marks rules JSON Schema cannot state (size, uniqueness by
	// field, period order); the schema test skips those rows.
	schemaBlind bool
}

const goodAlert = `{"id":"dl-1","version":3,"effect":"NO_SERVICE","severity":"SEVERE",
 "lines":["1",{"id":"4","name":"4","mode":"tram"}],"stops":["200144"],
 "active_periods":[{"start":"2026-12-01T06:00:00+01:00","end":"2026-12-01T18:00:00+01:00"}],
 "header":{"nl":"Tram 1 rijdt niet tussen Korenmarkt en Rabot.","fr":"Le tram 1 ne circule pas."},
 "advice":{"nl":"Neem bus 3 aan de Korenmarkt."},"source":"operator:delijn"}`

var vectors = []vector{
	{name: "full alert", kind: "alert", payload: goodAlert},
	{name: "lower-case effect", kind: "alert", payload: `{"id":"a","version":1,"effect":"detour","stops":["s1"]}`},
	{name: "line only", kind: "alert", payload: `{"id":"a","version":1,"effect":"DETOUR","lines":["1"]}`},
	{name: "cancel document", kind: "alert", payload: `{"id":"a","version":9,"cancelled":true}`},
	{name: "unknown fields are ignored", kind: "alert", payload: `{"id":"a","version":1,"effect":"DETOUR","stops":["s"],"future":1}`},
	{name: "not JSON", kind: "alert", payload: `tram 1 rijdt niet`, reason: halte.ReasonSyntax},
	{name: "truncated JSON", kind: "alert", payload: `{"id":"a","version":1,`, reason: halte.ReasonSyntax},
	{name: "JSON array", kind: "alert", payload: `[1,2]`, reason: halte.ReasonSyntax},
	{name: "version as string", kind: "alert", payload: `{"id":"a","version":"1","effect":"DETOUR","stops":["s"]}`, reason: halte.ReasonType, field: "version"},
	{name: "stops as string", kind: "alert", payload: `{"id":"a","version":1,"effect":"DETOUR","stops":"s"}`, reason: halte.ReasonType, field: "stops"},
	{name: "header as string", kind: "alert", payload: `{"id":"a","version":1,"effect":"DETOUR","stops":["s"],"header":"x"}`, reason: halte.ReasonType, field: "header"},
	{name: "missing id", kind: "alert", payload: `{"version":1,"effect":"DETOUR","stops":["s"]}`, reason: halte.ReasonInvalid, field: "id"},
	{name: "id with slash", kind: "alert", payload: `{"id":"a/b","version":1,"effect":"DETOUR","stops":["s"]}`, reason: halte.ReasonInvalid, field: "id"},
	{name: "missing version", kind: "alert", payload: `{"id":"a","effect":"DETOUR","stops":["s"]}`, reason: halte.ReasonInvalid, field: "version"},
	{name: "unknown effect", kind: "alert", payload: `{"id":"a","version":1,"effect":"EXPLOSION","stops":["s"]}`, reason: halte.ReasonInvalid, field: "effect"},
	{name: "missing effect", kind: "alert", payload: `{"id":"a","version":1,"stops":["s"]}`, reason: halte.ReasonInvalid, field: "effect"},
	{name: "unknown severity", kind: "alert", payload: `{"id":"a","version":1,"effect":"DETOUR","severity":"HUGE","stops":["s"]}`, reason: halte.ReasonInvalid, field: "severity"},
	{name: "no stop and no line", kind: "alert", payload: `{"id":"a","version":1,"effect":"DETOUR"}`, reason: halte.ReasonInvalid, field: "stops"},
	{name: "empty stop list", kind: "alert", payload: `{"id":"a","version":1,"effect":"DETOUR","stops":[]}`, reason: halte.ReasonInvalid, field: "stops"},
	{name: "empty stop id", kind: "alert", payload: `{"id":"a","version":1,"effect":"DETOUR","stops":[""]}`, reason: halte.ReasonInvalid, field: "stops[0]"},
	{name: "bad language tag", kind: "alert", payload: `{"id":"a","version":1,"effect":"DETOUR","stops":["s"],"header":{"n l":"x"}}`, reason: halte.ReasonInvalid, field: "header"},
	{name: "bad time", kind: "alert", payload: `{"id":"a","version":1,"effect":"DETOUR","stops":["s"],"active_periods":[{"end":"morgen"}]}`, reason: halte.ReasonType, schemaBlind: true},
	{name: "period ends before it starts", kind: "alert", payload: `{"id":"a","version":1,"effect":"DETOUR","stops":["s"],"active_periods":[{"start":"2026-12-02T00:00:00Z","end":"2026-12-01T00:00:00Z"}]}`, reason: halte.ReasonInvalid, field: "active_periods[0].end", schemaBlind: true},
	{name: "invalid UTF-8", kind: "alert", payload: "{\"id\":\"a\",\"version\":1,\"effect\":\"DETOUR\",\"stops\":[\"s\"],\"header\":{\"nl\":\"\xff\xfe\"}}", reason: halte.ReasonEncoding, schemaBlind: true},
	{name: "2 MB payload", kind: "alert", payload: `{"id":"a","version":1,"effect":"DETOUR","stops":["s"],"header":{"nl":"` + strings.Repeat("x", 2<<20) + `"}}`, reason: halte.ReasonTooLarge, schemaBlind: true},

	{name: "stop document", kind: "stop", payload: `{"stop":"200144","stop_name":"Gent Korenmarkt","version":7,"issued_at":"2026-11-29T14:00:00Z","alerts":[` + goodAlert + `]}`},
	{name: "stop document without alerts", kind: "stop", payload: `{"stop":"200144","version":8,"issued_at":"2026-11-29T14:00:00Z","alerts":[]}`},
	{name: "alert without stop or line in a stop document", kind: "stop", payload: `{"stop":"s","version":1,"issued_at":"2026-11-29T14:00:00Z","alerts":[{"id":"a","version":1,"effect":"OTHER_EFFECT"}]}`, reason: halte.ReasonInvalid, field: "alerts[0].stops"},
	{name: "stop document without version", kind: "stop", payload: `{"stop":"s","issued_at":"2026-11-29T14:00:00Z","alerts":[]}`, reason: halte.ReasonInvalid, field: "version"},
	{name: "stop document without stop", kind: "stop", payload: `{"version":1,"issued_at":"2026-11-29T14:00:00Z","alerts":[]}`, reason: halte.ReasonInvalid, field: "stop"},
	{name: "stop document without issued_at", kind: "stop", payload: `{"stop":"s","version":1,"alerts":[]}`, reason: halte.ReasonInvalid, field: "issued_at"},
	{name: "alert without id in a stop document", kind: "stop", payload: `{"stop":"s","version":1,"issued_at":"2026-11-29T14:00:00Z","alerts":[{"version":1,"effect":"DETOUR","stops":["s"]}]}`, reason: halte.ReasonInvalid, field: "alerts[0].id"},
	{name: "unknown effect in a stop document", kind: "stop", payload: `{"stop":"s","version":1,"issued_at":"2026-11-29T14:00:00Z","alerts":[{"id":"a","version":1,"effect":"MAGIC"}]}`, reason: halte.ReasonInvalid, field: "alerts[0].effect"},
	{name: "cancelled alert in a stop document", kind: "stop", payload: `{"stop":"s","version":1,"issued_at":"2026-11-29T14:00:00Z","alerts":[{"id":"a","version":1,"cancelled":true}]}`, reason: halte.ReasonInvalid, field: "alerts[0].cancelled"},
	{name: "alerts as object", kind: "stop", payload: `{"stop":"s","version":1,"issued_at":"2026-11-29T14:00:00Z","alerts":{}}`, reason: halte.ReasonType, field: "alerts"},
	{name: "alert listed twice", kind: "stop", payload: `{"stop":"s","version":1,"issued_at":"2026-11-29T14:00:00Z","alerts":[{"id":"a","version":1,"effect":"DETOUR","stops":["s"]},{"id":"a","version":1,"effect":"DETOUR","stops":["s"]}]}`, reason: halte.ReasonInvalid, field: "alerts[1].id", schemaBlind: true},
}
