package update_test

import (
	"bytes"
	"crypto/ed25519"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/halte-transit/halte/firmware/update"
	"github.com/halte-transit/halte/sign"
)

func signer(t *testing.T, seed byte) *sign.Signer {
	s, err := sign.NewSigner(ed25519.NewKeyFromSeed(bytes.Repeat([]byte{seed}, ed25519.SeedSize)))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// Check accepts the signed binary and names what is wrong with anything else.
func TestCheck(t *testing.T) {
	key, stranger := signer(t, 1), signer(t, 2)
	binary := bytes.Repeat([]byte("halte"), 1000)
	sig, err := update.SignRelease(key, "1.1.0", binary)
	if err != nil {
		t.Fatal(err)
	}
	if m, err := update.Check(binary, sig, key.Verifier()); err != nil || m.Release != "1.1.0" {
		t.Fatalf("the signed binary: %+v, %v", m, err)
	}
	altered := bytes.Clone(binary)
	altered[10] ^= 1
	forged, _ := update.SignRelease(stranger, "1.1.0", binary)
	for what, c := range map[string]struct {
		binary, sig []byte
		want        string
	}{
		"another key":  {binary, forged, "signature is refused"},
		"truncated":    {binary[:len(binary)-1], sig, "incomplete or not this release"},
		"altered":      {altered, sig, "SHA-256 differs"},
		"no signature": {binary, nil, "signature is refused"},
	} {
		if _, err := update.Check(c.binary, c.sig, key.Verifier()); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an error with %q", what, err, c.want)
		}
	}
}

// An unconfirmed trial is rolled back to the previous binary; a confirmed
// one is kept; a confirmation by another release confirms nothing.
func TestTrial(t *testing.T) {
	dir, state := t.TempDir(), t.TempDir()
	path := filepath.Join(dir, "halte")
	os.WriteFile(path, []byte("old"), 0o755)
	m := update.Manifest{Release: "2.0.0"}
	if err := update.Install(path, []byte("new"), m, "1.0.0", state); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); string(b) != "new" {
		t.Fatalf("installed: %q", b)
	}
	if ok, err := update.Confirm(state, "1.0.0"); ok || err != nil {
		t.Fatalf("confirmed by the old release: %v, %v", ok, err)
	}
	tr, ok, err := update.Rollback(path, state)
	if err != nil || !ok || tr.Previous != "1.0.0" {
		t.Fatalf("rollback: %+v, %v, %v", tr, ok, err)
	}
	if b, _ := os.ReadFile(path); string(b) != "old" {
		t.Fatalf("after the rollback: %q", b)
	}
	if _, ok, _ := update.ReadTrial(state); ok {
		t.Fatal("the trial outlived its rollback")
	}

	if err := update.Install(path, []byte("new"), m, "1.0.0", state); err != nil {
		t.Fatal(err)
	}
	if ok, err := update.Confirm(state, "2.0.0"); !ok || err != nil {
		t.Fatalf("confirm: %v, %v", ok, err)
	}
	if _, ok, err := update.Rollback(path, state); ok || err != nil {
		t.Fatalf("a confirmed release rolled back: %v, %v", ok, err)
	}
	if b, _ := os.ReadFile(path); string(b) != "new" {
		t.Fatalf("the confirmed release: %q", b)
	}
}
