package sign_test

import (
	"bytes"
	"crypto/ed25519"
	"testing"

	"github.com/halte-transit/halte/sign"
	"github.com/halte-transit/halte/sign/signtest"
)

// fixedSigner is a signer whose key is the same in every run, so that the
// fuzzer's seeds stay signed by it.
func fixedSigner(f *testing.F, seed byte) *sign.Signer {
	s, err := sign.NewSigner(ed25519.NewKeyFromSeed(bytes.Repeat([]byte{seed}, ed25519.SeedSize)))
	if err != nil {
		f.Fatal(err)
	}
	return s
}

// FuzzOpen: no message panics the JWS check; one it accepts names the
// trusted key, and a verifier that trusts another key refuses it. Seeds: a
// signed document and the hostile forms signtest makes of it.
func FuzzOpen(f *testing.F) {
	trusted, other := fixedSigner(f, 1), fixedSigner(f, 2)
	good, err := trusted.Sign([]byte(`{"stop":"200101","version":1,"issued_at":"2026-12-01T09:00:00Z","alerts":[]}`))
	if err != nil {
		f.Fatal(err)
	}
	for _, seed := range [][]byte{good, signtest.Corrupted(good), signtest.Altered(good, []byte(`{"stop":"x"}`)),
		signtest.WithAlg(good, "none", trusted.ID()), signtest.WithAlg(good, "HS256", trusted.ID()), []byte(`{}`), []byte(`not json`)} {
		f.Add(seed)
	}
	v, stranger := trusted.Verifier(), other.Verifier()
	f.Fuzz(func(t *testing.T, msg []byte) {
		_, kid, err := v.Open(msg)
		if err != nil {
			return
		}
		if kid != trusted.ID() {
			t.Fatalf("accepted under key %q, want %q", kid, trusted.ID())
		}
		if _, _, err := stranger.Open(msg); err == nil {
			t.Fatal("a verifier of another key accepted it too")
		}
	})
}
