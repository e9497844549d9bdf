package domainsrc

import (
	"io"
	"net"
	"sync"
	"sync/atomic"
	"testing"
)

// blackholeProxy forwards TCP to a server and can silently drop traffic in
// either direction, the way a network partition does: the connections stay
// open, bytes vanish, and the ZooKeeper session eventually expires.
type blackholeProxy struct {
	ln               net.Listener
	target           string
	dropUp, dropDown atomic.Bool // client->server, server->client
	mu               sync.Mutex
	conns            []net.Conn
	clientGone       chan struct{} // closed the first time a client hangs up while dropping
	clientGoneOnce   sync.Once
}

func startProxy(t *testing.T, target string) *blackholeProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &blackholeProxy{ln: ln, target: target, clientGone: make(chan struct{})}
	go p.accept()
	t.Cleanup(p.close)
	return p
}

func (p *blackholeProxy) Addr() string { return p.ln.Addr().String() }

// drop starts dropping traffic: up (client to server) and/or down.
func (p *blackholeProxy) drop(up, down bool) { p.dropUp.Store(up); p.dropDown.Store(down) }

func (p *blackholeProxy) heal() { p.drop(false, false) }

func (p *blackholeProxy) accept() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		s, err := net.Dial("tcp", p.target)
		if err != nil {
			c.Close()
			continue
		}
		p.mu.Lock()
		p.conns = append(p.conns, c, s)
		p.mu.Unlock()
		go p.pipe(c, s, &p.dropUp, true)
		go p.pipe(s, c, &p.dropDown, false)
	}
}

func (p *blackholeProxy) pipe(from, to net.Conn, drop *atomic.Bool, fromClient bool) {
	defer from.Close()
	defer to.Close()
	buf := make([]byte, 32<<10)
	for {
		n, err := from.Read(buf)
		if n > 0 && !drop.Load() {
			if _, werr := to.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			if fromClient && err == io.EOF && (p.dropUp.Load() || p.dropDown.Load()) {
				p.clientGoneOnce.Do(func() { close(p.clientGone) })
			}
			return
		}
	}
}

func (p *blackholeProxy) close() {
	p.ln.Close()
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		c.Close()
	}
}
