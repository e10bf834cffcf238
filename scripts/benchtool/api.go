package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/halte-transit/halte/feeds/gtfs/sample"
)

// api measures the hub's open API under load: the real binary (halte hub
// --http) on a generated region whose every stop has a document, asked by
// wrk over loopback for random stops' state, and for the stops around
// random places.
func api(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("api", flag.ExitOnError)
	bin := fs.String("bin", "bin/halte", "the halte binary")
	stops := fs.Int("stops", 35000, "stops in the generated region")
	duration := fs.Duration("for", 20*time.Second, "how long wrk asks, per scenario")
	conns := fs.Int("connections", 64, "wrk's open connections")
	fs.Parse(args)
	dir, broker, stopBroker, err := mosquittoIn("halte-api-bench-")
	if err != nil {
		return err
	}
	defer stopBroker()
	gtfsDir := filepath.Join(dir, "gtfs")
	if err := os.CopyFS(gtfsDir, sample.RegionFiles(*stops, max(1, *stops/35), 40)); err != nil {
		return err
	}
	// One alert on every line (trams and buses): a document at every stop.
	feed := filepath.Join(dir, "network.txtpb")
	if err := os.WriteFile(feed, []byte(`header { gtfs_realtime_version: "2.0" timestamp: 1 }
entity { id: "strike" alert { effect: REDUCED_SERVICE informed_entity { route_type: 0 } informed_entity { route_type: 3 }
  header_text { translation { text: "Door een staking rijden minder trams en bussen." language: "nl" } } } }
`), 0o644); err != nil {
		return err
	}
	addr, err := freePort()
	if err != nil {
		return err
	}
	hub := exec.CommandContext(ctx, *bin, "hub", "--broker", broker, "--gtfs", gtfsDir, "--insecure", "--gtfs-rt", feed,
		"--poll", "1h", "--client-id", "api-bench-hub", "--http", addr, "--http-rate", "1e9", "--http-burst", "1000000000")
	logFile, err := os.Create(filepath.Join(dir, "hub.log"))
	if err != nil {
		return err
	}
	defer logFile.Close()
	hub.Stderr = logFile
	if err := hub.Start(); err != nil {
		return err
	}
	defer func() { hub.Process.Signal(os.Interrupt); hub.Wait() }()
	fmt.Fprintf(os.Stderr, "benchtool api: waiting for the hub to publish %d stops' documents\n", *stops)
	served, err := waitServed(ctx, "http://"+addr, 3*time.Minute)
	if err != nil {
		return fmt.Errorf("%w (the hub's log: %s)", err, logFile.Name())
	}
	out := map[string]any{"stops": *stops, "documents": served, "connections": *conns, "seconds": duration.Seconds()}
	for _, sc := range []struct{ name, path string }{
		{"state", `"/v1/stops/s" .. math.random(0, ` + strconv.Itoa(*stops-1) + `) .. "?lang=nl"`},
		{"near", `string.format("/v1/stops?near=%.4f,%.4f&radius=300", 51.0 + math.random() * 0.15, 3.6 + math.random() * 0.25)`},
	} {
		fmt.Fprintf(os.Stderr, "benchtool api: wrk on %s for %s\n", sc.name, *duration)
		fig, err := wrk(ctx, dir, "http://"+addr, sc.path, *conns, *duration)
		if err != nil {
			return err
		}
		out[sc.name] = fig
	}
	out["hub_rss_mb"] = memoryMB(hub.Process.Pid)["VmRSS"]
	return json.NewEncoder(os.Stdout).Encode(out)
}

// waitServed waits until the API serves a document for the last stop and
// says how many stops the network-wide alert reaches.
func waitServed(ctx context.Context, base string, timeout time.Duration) (int, error) {
	deadline, prev := time.Now().Add(timeout), -1
	for ; time.Now().Before(deadline); time.Sleep(500 * time.Millisecond) {
		if ctx.Err() != nil {
			return 0, ctx.Err()
		}
		resp, err := http.Get(base + "/v1/alerts?limit=1")
		if err != nil {
			continue
		}
		var page struct {
			Items []struct {
				Stops []string `json:"stops"`
			} `json:"items"`
		}
		err = json.NewDecoder(resp.Body).Decode(&page)
		resp.Body.Close()
		if err == nil && len(page.Items) == 1 {
			n := len(page.Items[0].Stops)
			if n > 0 && n == prev {
				return n, nil // the count held still for half a second
			}
			prev = n
		}
	}
	return 0, errors.New("the API did not serve the region's documents in time")
}

// wrk runs wrk with requests to path (a Lua expression) and reads its
// figures: requests per second, latency percentiles, errors.
func wrk(ctx context.Context, dir, base, path string, conns int, d time.Duration) (map[string]any, error) {
	script := filepath.Join(dir, "request.lua")
	lua := "math.randomseed(os.time())\nrequest = function() return wrk.format(\"GET\", " + path + ") end\n"
	if err := os.WriteFile(script, []byte(lua), 0o644); err != nil {
		return nil, err
	}
	out, err := exec.CommandContext(ctx, "wrk", "-t2", "-c"+strconv.Itoa(conns), "-d"+d.String(), "--latency", "-s", script, base).CombinedOutput()
	if err != nil {
		return nil, fmt.Errorf("wrk: %v\n%s", err, out)
	}
	text := string(out)
	fig := map[string]any{}
	if m := regexp.MustCompile(`Requests/sec:\s+([0-9.]+)`).FindStringSubmatch(text); m != nil {
		fig["rps"], _ = strconv.ParseFloat(m[1], 64)
	}
	for _, p := range []string{"50", "90", "99"} {
		if m := regexp.MustCompile(`\s` + p + `%\s+([0-9.]+)(us|ms|s)`).FindStringSubmatch(text); m != nil {
			v, _ := strconv.ParseFloat(m[1], 64)
			fig["p"+p+"_ms"] = v * map[string]float64{"us": 0.001, "ms": 1, "s": 1000}[m[2]]
		}
	}
	fig["non_2xx"] = 0
	if m := regexp.MustCompile(`Non-2xx or 3xx responses:\s+(\d+)`).FindStringSubmatch(text); m != nil {
		fig["non_2xx"], _ = strconv.Atoi(m[1])
	}
	if _, ok := fig["rps"]; !ok {
		return nil, fmt.Errorf("wrk printed no figures:\n%s", strings.TrimSpace(text))
	}
	return fig, nil
}

// freePort is a loopback address with a port free at the time.
func freePort() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}
