// Package mqtttest starts a real Eclipse Mosquitto broker for tests, on free
// loopback ports with a generated configuration, and stops it at the end of
// the test. It can be stopped and started again to test outages, and run
// secured: TLS with a certificate authority made for the test, a password
// file, an ACL, and a port that requires client certificates.
package mqtttest

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Broker is a Mosquitto process owned by one test.
type Broker struct {
	// URL is the broker's address: tcp://127.0.0.1:PORT, or ssl:// when secured.
	URL string
	// Port is the loopback port it listens on.
	Port int
	// Dir holds its configuration, persistence file, keys and log.
	Dir string
	// CertURL is the port that requires client certificates (Secured.ClientCerts).
	CertURL string

	t        testing.TB
	cmd      *exec.Cmd
	certPort int
	ca       *CA
}

// Secured says how a broker is secured; the zero value is an open broker.
type Secured struct {
	// Users are user names and passwords; none (and no PasswordFile) means
	// anonymous access.
	Users map[string]string
	// PasswordFile is a mosquitto_passwd file to start from; Users are added.
	PasswordFile string
	// CA signs the broker's certificate; nil makes one.
	CA *CA
	// ACL is the access control list, in Mosquitto's acl_file syntax.
	ACL string
	// TLS serves ssl:// with a certificate from a CA made for the test.
	TLS bool
	// ClientCerts opens a second TLS port, CertURL, that requires a client
	// certificate from the test's CA and takes its name as the user name.
	ClientCerts bool
}

// Start runs an open mosquitto with persistence (retained messages and
// sessions survive Stop/Restart). Without mosquitto on the machine the test
// is skipped, or fails when $CI is set.
func Start(t testing.TB) *Broker { return StartSecured(t, Secured{}) }

// StartSecured runs mosquitto secured as s says.
func StartSecured(t testing.TB, s Secured) *Broker {
	t.Helper()
	if _, err := exec.LookPath(binary()); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("mosquitto is not installed (CI must install it): %v", err)
		}
		t.Skipf("mosquitto is not installed: %v", err)
	}
	b := &Broker{t: t, Dir: t.TempDir()}
	b.Port = freePort(t)
	b.URL = fmt.Sprintf("tcp://127.0.0.1:%d", b.Port)
	// set_tcp_nodelay: without it, Nagle's algorithm on the broker and
	// delayed ACKs on the client hold back every second acknowledgement of
	// a burst by 40 ms (measured: 80 documents in 44 ms, 1.9 ms with it).
	// max_queued_messages: a client that reads every stop (the hub, a
	// watcher) gets a region's documents in one burst; the default queue
	// of 1000 would drop the rest.
	// user: mosquitto started as root drops to the "mosquitto" user, who
	// cannot read the test's private folder; it stays who runs the test.
	conf := fmt.Sprintf(`per_listener_settings true
user %s
persistence true
persistence_location %s/
autosave_interval 1
log_dest file %s
log_type all
max_packet_size 4194304
set_tcp_nodelay true
max_queued_messages 100000
listener %d 127.0.0.1
`, currentUser(t), b.Dir, b.LogFile(), b.Port)
	var tlsConf, aclConf string
	if s.TLS || s.ClientCerts {
		ca := s.CA
		if ca == nil {
			ca = NewCA(t, b.Dir, "test-ca")
		}
		b.ca = ca
		cert, key := ca.Issue(t, "localhost", time.Now().Add(24*time.Hour), true)
		tlsConf = fmt.Sprintf("cafile %s\ncertfile %s\nkeyfile %s\n", ca.CertFile, cert, key)
	}
	if s.ACL != "" {
		acl := filepath.Join(b.Dir, "acl")
		if err := os.WriteFile(acl, []byte(s.ACL), 0o600); err != nil {
			t.Fatal(err)
		}
		aclConf = "acl_file " + acl + "\n"
	}
	if s.TLS {
		conf += tlsConf + "require_certificate false\n"
		b.URL = fmt.Sprintf("ssl://127.0.0.1:%d", b.Port)
	}
	if len(s.Users) == 0 && s.PasswordFile == "" {
		conf += "allow_anonymous true\n"
	} else {
		conf += "allow_anonymous false\npassword_file " + b.passwords(s.PasswordFile, s.Users) + "\n"
	}
	conf += aclConf
	if s.ClientCerts {
		b.certPort = freePort(t)
		b.CertURL = fmt.Sprintf("ssl://127.0.0.1:%d", b.certPort)
		conf += fmt.Sprintf("listener %d 127.0.0.1\n", b.certPort) + tlsConf +
			"require_certificate true\nuse_identity_as_username true\nallow_anonymous false\n" + aclConf
	}
	if err := os.WriteFile(filepath.Join(b.Dir, "mosquitto.conf"), []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	b.Restart()
	t.Cleanup(b.Stop)
	return b
}

