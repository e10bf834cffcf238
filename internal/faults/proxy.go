// Package faults is halte's fault campaign (scripts/faults.sh): a loopback
// TCP proxy whose links can be cut, delayed and reset, the scenario a seed
// draws (operator alerts and faults at random moments), and the checks of
// what the devices logged and stored.
package faults

import (
	"io"
	"net"
	"sync"
	"time"
)

// Proxy forwards loopback TCP connections to a target, and breaks them on
// request. The zero value is not usable; see NewProxy.
type Proxy struct {
	// Addr is where clients connect (127.0.0.1:port).
	Addr string

	target   string
	ln       net.Listener
	mu       sync.Mutex
	conns    map[net.Conn]bool
	cutUntil time.Time
	delay    time.Duration
	delayEnd time.Time
}

// NewProxy listens on a free loopback port and forwards to target.
func NewProxy(target string) (*Proxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &Proxy{Addr: ln.Addr().String(), target: target, ln: ln, conns: map[net.Conn]bool{}}
	go p.serve()
	return p, nil
}

// Cut closes every link and refuses new ones for d.
func (p *Proxy) Cut(d time.Duration) {
	p.mu.Lock()
	p.cutUntil = time.Now().Add(d)
	p.mu.Unlock()
	p.Reset()
}

// Reset closes every link once; clients may connect again at once.
func (p *Proxy) Reset() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for c := range p.conns {
		c.Close()
	}
	clear(p.conns)
}

// Delay holds every chunk of data back by d, in both directions, for the
// next span.
func (p *Proxy) Delay(d, span time.Duration) {
	p.mu.Lock()
	p.delay, p.delayEnd = d, time.Now().Add(span)
	p.mu.Unlock()
}

// Close stops listening and closes every link.
func (p *Proxy) Close() {
	p.ln.Close()
	p.Reset()
}

func (p *Proxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		cut := time.Now().Before(p.cutUntil)
		p.mu.Unlock()
		if cut {
			c.Close()
			continue
		}
		go p.link(c)
	}
}

func (p *Proxy) link(client net.Conn) {
	server, err := net.DialTimeout("tcp", p.target, 2*time.Second)
	if err != nil {
		client.Close()
		return
	}
	p.mu.Lock()
	p.conns[client], p.conns[server] = true, true
	p.mu.Unlock()
	done := make(chan struct{}, 2)
	go func() { p.pipe(server, client); done <- struct{}{} }()
	go func() { p.pipe(client, server); done <- struct{}{} }()
	<-done
	client.Close()
	server.Close()
	<-done
	p.mu.Lock()
	delete(p.conns, client)
	delete(p.conns, server)
	p.mu.Unlock()
}

// pipe copies src to dst, each chunk held back by the delay in force.
func (p *Proxy) pipe(dst io.Writer, src io.Reader) {
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			p.mu.Lock()
			d := p.delay
			if time.Now().After(p.delayEnd) {
				d = 0
			}
			p.mu.Unlock()
			time.Sleep(d)
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}
