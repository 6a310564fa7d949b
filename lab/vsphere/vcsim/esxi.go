package main

// The ESXi hosts' own datastore file access, reached with a ticket from vCenter as on vSphere:
// each HostSystem reports a loopback management address (127.0.2.<n>, its selected management
// vmknic) where a listener with the host's own self-signed certificate serves
// GET/HEAD /folder/<path>?dcPath=ha-datacenter&dsName=<datastore>. A request is served only with
// a vmware_cgi_ticket cookie that AcquireGenericServiceTicket issued for exactly that URL and
// method; a ticket is good once and for a minute (401 without a ticket, 403 with a bad one).

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/types"
)

const ticketLifetime = time.Minute

type esxiHostFacts struct {
	Name       string `json:"name"`
	Moid       string `json:"moid"`
	Address    string `json:"address"`
	Port       int    `json:"port"`
	CertPath   string `json:"cert_path"`
	Thumbprint string `json:"thumbprint"`
}

type serviceTicket struct {
	url     string
	method  string
	expires time.Time
}

type esxiHosts struct {
	facts      []esxiHostFacts
	datastores map[string]string
	servers    []*http.Server

	mu      sync.Mutex
	tickets map[string]serviceTicket
}

// startESXiHosts gives every HostSystem the management address 127.0.2.<n> and serves its
// datastores there on port (0: no host listeners, the hosts keep the simulator's addresses).
func startESXiHosts(stateDir string, port int, datastores map[string]string) (*esxiHosts, error) {
	e := &esxiHosts{datastores: datastores, tickets: map[string]serviceTicket{}}
	if port == 0 {
		return e, nil
	}
	var hosts []*simulator.HostSystem
	for _, ref := range simulator.Map.All("HostSystem") {
		hosts = append(hosts, ref.(*simulator.HostSystem))
	}
	sort.Slice(hosts, func(i, j int) bool { return hosts[i].Name < hosts[j].Name })
	for i, h := range hosts {
		address := fmt.Sprintf("127.0.2.%d", i+1)
		setManagementAddress(h, address)
		cert, der, err := selfSigned(h.Name, address)
		if err != nil {
			return nil, err
		}
		certPath := filepath.Join(stateDir, "esxi-"+address+".pem")
		if err := writeFileAtomic(certPath, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})); err != nil {
			return nil, err
		}
		listener, err := net.Listen("tcp", net.JoinHostPort(address, strconv.Itoa(port)))
		if err != nil {
			return nil, fmt.Errorf("ESXi host %s: %w", h.Name, err)
		}
		hostPort := listener.Addr().String()
		srv := &http.Server{
			Handler:   http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { e.serveFolder(w, r, hostPort) }),
			TLSConfig: &tls.Config{Certificates: []tls.Certificate{cert}},
		}
		go func() { _ = srv.ServeTLS(listener, "", "") }()
		e.servers = append(e.servers, srv)
		e.facts = append(e.facts, esxiHostFacts{Name: h.Name, Moid: h.Self.Value, Address: address, Port: port, CertPath: certPath, Thumbprint: thumbprint(der)})
	}
	return e, nil
}

func (e *esxiHosts) close() {
	for _, s := range e.servers {
		_ = s.Close()
	}
}

// setManagementAddress makes address the IP of the host's selected management vmknic (what
// clients read from config.virtualNicManagerInfo.netConfig) and of its first vmknic.
func setManagementAddress(h *simulator.HostSystem, address string) {
	if h.Config == nil || h.Config.VirtualNicManagerInfo == nil {
		return
	}
	for i := range h.Config.VirtualNicManagerInfo.NetConfig {
		nc := &h.Config.VirtualNicManagerInfo.NetConfig[i]
		if nc.NicType != string(types.HostVirtualNicManagerNicTypeManagement) {
			continue
		}
		for j := range nc.CandidateVnic {
			for _, key := range nc.SelectedVnic {
				if nc.CandidateVnic[j].Key == key && nc.CandidateVnic[j].Spec.Ip != nil {
					ip := *nc.CandidateVnic[j].Spec.Ip
					ip.IpAddress = address
					nc.CandidateVnic[j].Spec.Ip = &ip
				}
			}
		}
	}
	if h.Config.Network != nil && len(h.Config.Network.Vnic) > 0 && h.Config.Network.Vnic[0].Spec.Ip != nil {
		ip := *h.Config.Network.Vnic[0].Spec.Ip
		ip.IpAddress = address
		h.Config.Network.Vnic[0].Spec.Ip = &ip
	}
}

