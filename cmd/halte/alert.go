//go:build !device

package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/halte-transit/halte"
	"github.com/halte-transit/halte/feeds/mqtt"
	"github.com/halte-transit/halte/feeds/sign"
)

func runAlert(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 {
		switch args[0] {
		case "publish":
			return runAlertPublish(ctx, args[1:], stdout, stderr)
		case "cancel":
			return runAlertCancel(ctx, args[1:], stdout, stderr)
		}
	}
	fmt.Fprint(stderr, "Usage:\n  halte alert publish --broker URL (-f FILE | --id ID --effect EFFECT (--stop ID | --line ID)... --text LANG=TEXT...)\n  halte alert cancel --broker URL ID\n")
	return errUsage
}

func runAlertPublish(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("alert publish", flag.ContinueOnError)
	var conn connFlags
	conn.register(fs)
	key := fs.String("key", "", "the operator's private key `file` (halte keys gen) that signs the alert")
	var af alertFlags
	af.register(fs)
	if err := parse(fs, args, stderr); err != nil {
		return err
	}
	a, err := af.alert()
	if err != nil {
		return fmt.Errorf("alert not published: %w", err)
	}
	payload, _ := json.Marshal(a)
	return publishOperator(ctx, &conn, *key, a.ID, payload, stdout, stderr,
		fmt.Sprintf("published alert %s version %d", a.ID, a.Version))
}

func runAlertCancel(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("alert cancel", flag.ContinueOnError)
	var conn connFlags
	conn.register(fs)
	key := fs.String("key", "", "the operator's private key `file` (halte keys gen) that signs the cancel")
	if err := parse(fs, args, stderr); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageError(fs, "name exactly one alert id to cancel")
	}
	cancel := halte.Alert{ID: fs.Arg(0), Version: uint64(time.Now().UnixMilli()), Cancelled: true}
	if err := cancel.Validate(); err != nil {
		return fmt.Errorf("alert not cancelled: %w", err)
	}
	payload, _ := json.Marshal(cancel)
	return publishOperator(ctx, &conn, *key, cancel.ID, payload, stdout, stderr, "cancelled alert "+cancel.ID)
}

// publishOperator signs an operator document with the key file (if any),
// publishes it retained at QoS 1 and waits until the broker holds it (it
// hands the document back to a new subscription).
func publishOperator(ctx context.Context, conn *connFlags, keyFile, id string, payload []byte, stdout, stderr io.Writer, done string) error {
	if keyFile != "" {
		key, err := sign.LoadSigner(keyFile)
		if err != nil {
			return err
		}
		if payload, err = key.Sign(payload); err != nil {
			return err
		}
		done += " signed by key " + key.ID()
	} else {
		fmt.Fprintln(stderr, "halte: warning: not signed (no --key); a hub that checks operator keys will refuse it")
	}
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	client, err := conn.connect(ctx, "halte-cli", stderr, nil)
	if err != nil {
		return err
	}
	defer client.Disconnect(250)
	topic := mqtt.OperatorAlertTopic(id)
	if err := mqtt.PublishHeld(ctx, client, topic, payload); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s on %s\n", done, topic)
	return nil
}
