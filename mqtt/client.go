package mqtt

import (
	"context"
	"crypto/tls"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"strings"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"
)

// BrokerEnv is the environment variable that names the broker when no flag does.
const BrokerEnv = "HALTE_BROKER"

// ResolveBroker returns the broker URL: the flag's value if set, else
// $HALTE_BROKER. It checks the URL's form: tcp://host:port or ssl://host:port.
func ResolveBroker(flagValue string) (string, error) {
	raw := flagValue
	if raw == "" {
		raw = os.Getenv(BrokerEnv)
	}
	if raw == "" {
		return "", fmt.Errorf("no broker given: use --broker tcp://host:port or set %s", BrokerEnv)
	}
	if !strings.Contains(raw, "://") {
		return "", fmt.Errorf("broker URL %q has no scheme: want tcp://host:port or ssl://host:port", raw)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("broker URL %q: %v", raw, err)
	}
	switch u.Scheme {
	case "tcp", "ssl", "tls", "mqtt", "mqtts", "ws", "wss":
	default:
		return "", fmt.Errorf("broker URL %q: scheme %q is not one of tcp, ssl, ws, wss", raw, u.Scheme)
	}
	if u.Host == "" || u.Port() == "" {
		return "", fmt.Errorf("broker URL %q: want host and port, as in tcp://127.0.0.1:1883", raw)
	}
	return raw, nil
}

// ResolveBrokers resolves a list of broker URLs as ResolveBroker does each
// (none: $HALTE_BROKER): the brokers of one cluster, in the order tried.
func ResolveBrokers(flagValues []string) ([]string, error) {
	if len(flagValues) == 0 {
		b, err := ResolveBroker("")
		return []string{b}, err
	}
	out := make([]string, len(flagValues))
	for i, v := range flagValues {
		b, err := ResolveBroker(v)
		if err != nil {
			return nil, err
		}
		out[i] = b
	}
	return out, nil
}

// Options describe one MQTT connection. The zero value of each field is
// documented; Broker and ClientID are required.
type Options struct {
	// Broker is the URL, as returned by ResolveBroker.
	Broker string
	// Fallback are more brokers of the same cluster: the client tries
	// them all, in its own order (NodeOrder), until one takes it; the
	// client id, and so the kept session, stay the same. None means Broker
	// alone.
	Fallback []string
	// ClientID must be stable per device so the broker keeps its session.
	ClientID string
	// Username and Password are the credentials; empty means anonymous.
	Username, Password string
	// TLS secures ssl:// connections; nil means the system's roots.
	TLS *tls.Config
	// KeepSession asks the broker to keep subscriptions and queued QoS 1
	// messages while the client is away (clean session off).
	KeepSession bool
	// ManualAck leaves acknowledging each message to the handler (msg.Ack),
	// so that a message is acknowledged only once it is committed.
	ManualAck bool
	// Will is published retained by the broker if the client vanishes; nil
	// means no will.
	Will *Will
	// Once makes the first connection fail at once instead of retrying in
	// the background (for command-line tools, which call Dial: a refusal
	// should be told, not waited out).
	Once bool
	// Redialled leaves connecting to KeepDialling, first and after every
	// loss: paho neither retries nor reconnects by itself (a device among
	// many, whose pauses must grow and differ).
	Redialled bool
	// OnConnect runs after every (re)connection: subscribe there.
	OnConnect func(paho.Client)
	// OnLost runs after every loss of the connection (what was in flight on
	// a clean session is then never acknowledged); nil means nothing.
	OnLost func()
	// Logger receives connection events; nil means slog.Default().
	Logger *slog.Logger
}

// Will is a last-will message.
type Will struct {
	Topic   string
	Payload []byte
}

// NewClient makes a paho client that retries its first connection and
// reconnects forever, at QoS 1, keeping message order. A client of a
// cluster waits longer for a node's answers (clusterPatience).
func NewClient(o Options) paho.Client {
	log := o.Logger
	if log == nil {
		log = slog.Default()
	}
	opts := paho.NewClientOptions()
	brokers := NodeOrder(append([]string{o.Broker}, o.Fallback...), o.ClientID)
	for _, b := range brokers {
		opts.AddBroker(b)
	}
	patience := 10 * time.Second
	if len(brokers) > 1 {
		patience = clusterPatience
	}
	opts.SetClientID(o.ClientID).
		SetTLSConfig(o.TLS).
		SetUsername(o.Username).
		SetPassword(o.Password).
		SetProtocolVersion(4). // MQTT 3.1.1 only: NATS refuses 3.1, and paho's fallback to it doubles each failed attempt
		SetCleanSession(!o.KeepSession).
		SetAutoAckDisabled(o.ManualAck).
		SetStore(copyingStore{paho.NewMemoryStore()}).
		SetOrderMatters(true).
		SetKeepAlive(30 * time.Second).
		SetPingTimeout(patience).
		SetConnectTimeout(patience).
		SetConnectRetry(!o.Once && !o.Redialled).
		SetConnectRetryInterval(2 * time.Second).
		SetAutoReconnect(!o.Redialled).
		SetMaxReconnectInterval(30 * time.Second).
		SetConnectionNotificationHandler(func(_ paho.Client, n paho.ConnectionNotification) {
			switch f := n.(type) {
			case paho.ConnectionNotificationBrokerFailed:
				log.Warn("broker connection failed", "broker", f.Broker.String(), "err", f.Reason)
			case paho.ConnectionNotificationFailed:
				log.Warn("broker connection failed", "brokers", brokers, "err", f.Reason)
			}
		}).
		SetConnectionLostHandler(func(_ paho.Client, err error) {
			log.Warn("broker connection lost", "brokers", brokers, "err", err)
			if o.OnLost != nil {
				o.OnLost()
			}
		}).
		SetOnConnectHandler(func(c paho.Client) {
			log.Info("broker connected", "brokers", brokers, "client", o.ClientID)
			if o.OnConnect != nil {
				o.OnConnect(c)
			}
		})
	if o.Will != nil {
		opts.SetBinaryWill(o.Will.Topic, o.Will.Payload, 1, true)
	}
	return paho.NewClient(opts)
}

// Wait blocks until the token completes or ctx ends, and returns the
// token's error or ctx's.
func Wait(ctx context.Context, t paho.Token) error {
	select {
	case <-t.Done():
		return t.Error()
	case <-ctx.Done():
		return fmt.Errorf("broker did not answer: %w", ctx.Err())
	}
}

// Publish sends one message at QoS 1 and waits for the broker's acknowledgement.
func Publish(ctx context.Context, c paho.Client, topic string, retained bool, payload []byte) error {
	if err := Wait(ctx, c.Publish(topic, 1, retained, payload)); err != nil {
		return fmt.Errorf("publish to %s: %w", topic, err)
	}
	return nil
}

// Connect starts the client's connection and waits for the first success,
// or for ctx to end (the client keeps retrying in the background either way).
func Connect(ctx context.Context, c paho.Client) error {
	if err := Wait(ctx, c.Connect()); err != nil {
		return fmt.Errorf("connect to broker: %w", err)
	}
	return nil
}
