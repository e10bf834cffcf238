package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// brokerMemory is the resident memory, in MiB, of the brokers this process
// started (its mosquitto and nats-server children).
func brokerMemory() float64 {
	var kib int64
	for _, pid := range brokerPIDs() {
		status, _ := os.ReadFile(filepath.Join("/proc", pid, "status"))
		for _, line := range strings.Split(string(status), "\n") {
			if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
				v, _ := strconv.ParseInt(f[1], 10, 64)
				kib += v
			}
		}
	}
	return float64(kib) / 1024
}

// brokerCPU is the processor time, in seconds, the running brokers this
// process started have used since they started.
func brokerCPU() float64 {
	var ticks int64
	for _, pid := range brokerPIDs() {
		if f := procStat(pid); len(f) > 12 {
			utime, _ := strconv.ParseInt(f[11], 10, 64)
			stime, _ := strconv.ParseInt(f[12], 10, 64)
			ticks += utime + stime
		}
	}
	return float64(ticks) / 100 // USER_HZ
}

// brokerPIDs are this process's children named mosquitto or nats-server.
func brokerPIDs() []string {
	self := strconv.Itoa(os.Getpid())
	dirs, _ := os.ReadDir("/proc")
	var out []string
	for _, d := range dirs {
		f := procStat(d.Name())
		if len(f) > 1 && f[1] == self && (strings.HasPrefix(f[0], "mosquitto") || strings.HasPrefix(f[0], "nats-server")) {
			out = append(out, d.Name())
		}
	}
	return out
}

// procStat is /proc/PID/stat's fields from the command's name on: the
// name (without its parentheses), then state, ppid, and so on.
func procStat(pid string) []string {
	raw, err := os.ReadFile(filepath.Join("/proc", pid, "stat"))
	if err != nil {
		return nil
	}
	s := string(raw)
	open, end := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
	if open < 0 || end < open {
		return nil
	}
	rest := strings.Fields(s[end+1:]) // state ppid ...
	if len(rest) < 2 {
		return nil
	}
	return append([]string{s[open+1 : end]}, rest[1:]...)
}
