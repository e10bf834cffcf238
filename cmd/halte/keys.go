package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/halte-transit/halte/feeds/sign"
)

func runKeys(_ context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "gen" {
		fmt.Fprint(stderr, "Usage:\n  halte keys gen --out PREFIX    make a key pair: PREFIX.key (private, mode 0600) and PREFIX.pub\n")
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
