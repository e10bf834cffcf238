package main_test

import (
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Under systemd (Type=notify, WatchdogSec), the agent says it is ready once
// it answers the button, and then pings the watchdog while it is alive.
func TestAgentSpeaksSystemdNotify(t *testing.T) {
	dir := t.TempDir()
	sock := filepath.Join(dir, "notify")
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: sock, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	startHalte(t, []string{"NOTIFY_SOCKET=" + sock, "WATCHDOG_USEC=400000"},
		"agent", "--broker", "tcp://127.0.0.1:1", "--device", "sd", "--stop", "200101", "--insecure",
		"--state-dir", filepath.Join(dir, "state"), "--wav-dir", filepath.Join(dir, "wav"))
	var said []string
	buf := make([]byte, 256)
	for watchdogs := 0; watchdogs < 2; {
		conn.SetReadDeadline(time.Now().Add(20 * time.Second))
		n, err := conn.Read(buf)
		if err != nil {
			t.Fatalf("systemd was told %q, then nothing: %v", said, err)
		}
		said = append(said, string(buf[:n]))
		if strings.Contains(string(buf[:n]), "WATCHDOG=1") {
			watchdogs++
		}
	}
	if said[0] != "READY=1" {
		t.Fatalf("systemd was told %q; want READY=1 first", said)
	}
}
