package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"

	paho "github.com/eclipse/paho.mqtt.golang"

	"github.com/halte-transit/halte/mqtt"
)

// connFlags are the flags of a connection to the broker, shared by every
// command that connects.
type connFlags struct {
	brokers                listFlag
	username, passwordFile string
	tls                    mqtt.TLSFiles
}

func (c *connFlags) register(fs *flag.FlagSet) {
	fs.Var(&c.brokers, "broker", "MQTT broker `URL`, tcp://host:port or ssl://host:port (default $HALTE_BROKER); repeat it for the nodes of a cluster (tried in an order of this client's own)")
	fs.StringVar(&c.username, "username", "", "broker user `name`")
	fs.StringVar(&c.passwordFile, "password-file", "", "`file` holding the broker password")
	fs.StringVar(&c.tls.CA, "tls-ca", "", "PEM `file` of the CA that signed the broker's certificate")
	fs.StringVar(&c.tls.Cert, "tls-cert", "", "PEM `file` of this client's certificate, for brokers that ask for one")
	fs.StringVar(&c.tls.Key, "tls-key", "", "PEM `file` of this client's certificate key")
}

// options resolves the broker URLs and reads the credentials.
func (c *connFlags) options(clientID string) (mqtt.Options, error) {
	brokers, err := mqtt.ResolveBrokers(c.brokers)
	if err != nil {
		return mqtt.Options{}, err
	}
	password, err := mqtt.ReadPassword(c.passwordFile)
	if err != nil {
		return mqtt.Options{}, err
	}
	tls, err := c.tls.Config()
	if err != nil {
		return mqtt.Options{}, err
	}
	return mqtt.Options{Broker: brokers[0], Fallback: brokers[1:], ClientID: clientID, Username: c.username, Password: password, TLS: tls}, nil
}

// connect opens a command's short connection, its client id made of
// prefix, the host name and the process id: warnings go to stderr; a
// broker that cannot take it yet is tried again until ctx ends, and a
// refusal is told at once. onConnect, if not nil, runs once connected.
func (c *connFlags) connect(ctx context.Context, prefix string, stderr io.Writer, onConnect func(paho.Client)) (paho.Client, error) {
	host, _ := os.Hostname()
	opts, err := c.options(fmt.Sprintf("%s-%s-%d", prefix, host, os.Getpid()))
	if err != nil {
		return nil, err
	}
	opts.Logger = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	opts.Once = true
	opts.OnConnect = onConnect
	client := mqtt.NewClient(opts)
	if err := mqtt.Dial(ctx, client); err != nil {
		client.Disconnect(0)
		return nil, fmt.Errorf("%s: %w", opts.Broker, err)
	}
	return client, nil
}
