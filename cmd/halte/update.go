package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/halte-transit/halte/firmware/agent"
	"github.com/halte-transit/halte/firmware/update"
	"github.com/halte-transit/halte/sign"
)

// maxRelease bounds a downloaded release.
const maxRelease = 256 << 20

// downloads fetches releases; a stalled download ends after ten minutes.
var downloads = &http.Client{Timeout: 10 * time.Minute}

// runUpdate installs a signed release in place of this binary, restarts
// the agent, and rolls back when the new release does not become ready.
func runUpdate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("update", flag.ContinueOnError)
	config := fs.String("config", "/etc/halte/halte.yaml", "the device's configuration `file` (its release_keys and state_dir)")
	from := fs.String("from", "", "the release, a binary's `URL or FILE`; its signature is the same with .sig added")
	restart := fs.String("restart", "systemctl restart halte-agent", "the `command` that restarts the agent, run without a shell; \"\" for none")
	wait := fs.Duration("wait", 2*time.Minute, "how long the new release has to become ready before the previous one is put back")
	rollback := fs.Bool("rollback", false, "only put the previous binary back if the last update was not confirmed (for halte-rollback.service)")
	target := fs.String("binary", "", "the binary `file` to replace (default: this one)")
	if err := parse(fs, args, stderr); err != nil {
		return err
	}
	if *from == "" && !*rollback {
		return usageError(fs, "--from is required: the release to install")
	}
	cfg, err := agent.LoadConfig(*config)
	if err != nil {
		return err
	}
	if cfg.StateDir == "" {
		return fmt.Errorf("config key state_dir is missing: the update keeps its record there")
	}
	path := *target
	if path == "" {
		if path, err = os.Executable(); err == nil {
			path, err = filepath.EvalSymlinks(path)
		}
		if err != nil {
			return err
		}
	}
	restartAgent := func() error {
		argv := strings.Fields(*restart)
		if len(argv) == 0 {
			return nil
		}
		if out, err := exec.CommandContext(ctx, argv[0], argv[1:]...).CombinedOutput(); err != nil {
			return fmt.Errorf("%s: %v: %s", *restart, err, bytes.TrimSpace(out))
		}
		return nil
	}
	if *rollback {
		t, done, err := update.Rollback(path, cfg.StateDir)
		if err != nil {
			return err
		}
		if !done {
			return errors.New("nothing to roll back: no update is on trial")
		}
		fmt.Fprintf(stdout, "rolled back from %s to %s\n", t.Release, t.Previous)
		return restartAgent()
	}

	if len(cfg.ReleaseKeys) == 0 {
		return errors.New("update refused: config key release_keys names no release key, so no release can be trusted")
	}
	keys, err := sign.LoadVerifier(cfg.ReleaseKeys, cfg.RevokedKeys)
	if err != nil {
		return fmt.Errorf("config key release_keys: %w", err)
	}
	binary, err := fetch(ctx, *from)
	if err != nil {
		return fmt.Errorf("update refused: %w", err)
	}
	signature, err := fetch(ctx, *from+".sig")
	if err != nil {
		return fmt.Errorf("update refused: the release's signature: %w", err)
	}
	m, err := update.Check(binary, signature, keys)
	if err != nil {
		return fmt.Errorf("update refused: %w", err)
	}
	if err := runsHere(ctx, path, binary, m.Release); err != nil {
		return fmt.Errorf("update refused: %w", err)
	}
	previous, err := releaseOf(ctx, path)
	if err != nil {
		return fmt.Errorf("update refused: the running binary: %w", err)
	}
	if err := update.Install(path, binary, m, previous, cfg.StateDir); err != nil {
		return fmt.Errorf("update not installed: %w", err)
	}
	fmt.Fprintf(stderr, "halte: release %s installed in place of %s; waiting up to %s for it to become ready\n", m.Release, previous, *wait)
	err = restartAgent()
	for deadline := time.Now().Add(*wait); err == nil; time.Sleep(200 * time.Millisecond) {
		t, _, rerr := update.ReadTrial(cfg.StateDir)
		if rerr == nil && t.Confirmed {
			fmt.Fprintf(stdout, "updated from %s to %s: the new release is ready\n", previous, m.Release)
			return nil
		}
		if time.Now().After(deadline) {
			err = fmt.Errorf("it did not become ready within %s", *wait)
		}
	}
	if _, _, rerr := update.Rollback(path, cfg.StateDir); rerr != nil {
		return fmt.Errorf("release %s failed (%v) and the previous release could not be put back: %w", m.Release, err, rerr)
	}
	if rerr := restartAgent(); rerr != nil {
		return fmt.Errorf("release %s failed (%v); %s is back in place but not restarted: %w", m.Release, err, previous, rerr)
	}
	return fmt.Errorf("release %s rolled back to %s: %w", m.Release, previous, err)
}

// runsHere runs the release's "halte version" from a file beside path and
// checks that it is the release signed: a binary for another machine, or
// one that is not halte, is refused before it replaces anything.
func runsHere(ctx context.Context, path string, binary []byte, release string) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".halte-candidate-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	_, err = f.Write(binary)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(f.Name(), 0o755)
	}
	if err != nil {
		return err
	}
	got, err := releaseOf(ctx, f.Name())
	if err != nil {
		return fmt.Errorf("release %s does not run on this device: %w", release, err)
	}
	if got != release {
		return fmt.Errorf("the binary says it is release %s, not %s", got, release)
	}
	return nil
}

// releaseOf returns the release a halte binary reports in "halte version".
func releaseOf(ctx context.Context, binary string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, binary, "version").Output()
	if err != nil {
		return "", err
	}
	f := strings.Fields(string(out))
	if len(f) < 2 || f[0] != "halte" {
		return "", fmt.Errorf("%s version says %q, not halte's version line", binary, strings.TrimSpace(string(out)))
	}
	return f[1], nil
}

// fetch reads a file, or an http(s) URL answered with 200, of at most maxRelease bytes.
func fetch(ctx context.Context, src string) ([]byte, error) {
	var body io.ReadCloser
	if strings.HasPrefix(src, "http://") || strings.HasPrefix(src, "https://") {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, src, nil)
		if err != nil {
			return nil, err
		}
		resp, err := downloads.Do(req)
		if err != nil {
			return nil, err
		}
		if resp.StatusCode != http.StatusOK {
			resp.Body.Close()
			return nil, fmt.Errorf("%s: %s", src, resp.Status)
		}
		body = resp.Body
	} else {
		f, err := os.Open(src)
		if err != nil {
			return nil, err
		}
		body = f
	}
	defer body.Close()
	b, err := io.ReadAll(io.LimitReader(body, maxRelease+1))
	if err == nil && len(b) > maxRelease {
		err = fmt.Errorf("%s is larger than %d MB", src, maxRelease>>20)
	}
	return b, err
}
