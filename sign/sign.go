// Package sign makes sure that what a stop speaks came from the hub, and
// what the hub publishes from an authorised operator or a configured feed.
//
// Documents travel as JWS (RFC 7515) in the flattened JSON serialization,
// signed with EdDSA (Ed25519), the key named by its id in the protected
// header. A Verifier trusts several keys at once (for rotation) and refuses
// revoked ones. Keys are PEM files: PKCS #8 for private keys (mode 0600),
// PKIX for public ones.
package sign

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/go-jose/go-jose/v4"

	"github.com/halte-transit/halte"
)

// KeyID names a public key: the first 12 bytes of its SHA-256, base64url.
func KeyID(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return base64.RawURLEncoding.EncodeToString(sum[:12])
}

// Generate makes a key pair, writes prefix.key (private, mode 0600) and
// prefix.pub, and returns the key id. It refuses to overwrite a key.
func Generate(prefix string) (string, error) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return "", err
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return "", err
	}
	pubDER, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return "", err
	}
	f, err := os.OpenFile(prefix+".key", os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return "", fmt.Errorf("private key: %w", err)
	}
	if err := pem.Encode(f, &pem.Block{Type: "PRIVATE KEY", Bytes: der}); err != nil {
		f.Close()
		return "", err
	}
	if err := f.Close(); err != nil {
		return "", err
	}
	pubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER})
	if err := os.WriteFile(prefix+".pub", pubPEM, 0o644); err != nil {
		return "", fmt.Errorf("public key: %w", err)
	}
	return KeyID(pub), nil
}

// Signer signs documents with one private key.
type Signer struct {
	signer jose.Signer
	id     string
	public ed25519.PublicKey
}

// LoadSigner reads a private key written by Generate.
func LoadSigner(path string) (*Signer, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("signing key: %w", err)
	}
	block, _ := pem.Decode(raw)
	if block == nil || block.Type != "PRIVATE KEY" {
		return nil, fmt.Errorf("signing key %s: not a PEM private key", path)
	}
	key, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("signing key %s: %w", path, err)
	}
	priv, ok := key.(ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("signing key %s: not an Ed25519 key", path)
	}
	return NewSigner(priv)
}

// NewSigner signs with priv.
func NewSigner(priv ed25519.PrivateKey) (*Signer, error) {
	pub := priv.Public().(ed25519.PublicKey)
	id := KeyID(pub)
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.EdDSA, Key: jose.JSONWebKey{Key: priv, KeyID: id}},
		(&jose.SignerOptions{}).WithType("JOSE+JSON").WithContentType("application/json"))
	if err != nil {
		return nil, err
	}
	return &Signer{signer: s, id: id, public: pub}, nil
}

// Verifier trusts this signer's own public key only.
func (s *Signer) Verifier() *Verifier {
	v := &Verifier{keys: map[string]ed25519.PublicKey{}, revoked: map[string]bool{}}
	v.Trust(s.public)
	return v
}

// ID is the signing key's id.
func (s *Signer) ID() string { return s.id }

// Sign wraps payload in a JWS.
func (s *Signer) Sign(payload []byte) ([]byte, error) {
	obj, err := s.signer.Sign(payload)
	if err != nil {
		return nil, err
	}
	return []byte(obj.FullSerialize()), nil
}

// Verifier checks documents against trusted public keys.
type Verifier struct {
	keys     map[string]ed25519.PublicKey
	revoked  map[string]bool
	insecure bool
}

// Insecure is a Verifier that checks nothing and accepts plain JSON, for
// closed test set-ups only; whoever runs it says so loudly.
func Insecure() *Verifier { return &Verifier{insecure: true} }

