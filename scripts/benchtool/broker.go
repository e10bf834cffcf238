package main

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"time"
)

// mosquittoIn makes a temporary directory named after prefix and runs a
// broker on a free loopback port, its configuration in that directory,
// until stop is called; stop also removes the directory.
func mosquittoIn(prefix string) (dir, url string, stop func(), err error) {
	dir, err = os.MkdirTemp("", prefix)
	if err != nil {
		return "", "", nil, err
	}
	url, _, stopBroker, err := mosquitto(dir, "")
	if err != nil {
		os.RemoveAll(dir)
		return "", "", nil, err
	}
	return dir, url, func() { stopBroker(); os.RemoveAll(dir) }, nil
}

// mosquitto runs a broker on a free loopback port, with extra appended to
// its configuration, until stop is called.
func mosquitto(dir, extra string) (url string, port int, stop func(), err error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", 0, nil, err
	}
	port = l.Addr().(*net.TCPAddr).Port
	l.Close()
	conf := filepath.Join(dir, fmt.Sprintf("mosquitto-%d.conf", port))
	// A client that reads every stop gets a region's documents at once.
	body := fmt.Sprintf("listener %d 127.0.0.1\nallow_anonymous true\nset_tcp_nodelay true\nmax_queued_messages 100000\n", port) + extra
	if err := os.WriteFile(conf, []byte(body), 0o644); err != nil {
		return "", 0, nil, err
	}
	cmd := exec.Command("mosquitto", "-c", conf)
	if err := cmd.Start(); err != nil {
		return "", 0, nil, err
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port)); err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			return "", 0, nil, fmt.Errorf("mosquitto did not start")
		}
	}
	return fmt.Sprintf("tcp://127.0.0.1:%d", port), port, func() { cmd.Process.Kill(); cmd.Wait() }, nil
}

// cluster runs n brokers in dir, each after the first bridged to the first
// for every halte topic in both directions (what a clustered broker does
// for its nodes' clients), until stop is called.
func cluster(dir string, n int) (urls []string, stop func(), err error) {
	var stops []func()
	stop = func() {
		for _, s := range stops {
			s()
		}
	}
	mainPort := 0
	for i := range n {
		extra := ""
		if i > 0 {
			extra = fmt.Sprintf("connection node%d\naddress 127.0.0.1:%d\ntopic halte/v1/# both 1\ncleansession true\n", i, mainPort)
		}
		url, port, s, err := mosquitto(dir, extra)
		if err != nil {
			stop()
			return nil, nil, err
		}
		if i == 0 {
			mainPort = port
		}
		urls, stops = append(urls, url), append(stops, s)
	}
	return urls, stop, nil
}
