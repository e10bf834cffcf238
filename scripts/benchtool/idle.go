package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/halte-transit/halte"
	"github.com/halte-transit/halte/mqtt"
)

// idle runs the agent binary with 100 active alerts for its stop, lets it
// announce them, then measures its resident memory and CPU while idle.
func idle(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("idle", flag.ExitOnError)
	bin := fs.String("bin", "bin/halte", "the halte binary")
	window := fs.Duration("for", time.Minute, "how long to measure")
	fs.Parse(args)
	dir, url, stop, err := mosquittoIn("halte-idle-")
	if err != nil {
		return err
	}
	defer stop()
	doc := halte.StopState{Stop: "BENCH01", StopName: "Bench", Version: 1, IssuedAt: time.Now().UTC()}
	for i := range 100 {
		doc.Alerts = append(doc.Alerts, halte.Alert{ID: fmt.Sprintf("a%03d", i), Version: 1, Effect: halte.Detour,
			Stops: []string{"BENCH01"}, Header: halte.Text{"nl": fmt.Sprintf("Omleiding nummer %d aan deze halte.", i)}})
	}
	raw, _ := json.Marshal(doc)
	c := mqtt.NewClient(mqtt.Options{Broker: url, ClientID: "idle-bench"})
	if err := mqtt.Connect(ctx, c); err != nil {
		return err
	}
	if err := mqtt.Publish(ctx, c, mqtt.StopTopic("BENCH01"), true, raw); err != nil {
		return err
	}
	c.Disconnect(50)
	cmd := exec.CommandContext(ctx, *bin, "agent", "--broker", url, "--device", "idle", "--stop", "BENCH01",
		"--state-dir", filepath.Join(dir, "state"), "--insecure", "--wav-dir", filepath.Join(dir, "wav"))
	cmd.Stderr, _ = os.Create(filepath.Join(dir, "agent.log"))
	if err := cmd.Start(); err != nil {
		return err
	}
	defer func() { cmd.Process.Signal(os.Interrupt); cmd.Wait() }()
	// Wait until the start-up announcement of the 100 alerts is over: its
	// last part ("press again for more", within the answer's budget) played.
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(100 * time.Millisecond) {
		log, _ := os.ReadFile(filepath.Join(dir, "agent.log"))
		if _, after, ok := strings.Cut(string(log), `"last":true`); ok && strings.Contains(after, `"msg":"announcement played"`) {
			break
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the agent did not finish announcing its 100 alerts within a minute:\n%s", log)
		}
	}
	pid := cmd.Process.Pid
	cpu0, start := cpuTicks(pid), time.Now()
	// The resident set, and the part of it that is pages of files (the
	// binary and its libraries) rather than the process's own memory.
	var rss, file float64
	samples := 0
	for ; time.Since(start) < *window; time.Sleep(500 * time.Millisecond) {
		m := memoryMB(pid)
		rss, file, samples = rss+m["VmRSS"], file+m["RssFile"], samples+1
	}
	cpu := float64(cpuTicks(pid)-cpu0) / 100 / time.Since(start).Seconds() * 100
	return json.NewEncoder(os.Stdout).Encode(map[string]any{"idle_rss_mb": rss / float64(samples), "idle_rss_file_mb": file / float64(samples),
		"idle_cpu_pct": cpu, "alerts": 100, "seconds": window.Seconds()})
}

// memoryMB reads a process's memory figures (VmRSS, RssAnon, RssFile...)
// from /proc, in MB.
func memoryMB(pid int) map[string]float64 {
	raw, _ := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	m := map[string]float64{}
	for _, line := range strings.Split(string(raw), "\n") {
		if f := strings.Fields(line); len(f) == 3 && f[2] == "kB" {
			kb, _ := strconv.ParseFloat(f[1], 64)
			m[strings.TrimSuffix(f[0], ":")] = kb / 1024
		}
	}
	return m
}

// cpuTicks reads a process's user and system time in clock ticks (1/100 s).
func cpuTicks(pid int) int64 {
	raw, _ := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	s := string(raw)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	u, _ := strconv.ParseInt(fields[11], 10, 64)
	k, _ := strconv.ParseInt(fields[12], 10, 64)
	return u + k
}
