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
	url, stopBroker, err := mosquitto(dir)
	if err != nil {
		os.RemoveAll(dir)
		return "", "", nil, err
	}
	return dir, url, func() { stopBroker(); os.RemoveAll(dir) }, nil
}

// mosquitto runs a broker on a free loopback port until stop is called.
func mosquitto(dir string) (url string, stop func(), err error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	conf := filepath.Join(dir, "mosquitto.conf")
	body := fmt.Sprintf("listener %d 127.0.0.1\nallow_anonymous true\nset_tcp_nodelay true\nmax_queued_messages 100000\n", port)
	if err := os.WriteFile(conf, []byte(body), 0o644); err != nil {
		return "", nil, err
	}
	cmd := exec.Command("mosquitto", "-c", conf)
	if err := cmd.Start(); err != nil {
		return "", nil, err
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port)); err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			return "", nil, fmt.Errorf("mosquitto did not start")
		}
	}
	return fmt.Sprintf("tcp://127.0.0.1:%d", port), func() { cmd.Process.Kill(); cmd.Wait() }, nil
}
