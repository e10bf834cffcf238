package halte

import "fmt"

// Reason classifies why a payload was refused. Reasons are short, stable
// words, used as counter labels and in log lines.
type Reason string

// The reasons a payload is refused, in the order decoding meets them.
const (
	// ReasonTooLarge: the payload is longer than MaxPayload.
	ReasonTooLarge Reason = "too_large"
	// ReasonEncoding: the payload is not valid UTF-8.
	ReasonEncoding Reason = "encoding"
	// ReasonSyntax: the payload is not a JSON object.
	ReasonSyntax Reason = "syntax"
	// ReasonType: a field holds a value of the wrong JSON type.
	ReasonType Reason = "type"
	// ReasonInvalid: the document is well-formed but breaks a rule of the
	// schema (a missing id, an unknown effect, an alert with no stop or line).
	ReasonInvalid Reason = "invalid"
	// ReasonWrongStop: a stop document arrived on another stop's topic.
	ReasonWrongStop Reason = "wrong_stop"
	// ReasonUnsigned: the document is not signed, and signatures are required.
	ReasonUnsigned Reason = "unsigned"
	// ReasonUnknownKey: signed by a key that is not trusted.
	ReasonUnknownKey Reason = "unknown_key"
	// ReasonRevoked: signed by a key that was revoked.
	ReasonRevoked Reason = "revoked"
	// ReasonBadSignature: the signature is malformed or does not match the
	// document (altered after signing).
	ReasonBadSignature Reason = "bad_signature"
	// ReasonReplay: the version is not newer than the one held (the held
	// document itself, received again, is no refusal).
	ReasonReplay Reason = "replay"
	// ReasonFuture: issued too far in the future, or a version beyond it.
	ReasonFuture Reason = "future"
)

// InputError is why a payload from outside was refused. Field is the JSON
// path of the offending value ("alerts[0].effect"), empty when the payload as
// a whole is wrong.
type InputError struct {
	Reason  Reason
	Field   string
	Problem string
}

func (e *InputError) Error() string {
	if e.Field == "" {
		return e.Problem
	}
	return fmt.Sprintf("field %q: %s", e.Field, e.Problem)
}

func invalid(field, format string, args ...any) *InputError {
	return &InputError{Reason: ReasonInvalid, Field: field, Problem: fmt.Sprintf(format, args...)}
}
