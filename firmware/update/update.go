// Package update replaces a stop device's halte binary with a signed
// release, and puts the previous one back when the new one does not become
// ready. A release is a binary and its signature (a JWS by a release key
// over Manifest). The update keeps the binary it replaces beside it, and
// writes a trial record in the state folder; the new agent confirms the
// trial once it answers the button (Confirm), and a trial left
// unconfirmed is rolled back (Rollback). The state file is never touched.
package update

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/halte-transit/halte/internal/durable"
	"github.com/halte-transit/halte/sign"
)

// Manifest is what a release key signs: which release, and the binary's
// size and SHA-256.
type Manifest struct {
	Release string `json:"release"`
	Size    int64  `json:"size"`
	SHA256  string `json:"sha256"`
}

// SignRelease returns the signature of binary as release, made with key.
func SignRelease(key *sign.Signer, release string, binary []byte) ([]byte, error) {
	sum := sha256.Sum256(binary)
	m, _ := json.Marshal(Manifest{Release: release, Size: int64(len(binary)), SHA256: hex.EncodeToString(sum[:])})
	return key.Sign(m)
}

// Check returns the manifest of a downloaded binary whose signature keys
// trusts, or an error that says what is wrong: a signature not made by a
// release key, a download shorter or longer than the release, a binary
// that is not the one signed.
func Check(binary, signature []byte, keys *sign.Verifier) (Manifest, error) {
	payload, _, err := keys.Open(bytes.TrimSpace(signature))
	if err != nil {
		return Manifest{}, fmt.Errorf("the release's signature is refused: %w", err)
	}
	var m Manifest
	if err := json.Unmarshal(payload, &m); err != nil || m.Release == "" || m.Size <= 0 || m.SHA256 == "" {
		return Manifest{}, errors.New("the release's signature holds no release, size and SHA-256")
	}
	if int64(len(binary)) != m.Size {
		return m, fmt.Errorf("the download is %d bytes, release %s is %d: incomplete or not this release", len(binary), m.Release, m.Size)
	}
	if sum := sha256.Sum256(binary); hex.EncodeToString(sum[:]) != m.SHA256 {
		return m, fmt.Errorf("the download is not the binary release %s signed (SHA-256 differs)", m.Release)
	}
	return m, nil
}

// Trial is the record of an update in progress, in the state folder.
type Trial struct {
	Release   string `json:"release"`   // the new release, on trial
	Previous  string `json:"previous"`  // the release it replaced
	Confirmed bool   `json:"confirmed"` // the new release's agent became ready
}

// TrialFile is the trial record's name in the state folder.
const TrialFile = "update.json"

// PreviousName is the name of the replaced binary, beside the running one.
func PreviousName(binary string) string { return binary + ".previous" }

// Install puts the checked binary in place of the one at path, keeping the
// old one as PreviousName(path), and records the trial in stateDir; each
// file is written whole and synced before it is renamed into place, so a
// power cut leaves either release, never half of one.
func Install(path string, binary []byte, m Manifest, previous, stateDir string) error {
	old, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("read the running binary: %w", err)
	}
	if err := durable.WriteFile(PreviousName(path), old, 0o755); err != nil {
		return err
	}
	t, _ := json.Marshal(Trial{Release: m.Release, Previous: previous})
	if err := durable.WriteFile(filepath.Join(stateDir, TrialFile), t, 0o644); err != nil {
		return err
	}
	return durable.WriteFile(path, binary, 0o755)
}

// ReadTrial returns the trial record in stateDir; ok is false when there is none.
func ReadTrial(stateDir string) (t Trial, ok bool, err error) {
	b, err := os.ReadFile(filepath.Join(stateDir, TrialFile))
	if errors.Is(err, os.ErrNotExist) {
		return Trial{}, false, nil
	}
	if err == nil {
		err = json.Unmarshal(b, &t)
	}
	return t, err == nil, err
}

// Confirm marks the trial in stateDir confirmed when release is the one on
// trial: the agent calls it once it is ready. Without a trial it does nothing.
func Confirm(stateDir, release string) (bool, error) {
	t, ok, err := ReadTrial(stateDir)
	if err != nil || !ok || t.Confirmed || t.Release != release {
		return false, err
	}
	t.Confirmed = true
	b, _ := json.Marshal(t)
	return true, durable.WriteFile(filepath.Join(stateDir, TrialFile), b, 0o644)
}

// Rollback puts PreviousName(path) back in place of path when the trial in
// stateDir is unconfirmed, and ends the trial; it returns the trial it
// rolled back, ok false when there was nothing to roll back.
func Rollback(path, stateDir string) (t Trial, ok bool, err error) {
	t, ok, err = ReadTrial(stateDir)
	if err != nil || !ok || t.Confirmed {
		return t, false, err
	}
	old, err := os.ReadFile(PreviousName(path))
	if err != nil {
		return t, false, fmt.Errorf("the previous binary: %w", err)
	}
	if err := durable.WriteFile(path, old, 0o755); err != nil {
		return t, false, err
	}
	return t, true, os.Remove(filepath.Join(stateDir, TrialFile))
}
