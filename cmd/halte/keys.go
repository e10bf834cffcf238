package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/halte-transit/halte/firmware/update"
	"github.com/halte-transit/halte/sign"
)

const keysUsage = `Usage:
  halte keys gen --out PREFIX                             make a key pair: PREFIX.key (private, mode 0600) and PREFIX.pub
  halte keys sign-release --key FILE --release V BINARY   sign a release for halte update: writes BINARY.sig
`

func runKeys(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "sign-release" {
		return runSignRelease(ctx, args[1:], stdout, stderr)
	}
	if len(args) == 0 || args[0] != "gen" {
		fmt.Fprint(stderr, keysUsage)
		return errUsage
	}
	fs := flag.NewFlagSet("keys gen", flag.ContinueOnError)
	out := fs.String("out", "", "path `prefix` of the two files")
	if err := parse(fs, args[1:], stderr); err != nil {
		return err
	}
	if *out == "" {
		return usageError(fs, "--out is required")
	}
	id, err := sign.Generate(*out)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s\n", id)
	fmt.Fprintf(stderr, "halte: wrote %s.key (private: keep it on the signing machine only) and %s.pub (give it to those who verify); key id %s\n", *out, *out, id)
	return nil
}

// runSignRelease writes BINARY.sig: the release key's signature over the
// binary's release, size and SHA-256, which halte update checks.
func runSignRelease(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("keys sign-release", flag.ContinueOnError)
	keyFile := fs.String("key", "", "the release's private key `file` (halte keys gen)")
	release := fs.String("release", "", "the `version` the binary reports in halte version")
	if err := parse(fs, args, stderr); err != nil {
		return err
	}
	if *keyFile == "" || *release == "" || fs.NArg() != 1 {
		return usageError(fs, "--key, --release and one binary are required")
	}
	key, err := sign.LoadSigner(*keyFile)
	if err != nil {
		return err
	}
	binary, err := os.ReadFile(fs.Arg(0))
	if err != nil {
		return err
	}
	sig, err := update.SignRelease(key, *release, binary)
	if err != nil {
		return err
	}
	if err := os.WriteFile(fs.Arg(0)+".sig", append(sig, '\n'), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s.sig: release %s signed by key %s\n", fs.Arg(0), *release, key.ID())
	return nil
}
