package sign_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/halte-transit/halte"
	"github.com/halte-transit/halte/sign"
	"github.com/halte-transit/halte/sign/signtest"
)

// keyPair generates a key pair in a temporary folder.
func keyPair(t *testing.T, name string) (*sign.Signer, string, string) {
	t.Helper()
	prefix := filepath.Join(t.TempDir(), name)
	id, err := sign.Generate(prefix)
	if err != nil {
		t.Fatal(err)
	}
	s, err := sign.LoadSigner(prefix + ".key")
	if err != nil {
		t.Fatal(err)
	}
	if s.ID() != id {
		t.Fatalf("key id %s, signer %s", id, s.ID())
	}
	return s, prefix + ".pub", id
}

func reason(err error) halte.Reason {
	var ie *halte.InputError
	if errors.As(err, &ie) {
		return ie.Reason
	}
	return ""
}

func TestGenerateWritesSafeFiles(t *testing.T) {
	prefix := filepath.Join(t.TempDir(), "hub")
	if _, err := sign.Generate(prefix); err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(prefix + ".key")
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("private key mode %v, %v", info.Mode(), err)
	}
	if _, err := sign.Generate(prefix); err == nil {
		t.Fatal("Generate overwrote an existing key")
	}
	pub, _ := os.ReadFile(prefix + ".pub")
	if bytes.Contains(pub, []byte("PRIVATE")) {
		t.Fatal("the public file holds a private key")
	}
}

func TestVerify(t *testing.T) {
	hub, hubPub, hubID := keyPair(t, "hub")
	next, nextPub, _ := keyPair(t, "next")
	stranger, _, _ := keyPair(t, "stranger")
	doc := []byte(`{"stop":"200101","version":1}`)
	signed, err := hub.Sign(doc)
	if err != nil {
		t.Fatal(err)
	}
	v, err := sign.LoadVerifier([]string{hubPub, nextPub}, nil)
	if err != nil {
		t.Fatal(err)
	}
	payload, id, err := v.Open(signed)
	if err != nil || !bytes.Equal(payload, doc) || id != hubID {
		t.Fatalf("%s by %s: %v", payload, id, err)
	}
	rotated, _ := next.Sign(doc)
	if _, _, err := v.Open(rotated); err != nil {
		t.Fatalf("the second trusted key (rotation): %v", err)
	}

	byStranger, _ := stranger.Sign(doc)

	revoking, _ := sign.LoadVerifier([]string{hubPub}, []string{hubID})
	cases := []struct {
		name string
		v    *sign.Verifier
		msg  []byte
		want halte.Reason
	}{
		{"plain JSON", v, doc, halte.ReasonUnsigned},
		{"not JSON at all", v, []byte("hallo"), halte.ReasonUnsigned},
		{"unknown key", v, byStranger, halte.ReasonUnknownKey},
		{"revoked key", revoking, signed, halte.ReasonRevoked},
		{"altered after signing", v, signtest.Altered(signed, []byte(`{"stop":"200101","version":2}`)), halte.ReasonBadSignature},
		{"corrupted signature", v, signtest.Corrupted(signed), halte.ReasonBadSignature},
		{"alg none", v, signtest.WithAlg(signed, "none", hubID), halte.ReasonBadSignature},
		{"alg HS256 with the public key as secret", v, signtest.WithAlg(signed, "HS256", hubID), halte.ReasonBadSignature},
	}
	for _, c := range cases {
		if _, _, err := c.v.Open(c.msg); reason(err) != c.want {
			t.Errorf("%s: got %v, want reason %s", c.name, err, c.want)
		}
	}
	if payload, _, err := sign.Insecure().Open(signed); err != nil || !bytes.Equal(payload, doc) {
		t.Fatalf("insecure: %s, %v", payload, err)
	}
}

func TestLoadErrorsNameTheFile(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.pub")
	os.WriteFile(bad, []byte("not a key"), 0o644)
	if _, err := sign.LoadVerifier([]string{bad}, nil); err == nil || !strings.Contains(err.Error(), "bad.pub") {
		t.Fatalf("got %v", err)
	}
	if _, err := sign.LoadSigner(bad); err == nil || !strings.Contains(err.Error(), "bad.pub") {
		t.Fatalf("got %v", err)
	}
}
