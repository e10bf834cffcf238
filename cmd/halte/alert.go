package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/halte-transit/halte"
	"github.com/halte-transit/halte/feeds/mqtt"
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
	broker := fs.String("broker", "", "MQTT broker URL, tcp://host:port (default $HALTE_BROKER)")
	file := fs.String("f", "", "read the alert from this JSON `file` (schema/v1/alert.schema.json) instead of flags")
	var a halte.Alert
	var stops, lines listFlag
	var header, description, advice textFlag
	var from, until timeFlag
	effect := fs.String("effect", "", "what happens: NO_SERVICE, DETOUR, STOP_MOVED, REDUCED_SERVICE, SIGNIFICANT_DELAYS, ACCESSIBILITY_ISSUE... (any case)")
	severity := fs.String("severity", "", "INFO, WARNING or SEVERE")
	fs.StringVar(&a.ID, "id", "", "the alert's `id`, unique and stable; publishing the same id again updates it")
	fs.Uint64Var(&a.Version, "version", 0, "the alert's version; 0 means the time now in milliseconds, so that it grows")
	fs.Var(&stops, "stop", "a stop `id` (GTFS stop_id) concerned; repeatable")
	fs.Var(&lines, "line", "a line (GTFS route_id) concerned; repeatable")
	fs.Var(&header, "text", "what to tell travelers, as `LANG=TEXT`; repeatable, one per language")
	fs.Var(&description, "description", "more detail, as LANG=TEXT; repeatable")
	fs.Var(&advice, "advice", "the alternative, as LANG=TEXT; repeatable")
	fs.Var(&from, "from", "start of the disruption, RFC 3339 (default: now)")
	fs.Var(&until, "until", "end of the disruption, RFC 3339 (default: until cancelled)")
	fs.StringVar(&a.Source, "source", "operator", "who publishes it")
	if err := parse(fs, args, stderr); err != nil {
		return err
	}
	if *file != "" {
		raw, err := os.ReadFile(*file)
		if err != nil {
			return err
		}
		if a, err = halte.ParseAlert(raw); err != nil {
			return fmt.Errorf("alert not published: %s: %w", *file, err)
		}
	} else {
		a.Effect, a.Severity = halte.Effect(*effect), halte.Severity(*severity)
		a.Stops = stops
		for _, l := range lines {
			a.Lines = append(a.Lines, halte.Line{ID: l})
		}
		a.Header, a.Description, a.Advice = halte.Text(header), halte.Text(description), halte.Text(advice)
		if !from.IsZero() || !until.IsZero() {
			a.Periods = []halte.Period{{Start: from.Time, End: until.Time}}
		}
	}
	if a.Version == 0 {
		a.Version = uint64(time.Now().UnixMilli())
	}
	payload, err := json.Marshal(a)
	if err != nil {
		return err
	}
	// The same decoder as the hub's: what passes here passes there.
	if a, err = halte.DecodeAlert(payload); err != nil {
		return fmt.Errorf("alert not published: %w", err)
	}
	payload, _ = json.Marshal(a)
	return publishOperator(ctx, *broker, a.ID, payload, stdout,
		fmt.Sprintf("published alert %s version %d", a.ID, a.Version))
}

func runAlertCancel(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("alert cancel", flag.ContinueOnError)
	broker := fs.String("broker", "", "MQTT broker URL, tcp://host:port (default $HALTE_BROKER)")
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
	return publishOperator(ctx, *broker, cancel.ID, payload, stdout, "cancelled alert "+cancel.ID)
}

// publishOperator publishes an operator document retained at QoS 1 and
// waits for the broker's acknowledgement.
func publishOperator(ctx context.Context, brokerFlag, id string, payload []byte, stdout io.Writer, done string) error {
	broker, err := mqtt.ResolveBroker(brokerFlag)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	host, _ := os.Hostname()
	quiet := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	client := mqtt.NewClient(mqtt.Options{Broker: broker, ClientID: fmt.Sprintf("halte-cli-%s-%d", host, os.Getpid()), Logger: quiet})
	if err := mqtt.Connect(ctx, client); err != nil {
		client.Disconnect(0)
		return fmt.Errorf("%s: %w", broker, err)
	}
	defer client.Disconnect(250)
	topic := mqtt.OperatorAlertTopic(id)
	if err := mqtt.Publish(ctx, client, topic, true, payload); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s on %s\n", done, topic)
	return nil
}
