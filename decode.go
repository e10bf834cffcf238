package halte

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"
)

// MaxPayload is the largest alert or stop document accepted, in bytes.
const MaxPayload = 512 << 10

// DecodeAlert reads an operator's alert (or cancel document) from JSON,
// normalizes effect and severity names to their canonical spelling, and
// validates it. Any error is an *InputError.
func DecodeAlert(payload []byte) (Alert, error) {
	a, err := ParseAlert(payload)
	if err != nil {
		return Alert{}, err
	}
	if err := a.Validate(); err != nil {
		return Alert{}, err
	}
	return a, nil
}

// ParseAlert is DecodeAlert without the validation, for tools that complete
// a draft (fill in its version) before they validate it.
func ParseAlert(payload []byte) (Alert, error) {
	var a Alert
	if err := decodeJSON(payload, &a); err != nil {
		return Alert{}, err
	}
	if err := a.normalize(""); err != nil {
		return Alert{}, err
	}
	return a, nil
}

// DecodeStopState reads a stop's state document from JSON and validates it.
// Any error is an *InputError.
func DecodeStopState(payload []byte) (StopState, error) {
	var s StopState
	if err := decodeJSON(payload, &s); err != nil {
		return StopState{}, err
	}
	for i := range s.Alerts {
		if err := s.Alerts[i].normalize(fmt.Sprintf("alerts[%d].", i)); err != nil {
			return StopState{}, err
		}
	}
	if err := s.Validate(); err != nil {
		return StopState{}, err
	}
	return s, nil
}

func decodeJSON(payload []byte, v any) error {
	if len(payload) > MaxPayload {
		return &InputError{Reason: ReasonTooLarge,
			Problem: fmt.Sprintf("payload of %d bytes is larger than the limit of %d bytes", len(payload), MaxPayload)}
	}
	if !utf8.Valid(payload) {
		return &InputError{Reason: ReasonEncoding, Problem: "payload is not valid UTF-8"}
	}
	trimmed := bytes.TrimSpace(payload)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return &InputError{Reason: ReasonSyntax, Problem: "payload is not a JSON object"}
	}
	if err := json.Unmarshal(trimmed, v); err != nil {
		var syntax *json.SyntaxError
		var typ *json.UnmarshalTypeError
		var parse *time.ParseError
		switch {
		case errors.As(err, &syntax):
			return &InputError{Reason: ReasonSyntax, Problem: fmt.Sprintf("payload is not valid JSON: %v (at byte %d)", err, syntax.Offset)}
		case errors.As(err, &typ):
			return &InputError{Reason: ReasonType, Field: typ.Field, Problem: fmt.Sprintf("want %s, got JSON %s", typeName(typ), typ.Value)}
		case errors.As(err, &parse):
			return &InputError{Reason: ReasonType, Problem: fmt.Sprintf("a time is not RFC 3339: %q", parse.Value)}
		default:
			return &InputError{Reason: ReasonSyntax, Problem: fmt.Sprintf("payload is not valid JSON: %v", err)}
		}
	}
	return nil
}

func typeName(e *json.UnmarshalTypeError) string {
	switch e.Type.Kind().String() {
	case "string":
		return "a string"
	case "uint64", "int", "int64":
		return "a whole number"
	case "bool":
		return "true or false"
	case "slice":
		return "a list"
	case "map", "struct":
		return "an object"
	default:
		return e.Type.String()
	}
}
