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
