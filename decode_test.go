package halte_test

import (
	"errors"
	"testing"

	"github.com/halte-transit/halte"
)

func decode(v vector) error {
	if v.kind == "stop" {
		_, err := halte.DecodeStopState([]byte(v.payload))
		return err
	}
	_, err := halte.DecodeAlert([]byte(v.payload))
	return err
}

func TestDecodeVectors(t *testing.T) {
	for _, v := range vectors {
		t.Run(v.name, func(t *testing.T) {
			err := decode(v)
			if v.reason == "" {
				if err != nil {
					t.Fatalf("refused a valid %s: %v", v.kind, err)
				}
				return
			}
			var ie *halte.InputError
			if !errors.As(err, &ie) {
				t.Fatalf("want an *InputError with reason %s, got %v", v.reason, err)
			}
			if ie.Reason != v.reason || ie.Field != v.field {
				t.Fatalf("got reason %s field %q (%v), want reason %s field %q", ie.Reason, ie.Field, err, v.reason, v.field)
			}
			if len(err.Error()) > 400 {
				t.Fatalf("error message too long for a log line: %d bytes", len(err.Error()))
			}
		})
	}
}

func TestDecodeAlertNormalizes(t *testing.T) {
	a, err := halte.DecodeAlert([]byte(`{"id":"a","version":1,"effect":"no_service","severity":"severe","lines":["1"]}`))
	if err != nil {
		t.Fatal(err)
	}
	if a.Effect != halte.NoService || a.Severity != halte.Severe {
		t.Fatalf("effect %q severity %q, want canonical names", a.Effect, a.Severity)
	}
	if len(a.Lines) != 1 || a.Lines[0].ID != "1" {
		t.Fatalf("lines = %+v, want the bare id read as a line", a.Lines)
	}
}
