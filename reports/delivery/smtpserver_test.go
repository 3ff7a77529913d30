package delivery

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"fmt"
	"math/big"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// testCA is a self-signed certificate for 127.0.0.1 and localhost: the
// server's certificate and the client's only root.
type testCA struct {
	server *tls.Config
	client *tls.Config
}

func newTestCA(t *testing.T) testCA {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "origen delivery test"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames:              []string{"localhost"},
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return testCA{
		server: &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key, Leaf: cert}}},
		client: &tls.Config{RootCAs: pool},
	}
}

// smtpServer is a minimal in-process SMTP server: EHLO, STARTTLS, AUTH
// PLAIN, MAIL, RCPT, DATA, RSET, NOOP and QUIT, enough to receive what
// SendEmail sends and to misbehave on purpose.
type smtpServer struct {
	Host string
	Port int

	startTLS    bool        // offer STARTTLS
	implicitTLS bool        // TLS from the first byte
	authInClear bool        // offer AUTH before TLS
	user, pass  string      // accepted credentials ("" accepts any)
	authReply   string      // reply to failed AUTH, "535 ..." by default
	hang        bool        // accept connections and never answer
	tls         *tls.Config // the server's certificate

	ln   net.Listener
	quit chan struct{}
	wg   sync.WaitGroup

	mu       sync.Mutex
	conns    int
	auths    []smtpAuth
	received []smtpMessage
}

type smtpAuth struct {
	User, Pass string
	TLS        bool
}

type smtpMessage struct {
	From string
	To   []string
	Data []byte // as sent on the wire, CRLF line ends, dot-stuffing undone
	TLS  bool   // whether the session was encrypted when DATA came
	User string // authenticated user, "" when none
}

// start listens on 127.0.0.1 and serves until the test ends.
func (s *smtpServer) start(t *testing.T) *smtpServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if s.implicitTLS {
		ln = tls.NewListener(ln, s.tls)
	}
	s.ln, s.quit = ln, make(chan struct{})
	addr := ln.Addr().(*net.TCPAddr)
	s.Host, s.Port = "127.0.0.1", addr.Port
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s.mu.Lock()
			s.conns++
			s.mu.Unlock()
			s.wg.Add(1)
			go func() {
				defer s.wg.Done()
				s.serve(t, c)
			}()
		}
	}()
	t.Cleanup(func() {
		close(s.quit)
		ln.Close()
		s.wg.Wait()
	})
	return s
}

func (s *smtpServer) messages() []smtpMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]smtpMessage(nil), s.received...)
}

func (s *smtpServer) authAttempts() []smtpAuth {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]smtpAuth(nil), s.auths...)
}

func (s *smtpServer) connections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.conns
}

func (s *smtpServer) serve(t *testing.T, c net.Conn) {
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	if s.hang {
		select {
		case <-s.quit:
		case <-time.After(10 * time.Second):
		}
		return
	}
	r := bufio.NewReader(c)
	reply := func(lines ...string) {
		var b strings.Builder
		for i, l := range lines {
			sep := " "
			if i < len(lines)-1 {
				sep = "-"
			}
			b.WriteString(l[:3] + sep + l[4:] + "\r\n")
		}
		_, _ = c.Write([]byte(b.String()))
	}
	readLine := func() (string, bool) {
		line, err := r.ReadString('\n')
		if err != nil {
			return "", false
		}
		return strings.TrimRight(line, "\r\n"), true
	}
	isTLS, user := s.implicitTLS, ""
	var msg *smtpMessage
	reply("220 test.local ESMTP origen-test")
	for {
		line, ok := readLine()
		if !ok {
			return
		}
		verb, arg, _ := strings.Cut(line, " ")
		switch strings.ToUpper(verb) {
		case "EHLO", "HELO":
			ext := []string{"250 test.local greets " + arg}
			if s.startTLS && !isTLS {
				ext = append(ext, "250 STARTTLS")
			}
			if isTLS || s.authInClear {
				ext = append(ext, "250 AUTH PLAIN LOGIN")
			}
			ext = append(ext, "250 8BITMIME")
			reply(ext...)
		case "STARTTLS":
			if !s.startTLS || isTLS {
				reply("502 5.5.1 STARTTLS not available")
				continue
			}
			reply("220 2.0.0 ready to start TLS")
			tc := tls.Server(c, s.tls)
			if err := tc.Handshake(); err != nil {
				t.Logf("smtp test server: TLS handshake: %v", err)
				return
			}
			// RFC 3207: the session starts over.
			c, r, isTLS, user, msg = tc, bufio.NewReader(tc), true, "", nil
		case "AUTH":
			mech, resp, _ := strings.Cut(arg, " ")
			if !strings.EqualFold(mech, "PLAIN") {
				reply("504 5.5.4 mechanism not supported")
				continue
			}
			if resp == "" {
				reply("334 ")
				if resp, ok = readLine(); !ok {
					return
				}
			}
			raw, err := base64.StdEncoding.DecodeString(resp)
			f := strings.Split(string(raw), "\x00")
			if err != nil || len(f) != 3 {
				reply("501 5.5.2 cannot decode AUTH PLAIN response")
				continue
			}
			s.mu.Lock()
			s.auths = append(s.auths, smtpAuth{User: f[1], Pass: f[2], TLS: isTLS})
			s.mu.Unlock()
			if s.user != "" && (f[1] != s.user || f[2] != s.pass) {
				r := s.authReply
				if r == "" {
					r = "535 5.7.8 authentication credentials invalid"
				}
				reply(strings.NewReplacer("{resp}", resp, "{user}", f[1], "{pass}", f[2]).Replace(r))
				continue
			}
			user = f[1]
			reply("235 2.7.0 authentication successful")
		case "MAIL":
			msg = &smtpMessage{From: angle(arg), TLS: isTLS, User: user}
			reply("250 2.1.0 ok")
		case "RCPT":
			if msg == nil {
				reply("503 5.5.1 MAIL first")
				continue
			}
			msg.To = append(msg.To, angle(arg))
			reply("250 2.1.5 ok")
		case "DATA":
			if msg == nil || len(msg.To) == 0 {
				reply("503 5.5.1 RCPT first")
				continue
			}
			reply("354 end data with <CR><LF>.<CR><LF>")
			var data []byte
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
				data = append(data, strings.TrimPrefix(l, ".")...) // undo dot-stuffing
			}
			msg.Data, msg.TLS = data, isTLS
			s.mu.Lock()
			s.received = append(s.received, *msg)
			s.mu.Unlock()
			msg = nil
			reply("250 2.0.0 queued as " + strconv.Itoa(len(data)))
		case "RSET":
			msg = nil
			reply("250 2.0.0 ok")
		case "NOOP":
			reply("250 2.0.0 ok")
		case "QUIT":
			reply("221 2.0.0 bye")
			return
		default:
			reply(fmt.Sprintf("502 5.5.2 %s not recognised", verb))
		}
	}
}

// angle extracts the address of "FROM:<a@b> SIZE=1".
func angle(arg string) string {
	_, rest, _ := strings.Cut(arg, "<")
	addr, _, _ := strings.Cut(rest, ">")
	return addr
}