// hostOf is the host whose listener serves url (its host:port), if any.
func (e *esxiHosts) hostOf(u *url.URL) *esxiHostFacts {
	for i := range e.facts {
		if net.JoinHostPort(e.facts[i].Address, strconv.Itoa(e.facts[i].Port)) == u.Host {
			return &e.facts[i]
		}
	}
	return nil
}

// issue records a ticket for one method on one URL.
func (e *esxiHosts) issue(spec *types.SessionManagerHttpServiceRequestSpec) types.SessionManagerGenericServiceTicket {
	id := randomID()
	e.mu.Lock()
	now := time.Now()
	for k, t := range e.tickets {
		if now.After(t.expires) {
			delete(e.tickets, k)
		}
	}
	e.tickets[id] = serviceTicket{url: spec.Url, method: spec.Method, expires: now.Add(ticketLifetime)}
	e.mu.Unlock()
	out := types.SessionManagerGenericServiceTicket{Id: id}
	if u, err := url.Parse(spec.Url); err == nil {
		if h := e.hostOf(u); h != nil {
			out.HostName = h.Address
			out.SslThumbprint = h.Thumbprint
		}
	}
	return out
}

// redeem takes a ticket for a request to hostPort; it is used up whatever the outcome.
func (e *esxiHosts) redeem(id string, r *http.Request, hostPort string) (int, string) {
	e.mu.Lock()
	t, ok := e.tickets[id]
	delete(e.tickets, id)
	e.mu.Unlock()
	if !ok {
		return http.StatusForbidden, "unknown or used ticket"
	}
	if time.Now().After(t.expires) {
		return http.StatusForbidden, "expired ticket"
	}
	if want := "http" + strings.ToUpper(r.Method[:1]) + strings.ToLower(r.Method[1:]); t.method != want {
		return http.StatusForbidden, fmt.Sprintf("ticket for %s, request %s", t.method, want)
	}
	u, err := url.Parse(t.url)
	if err != nil || u.Scheme != "https" || withPort(u) != hostPort || u.Path != r.URL.Path || !sameQuery(u.Query(), r.URL.Query()) {
		return http.StatusForbidden, fmt.Sprintf("ticket for %s, request https://%s%s", t.url, hostPort, r.URL.RequestURI())
	}
	return 0, ""
}

// withPort is the URL's host:port, with https's 443 when the URL names no port (as clients write it).
func withPort(u *url.URL) string {
	if u.Port() != "" {
		return u.Host
	}
	return net.JoinHostPort(u.Hostname(), "443")
}

func sameQuery(a, b url.Values) bool {
	for _, k := range []string{"dcPath", "dsName"} {
		if a.Get(k) != b.Get(k) {
			return false
		}
	}
	return true
}

// serveFolder is one host's /folder: ticket first, then the file (Range and HEAD by net/http).
func (e *esxiHosts) serveFolder(w http.ResponseWriter, r *http.Request, hostPort string) {
	if !strings.HasPrefix(r.URL.Path, "/folder/") || (r.Method != http.MethodGet && r.Method != http.MethodHead) {
		http.NotFound(w, r)
		return
	}
	cookie, err := r.Cookie("vmware_cgi_ticket")
	if err != nil {
		w.Header().Set("WWW-Authenticate", `Basic realm="VMware HTTP server"`)
		http.Error(w, "no vmware_cgi_ticket cookie", http.StatusUnauthorized)
		return
	}
	if status, why := e.redeem(cookie.Value, r, hostPort); status != 0 {
		log.Printf("ESXi %s refused %s %s: %s", hostPort, r.Method, r.URL.RequestURI(), why)
		http.Error(w, why, status)
		return
	}
	q := r.URL.Query()
	dir, ok := e.datastores[q.Get("dsName")]
	if !ok || (q.Get("dcPath") != "" && q.Get("dcPath") != "ha-datacenter") {
		http.NotFound(w, r)
		return
	}
	p := filepath.Join(dir, filepath.FromSlash(path.Clean("/"+strings.TrimPrefix(r.URL.Path, "/folder/"))))
	f, err := os.Open(p)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil || fi.IsDir() {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	http.ServeContent(w, r, "", fi.ModTime(), f)
}

func randomID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// selfSigned makes a host certificate for the address (and the host name), signed by itself.
func selfSigned(name, address string) (tls.Certificate, []byte, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	serial, _ := rand.Int(rand.Reader, big.NewInt(1<<62))
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: address, Organization: []string{"osm-lab ESXi " + name}},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(10 * 365 * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		IPAddresses:           []net.IP{net.ParseIP(address)},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, der, nil
}
