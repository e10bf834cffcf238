// Package signtest forges the hostile documents that halte's tests throw at
// verifiers: a signed document altered after signing, one with a broken
// signature, and one that claims "alg": "none".
package signtest

import (
	"encoding/base64"
	"encoding/json"
	"strings"
)

func fields(signed []byte) map[string]string {
	var jws map[string]string
	json.Unmarshal(signed, &jws)
	return jws
}

func encode(m map[string]string) []byte {
	b, _ := json.Marshal(m)
	return b
}

// Altered keeps the signature of signed but replaces its payload.
func Altered(signed, payload []byte) []byte {
	jws := fields(signed)
	jws["payload"] = base64.RawURLEncoding.EncodeToString(payload)
	return encode(jws)
}

// Corrupted changes the first bytes of the signature.
func Corrupted(signed []byte) []byte {
	jws := fields(signed)
	jws["signature"] = "AAAAAAAA" + jws["signature"][8:]
	return encode(jws)
}

// WithAlg keeps payload and signature of signed but claims another
// algorithm ("none", "HS256") for key kid.
func WithAlg(signed []byte, alg, kid string) []byte {
	jws := fields(signed)
	jws["protected"] = base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"` + alg + `","kid":"` + kid + `"}`))
	if strings.EqualFold(alg, "none") {
		jws["signature"] = ""
	}
	return encode(jws)
}
