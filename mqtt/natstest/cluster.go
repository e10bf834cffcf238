// Package natstest starts a real 3-node NATS cluster for tests and the
// fleet benchmark, with MQTT and JetStream on every node (the MQTT streams
// replicated 3 times), on free loopback ports; each node can be killed and started again, and the whole
// cluster stopped and started, its JetStream data kept. It can run
// secured: MQTT over TLS, and the users and permissions of a users file
// made by scripts/nats-users.sh.
package natstest

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/halte-transit/halte/internal/testkit"
	"github.com/halte-transit/halte/mqtt"
	"github.com/halte-transit/halte/mqtt/mqtttest"
)

// Cluster is three nats-server processes routed into one cluster.
type Cluster struct {
	// URLs are the nodes' MQTT addresses, tcp://127.0.0.1:PORT (ssl://
	// when secured), node 0 first.
	URLs []string
	// Dir holds the configurations, JetStream stores and logs.
	Dir string

	nodes    []*exec.Cmd
	monitors []string
	open     bool
}

// Secured says how the cluster is secured; the zero value is open.
type Secured struct {
	// CA signs the nodes' certificate for MQTT over TLS; nil means plain TCP.
	CA *mqtttest.CA
	// Users is a users file made by scripts/nats-users.sh, included in
	// every node's authorization block; empty means anonymous access.
	Users string
}

// Start runs an open cluster and waits until every node takes MQTT
// clients. Without nats-server the test is skipped, or fails when $CI is set.
func Start(t testing.TB) *Cluster { return StartSecured(t, Secured{}) }

// StartSecured runs the cluster secured as s says, stopped when the test
// ends; a failed test's output gets the end of each node's log.
func StartSecured(t testing.TB, s Secured) *Cluster {
	t.Helper()
	testkit.RequireTool(t, "nats-server")
	var tls string
	if s.CA != nil {
		cert, key := s.CA.Issue(t, "localhost", time.Now().Add(24*time.Hour), true)
		tls = fmt.Sprintf("tls { cert_file: %q, key_file: %q, ca_file: %q }", cert, key, s.CA.CertFile)
	}
	c, err := launch(t.TempDir(), tls, s.Users, "")
	if c != nil {
		t.Cleanup(c.StopAll)
		t.Cleanup(func() {
			if t.Failed() {
				t.Log(c.Logs())
			}
		})
	}
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// Run starts an open cluster in dir, for tools outside tests (the fleet
// benchmark), and waits until it is ready; StopAll ends it. mqtt holds
// further settings of the nodes' mqtt block ("consumer_replicas: 1"), or
// is empty.
func Run(dir, mqtt string) (*Cluster, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	return launch(dir, "", "", mqtt)
}

// launch writes the nodes' configurations into dir (MQTT over TLS when
// tls is a tls block, the users file included when users is not empty,
// the settings in mqtt added to the mqtt block), starts them and waits
// until they are ready.
func launch(dir, tls, users, mqtt string) (*Cluster, error) {
	c := &Cluster{Dir: dir, nodes: make([]*exec.Cmd, 3), open: tls == "" && users == ""}
	ports, err := freePorts(12) // client, cluster, MQTT, monitoring per node
	if err != nil {
		return nil, err
	}
	var routes []string
	for i := range 3 {
		routes = append(routes, fmt.Sprintf("nats-route://127.0.0.1:%d", ports[4*i+1]))
	}
	scheme, auth := "tcp", ""
	if tls != "" {
		scheme = "ssl"
	}
	if users != "" {
		// nats-server takes an include's path as relative to the
		// configuration's folder, even when it is absolute.
		rel, err := filepath.Rel(c.Dir, users)
		if err != nil {
			return nil, err
		}
		auth = fmt.Sprintf("authorization { include %q }", rel)
	}
	for i := range 3 {
		conf := fmt.Sprintf(`server_name: n%d
listen: 127.0.0.1:%d
http: 127.0.0.1:%d
jetstream { store_dir: %q }
cluster { name: halte, listen: 127.0.0.1:%d, routes: [%s] }
mqtt { listen: 127.0.0.1:%d, stream_replicas: 3
%s
%s
}
%s
`, i, ports[4*i], ports[4*i+3], filepath.Join(c.Dir, fmt.Sprintf("js%d", i)), ports[4*i+1], strings.Join(routes, ", "), ports[4*i+2], mqtt, tls, auth)
		if err := os.WriteFile(c.conf(i), []byte(conf), 0o600); err != nil {
			return nil, err
		}
		c.URLs = append(c.URLs, fmt.Sprintf("%s://127.0.0.1:%d", scheme, ports[4*i+2]))
		c.monitors = append(c.monitors, fmt.Sprintf("http://127.0.0.1:%d/healthz", ports[4*i+3]))
	}
	if out, err := exec.Command("nats-server", "-t", "-c", c.conf(0)).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("nats-server refuses its configuration: %v\n%s", err, out)
	}
	for i := range 3 {
		if err := c.start(i); err != nil {
			c.StopAll()
			return c, err
		}
	}
	return c, c.WaitReady()
}

