// Package natstest starts a real 3-node NATS cluster for tests, with MQTT
// and JetStream on every node (the MQTT streams replicated 3 times), on free
// loopback ports; each node can be killed and started again, and the whole
// cluster stopped and started, its JetStream data kept.
package natstest

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/halte-transit/halte/feeds/mqtt"
	"github.com/halte-transit/halte/internal/testkit"
)

// Cluster is three nats-server processes routed into one cluster.
type Cluster struct {
	// URLs are the nodes' MQTT addresses, tcp://127.0.0.1:PORT, node 0 first.
	URLs []string
	// Dir holds the configurations, JetStream stores and logs.
	Dir string

	t     testing.TB
	nodes []*exec.Cmd
}

// Start runs the cluster and waits until every node takes MQTT clients.
// Without nats-server the test is skipped, or fails when $CI is set.
func Start(t testing.TB) *Cluster {
	t.Helper()
	testkit.RequireTool(t, "nats-server")
	c := &Cluster{t: t, Dir: t.TempDir(), nodes: make([]*exec.Cmd, 3)}
	ports := freePorts(t, 9) // client, cluster, MQTT per node
	var routes []string
	for i := range 3 {
		routes = append(routes, fmt.Sprintf("nats-route://127.0.0.1:%d", ports[3*i+1]))
	}
	for i := range 3 {
		conf := fmt.Sprintf(`server_name: n%d
listen: 127.0.0.1:%d
jetstream { store_dir: %q }
cluster { name: halte, listen: 127.0.0.1:%d, routes: [%s] }
mqtt { listen: 127.0.0.1:%d, stream_replicas: 3 }
`, i, ports[3*i], filepath.Join(c.Dir, fmt.Sprintf("js%d", i)), ports[3*i+1], strings.Join(routes, ", "), ports[3*i+2])
		if err := os.WriteFile(c.conf(i), []byte(conf), 0o600); err != nil {
			t.Fatal(err)
		}
		c.URLs = append(c.URLs, fmt.Sprintf("tcp://127.0.0.1:%d", ports[3*i+2]))
	}
	for i := range 3 {
		c.start(i)
	}
	t.Cleanup(c.StopAll)
	c.WaitReady()
	return c
}

func (c *Cluster) conf(i int) string { return filepath.Join(c.Dir, fmt.Sprintf("n%d.conf", i)) }

// LogFile is node i's log.
func (c *Cluster) LogFile(i int) string { return filepath.Join(c.Dir, fmt.Sprintf("n%d.log", i)) }

func (c *Cluster) start(i int) {
	c.t.Helper()
	cmd := exec.Command("nats-server", "-c", c.conf(i), "-l", c.LogFile(i))
	if err := cmd.Start(); err != nil {
		c.t.Fatalf("start nats-server n%d: %v", i, err)
	}
	c.nodes[i] = cmd
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
func (c *Cluster) Restart(i int) {
	c.t.Helper()
	c.start(i)
	c.WaitReady()
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
func (c *Cluster) StartAll() {
	c.t.Helper()
	for i, cmd := range c.nodes {
		if cmd == nil {
			c.start(i)
		}
	}
	c.WaitReady()
}

// WaitReady waits until an MQTT client can connect to every running node:
// JetStream has its leaders, and the nodes take sessions.
func (c *Cluster) WaitReady() {
	c.t.Helper()
	for i, url := range c.URLs {
		if c.nodes[i] == nil {
			continue
		}
		testkit.WaitFor(c.t, 60*time.Second, "NATS node "+url+" to take MQTT clients", func() bool {
			client := mqtt.NewClient(mqtt.Options{Broker: url, ClientID: fmt.Sprintf("natstest-probe-%d", i), Once: true,
				Logger: (&testkit.Log{}).Logger()})
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
			defer cancel()
			err := mqtt.Connect(ctx, client)
			client.Disconnect(0)
			return err == nil
		})
	}
}

func freePorts(t testing.TB, n int) []int {
	t.Helper()
	var out []int
	var held []net.Listener
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		held = append(held, l)
		out = append(out, l.Addr().(*net.TCPAddr).Port)
	}
	for _, l := range held {
		l.Close()
	}
	return out
}