// LogFile is the broker's log (everything, ACL denials included).
func (b *Broker) LogFile() string { return filepath.Join(b.Dir, "mosquitto.log") }

// Log returns the broker's log so far.
func (b *Broker) Log() string {
	raw, _ := os.ReadFile(b.LogFile())
	return string(raw)
}

// CAFile is the certificate authority of a TLS broker.
func (b *Broker) CAFile() string { return b.ca.CertFile }

// CA returns the certificate authority of a TLS broker, to issue client
// certificates with.
func (b *Broker) CA() *CA { return b.ca }

func (b *Broker) passwords(file string, users map[string]string) string {
	b.t.Helper()
	if file == "" {
		file = filepath.Join(b.Dir, "passwords")
	}
	for user, pass := range users {
		args := []string{"-b", file, user, pass}
		if _, err := os.Stat(file); err != nil {
			args = append([]string{"-c"}, args...)
		}
		if out, err := exec.Command("mosquitto_passwd", args...).CombinedOutput(); err != nil {
			b.t.Fatalf("mosquitto_passwd: %v: %s", err, out)
		}
	}
	return file
}

// Restart starts the broker again after Stop or Kill (Start calls it
// once); a broker that runs is left as it is, so the ends of two faults
// that overlap start it once, not a second that no one stops.
func (b *Broker) Restart() {
	b.t.Helper()
	if b.cmd != nil {
		return
	}
	b.cmd = exec.Command(binary(), "-c", filepath.Join(b.Dir, "mosquitto.conf"))
	stderr, err := os.Create(filepath.Join(b.Dir, "mosquitto.stderr"))
	if err != nil {
		b.t.Fatal(err)
	}
	defer stderr.Close()
	b.cmd.Stderr = stderr
	if err := b.cmd.Start(); err != nil {
		b.t.Fatalf("start mosquitto: %v", err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(b.Port), time.Second)
		if err == nil {
			c.Close()
			return
		}
		if time.Now().After(deadline) {
			out, _ := os.ReadFile(filepath.Join(b.Dir, "mosquitto.stderr"))
			b.t.Fatalf("mosquitto did not listen on port %d within 10 s: %v\n%s%s", b.Port, err, out, b.Log())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Stop ends the broker (SIGTERM, so it saves its retained messages) and waits.
func (b *Broker) Stop() {
	if b.cmd == nil || b.cmd.Process == nil {
		return
	}
	_ = b.cmd.Process.Signal(syscall.SIGTERM)
	_ = b.cmd.Wait()
	b.cmd = nil
}

// Kill ends the broker with SIGKILL, as a crash or power loss would: what
// it had not saved yet (autosave_interval 1 s) is lost. Restart starts it
// again.
func (b *Broker) Kill() {
	if b.cmd == nil || b.cmd.Process == nil {
		return
	}
	_ = b.cmd.Process.Kill()
	_ = b.cmd.Wait()
	b.cmd = nil
}

// SetACL replaces the access control list of a broker started with one
// and waits until the broker has read it again (SIGHUP): from then on it
// applies to the connections already open too, to what they are sent as
// much as to what they send.
func (b *Broker) SetACL(acl string) {
	b.t.Helper()
	if err := os.WriteFile(filepath.Join(b.Dir, "acl"), []byte(acl), 0o600); err != nil {
		b.t.Fatal(err)
	}
	const reloaded = "Reloading config."
	before := strings.Count(b.Log(), reloaded)
	if err := b.cmd.Process.Signal(syscall.SIGHUP); err != nil {
		b.t.Fatalf("reload mosquitto: %v", err)
	}
	for deadline := time.Now().Add(10 * time.Second); strings.Count(b.Log(), reloaded) == before; {
		if time.Now().After(deadline) {
			b.t.Fatalf("mosquitto did not reload its ACL within 10 s:\n%s", b.Log())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Denied reports whether the broker logged an ACL denial naming who.
func (b *Broker) Denied(who string) bool {
	for _, line := range strings.Split(b.Log(), "\n") {
		if strings.Contains(line, "Denied") && strings.Contains(line, who) {
			return true
		}
	}
	return false
}

func currentUser(t testing.TB) string {
	u, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	return u.Username
}

func binary() string {
	if p, err := exec.LookPath("mosquitto"); err == nil {
		return p
	}
	return "/usr/sbin/mosquitto"
}

func freePort(t testing.TB) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