// LoadVerifier trusts the public keys in the files (PEM; a file may hold
// several) except the revoked key ids.
func LoadVerifier(files, revoked []string) (*Verifier, error) {
	v := &Verifier{keys: map[string]ed25519.PublicKey{}, revoked: map[string]bool{}}
	for _, path := range files {
		raw, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("trusted key: %w", err)
		}
		found := 0
		for block, rest := pem.Decode(raw); block != nil; block, rest = pem.Decode(rest) {
			pub, err := parsePublic(block)
			if err != nil {
				return nil, fmt.Errorf("trusted key %s: %w", path, err)
			}
			v.Trust(pub)
			found++
		}
		if found == 0 {
			return nil, fmt.Errorf("trusted key %s: no PEM public key in the file", path)
		}
	}
	for _, id := range revoked {
		v.revoked[strings.TrimSpace(id)] = true
	}
	return v, nil
}

func parsePublic(block *pem.Block) (ed25519.PublicKey, error) {
	if block.Type != "PUBLIC KEY" {
		return nil, fmt.Errorf("a PEM %q block, want PUBLIC KEY", block.Type)
	}
	key, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		return nil, err
	}
	pub, ok := key.(ed25519.PublicKey)
	if !ok {
		return nil, errors.New("not an Ed25519 key")
	}
	return pub, nil
}

// Trust adds a public key.
func (v *Verifier) Trust(pub ed25519.PublicKey) { v.keys[KeyID(pub)] = pub }

// Revoke refuses the key with this id from now on.
func (v *Verifier) Revoke(id string) { v.revoked[id] = true }

// IsInsecure reports whether the verifier checks nothing.
func (v *Verifier) IsInsecure() bool { return v.insecure }

// Keys counts the trusted keys.
func (v *Verifier) Keys() int { return len(v.keys) }

// Open checks a signed document and returns its payload and key id. A
// refusal is an *halte.InputError whose Reason says why: unsigned,
// unknown_key, revoked or bad_signature.
func (v *Verifier) Open(msg []byte) ([]byte, string, error) {
	trimmed := bytes.TrimSpace(msg)
	if len(trimmed) > halte.MaxPayload*4/3+4096 {
		return nil, "", &halte.InputError{Reason: halte.ReasonTooLarge, Problem: fmt.Sprintf("payload of %d bytes is larger than the limit", len(msg))}
	}
	isJWS := bytes.HasPrefix(trimmed, []byte("{")) && bytes.Contains(trimmed, []byte(`"signature"`)) && bytes.Contains(trimmed, []byte(`"protected"`))
	if v.insecure {
		if !isJWS {
			return msg, "", nil
		}
		if jws, err := jose.ParseSignedJSON(string(trimmed), []jose.SignatureAlgorithm{jose.EdDSA}); err == nil {
			return jws.UnsafePayloadWithoutVerification(), "", nil
		}
		return msg, "", nil
	}
	if !isJWS {
		return nil, "", refuse(halte.ReasonUnsigned, "the document is not signed (want a JWS in JSON serialization)")
	}
	jws, err := jose.ParseSignedJSON(string(trimmed), []jose.SignatureAlgorithm{jose.EdDSA})
	if err != nil {
		return nil, "", refuse(halte.ReasonBadSignature, "not a valid EdDSA JWS: "+err.Error())
	}
	if len(jws.Signatures) != 1 {
		return nil, "", refuse(halte.ReasonBadSignature, fmt.Sprintf("want one signature, got %d", len(jws.Signatures)))
	}
	id := jws.Signatures[0].Protected.KeyID
	if v.revoked[id] {
		return nil, id, refuse(halte.ReasonRevoked, "signed by revoked key "+id)
	}
	pub, ok := v.keys[id]
	if !ok {
		return nil, id, refuse(halte.ReasonUnknownKey, fmt.Sprintf("signed by unknown key %q", id))
	}
	payload, err := jws.Verify(pub)
	if err != nil {
		return nil, id, refuse(halte.ReasonBadSignature, "the signature does not match the document (key "+id+")")
	}
	return payload, id, nil
}

func refuse(r halte.Reason, problem string) error {
	return &halte.InputError{Reason: r, Problem: problem}
}