// Version is the release of the nats-server on PATH ("v2.9.10").
func Version() (string, error) {
	out, err := exec.Command("nats-server", "--version").Output()
	if err != nil {
		return "", fmt.Errorf("nats-server --version: %w", err)
	}
	return strings.TrimPrefix(strings.TrimSpace(string(out)), "nats-server: "), nil
}

func (c *Cluster) conf(i int) string { return filepath.Join(c.Dir, fmt.Sprintf("n%d.conf", i)) }

// LogFile is node i's log.
func (c *Cluster) LogFile(i int) string { return filepath.Join(c.Dir, fmt.Sprintf("n%d.log", i)) }

// Logs is the last 40 lines of every node's log.
func (c *Cluster) Logs() string {
	var b strings.Builder
	for i := range c.nodes {
		log, _ := os.ReadFile(c.LogFile(i))
		lines := strings.Split(strings.TrimSpace(string(log)), "\n")
		fmt.Fprintf(&b, "nats n%d, last lines of its log:\n%s\n", i, strings.Join(lines[max(0, len(lines)-40):], "\n"))
	}
	return b.String()
}

func (c *Cluster) start(i int) error {
	cmd := exec.Command("nats-server", "-c", c.conf(i), "-l", c.LogFile(i))
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start nats-server n%d: %w", i, err)
	}
	c.nodes[i] = cmd
	return nil
}

// Kill ends node i with SIGKILL.
func (c *Cluster) Kill(i int) {
	if cmd := c.nodes[i]; cmd != nil {
		cmd.Process.Kill()
		cmd.Wait()
		c.nodes[i] = nil
	}
}

// Restart starts node i again after Kill or Stop, and waits until the
// cluster takes MQTT clients on every node.
func (c *Cluster) Restart(i int) error {
	if err := c.start(i); err != nil {
		return err
	}
	return c.WaitReady()
}

// StopAll ends every node with SIGTERM (their JetStream data is kept).
func (c *Cluster) StopAll() {
	for i, cmd := range c.nodes {
		if cmd != nil {
			testkit.Terminate(cmd, 10*time.Second)
			c.nodes[i] = nil
		}
	}
}

// StartAll starts every stopped node and waits until the cluster is ready.
func (c *Cluster) StartAll() error {
	for i, cmd := range c.nodes {
		if cmd == nil {
			if err := c.start(i); err != nil {
				return err
			}
		}
	}
	return c.WaitReady()
}

// Reload has every running node read its configuration again (SIGHUP),
// the users file with it.
func (c *Cluster) Reload() error {
	for i, cmd := range c.nodes {
		if cmd != nil {
			if err := cmd.Process.Signal(syscall.SIGHUP); err != nil {
				return fmt.Errorf("reload n%d: %w", i, err)
			}
		}
	}
	return nil
}

// WaitReady waits up to a minute for every running node to take MQTT
// sessions (JetStream has its leaders): on an open cluster an MQTT client
// connects to each; a secured one, where the probe has no account,
// answers its health check.
func (c *Cluster) WaitReady() error {
	for i, url := range c.URLs {
		if c.nodes[i] == nil {
			continue
		}
		for deadline := time.Now().Add(time.Minute); !c.ready(i); time.Sleep(100 * time.Millisecond) {
			if time.Now().After(deadline) {
				return fmt.Errorf("NATS node %s does not take MQTT clients after a minute", url)
			}
		}
	}
	return nil
}

func (c *Cluster) ready(i int) bool {
	if !c.open {
		r, err := http.Get(c.monitors[i])
		if err != nil {
			return false
		}
		r.Body.Close()
		return r.StatusCode == http.StatusOK
	}
	client := mqtt.NewClient(mqtt.Options{Broker: c.URLs[i], ClientID: fmt.Sprintf("natstest-probe-%d", i), Once: true,
		Logger: slog.New(slog.DiscardHandler)})
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	err := mqtt.Connect(ctx, client)
	client.Disconnect(0)
	return err == nil
}

func freePorts(n int) ([]int, error) {
	var out []int
	var held []net.Listener
	defer func() {
		for _, l := range held {
			l.Close()
		}
	}()
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		held = append(held, l)
		out = append(out, l.Addr().(*net.TCPAddr).Port)
	}
	return out, nil
}
