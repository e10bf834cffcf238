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
	"github.com/halte-transit/halte/mqtt"
	"github.com/halte-transit/halte/sign"
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
	var op operatorFlags
	op.register(fs, "alert")
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
	return publishOperator(ctx, &conn, op, a.ID, payload, stdout, stderr,
		fmt.Sprintf("published alert %s version %d", a.ID, a.Version))
}

func runAlertCancel(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("alert cancel", flag.ContinueOnError)
	var conn connFlags
	conn.register(fs)
	var op operatorFlags
	op.register(fs, "cancel")
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
	return publishOperator(ctx, &conn, op, cancel.ID, payload, stdout, stderr, "cancelled alert "+cancel.ID)
}

// operatorFlags are the flags of both alert commands: the signing key and
// how long to wait for the broker.
type operatorFlags struct {
	key  string
	wait time.Duration
}

func (o *operatorFlags) register(fs *flag.FlagSet, what string) {
	fs.StringVar(&o.key, "key", "", "the operator's private key `file` (halte keys gen) that signs the "+what)
	fs.DurationVar(&o.wait, "wait", time.Minute, "how long to keep trying until a broker holds the "+what+
		" (a cluster that lost a node takes some seconds to elect new leaders)")
}

// publishOperator signs an operator document with the key file (if any),
// publishes it retained at QoS 1 and waits until the broker holds it (it
// hands the document back to a new subscription).
func publishOperator(ctx context.Context, conn *connFlags, op operatorFlags, id string, payload []byte, stdout, stderr io.Writer, done string) error {
	if op.key != "" {
		key, err := sign.LoadSigner(op.key)
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
	ctx, cancel := context.WithTimeout(ctx, op.wait)
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
