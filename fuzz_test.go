package halte_test

import (
	"encoding/json"
	"testing"

	"github.com/halte-transit/halte"
)

// FuzzDecodeAlert: an operator's alert from the wire never panics the
// decoder; what it accepts validates, and encodes to JSON that decodes to
// the same alert. Seeds: the shared test vectors.
func FuzzDecodeAlert(f *testing.F) {
	for _, v := range vectors {
		if v.kind == "alert" {
			f.Add([]byte(v.payload))
		}
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		a, err := halte.DecodeAlert(raw)
		if err != nil {
			return
		}
		if err := a.Validate(); err != nil {
			t.Fatalf("accepted an alert that does not validate: %v", err)
		}
		roundTrip(t, a, func(b []byte) (any, error) { return halte.DecodeAlert(b) })
	})
}

// FuzzDecodeStopState: the same for a stop's state document.
func FuzzDecodeStopState(f *testing.F) {
	for _, v := range vectors {
		if v.kind == "stop" {
			f.Add([]byte(v.payload))
		}
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		s, err := halte.DecodeStopState(raw)
		if err != nil {
			return
		}
		if err := s.Validate(); err != nil {
			t.Fatalf("accepted a document that does not validate: %v", err)
		}
		roundTrip(t, s, func(b []byte) (any, error) { return halte.DecodeStopState(b) })
	})
}

// roundTrip checks that v encodes to JSON that decode accepts and that
// encodes the same again.
func roundTrip(t *testing.T, v any, decode func([]byte) (any, error)) {
	t.Helper()
	first, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("accepted value does not encode: %v", err)
	}
	again, err := decode(first)
	if err != nil {
		t.Fatalf("its own encoding is refused: %v\n%s", err, first)
	}
	second, _ := json.Marshal(again)
	if string(first) != string(second) {
		t.Fatalf("encoding changed on a round trip:\n%s\n%s", first, second)
	}
}
