// Command vcsim-scale serves a govmomi simulator inventory with a chosen number of VMs, for discovery benchmarks.
// It listens on 127.0.0.1 with the given TLS certificate and accepts only the given user and password.
package main

import (
	"crypto/tls"
	"flag"
	"fmt"
	"log"
	"net/url"
	"os"
	"os/signal"
	"syscall"

	"github.com/vmware/govmomi/simulator"
)

func main() {
	vms := flag.Int("vms", 5000, "number of virtual machines (split between one cluster and one standalone host)")
	addr := flag.String("listen", "127.0.0.1:18990", "listen address")
	cert := flag.String("cert", "", "TLS certificate (PEM)")
	key := flag.String("key", "", "TLS key (PEM)")
	user := flag.String("user", "user", "user name")
	passwordFile := flag.String("password-file", "", "file holding the password")
	flag.Parse()

	password := "pass"
	if *passwordFile != "" {
		b, err := os.ReadFile(*passwordFile)
		if err != nil {
			log.Fatal(err)
		}
		password = string(b)
	}
	pair, err := tls.LoadX509KeyPair(*cert, *key)
	if err != nil {
		log.Fatalf("load certificate: %v", err)
	}

	model := simulator.VPX()
	model.Datacenter = 1
	model.Cluster = 1
	model.ClusterHost = 1
	model.Host = 1
	model.Portgroup = 2
	model.Datastore = 2
	model.Machine = (*vms + 1) / 2
	model.Autostart = true
	if err := model.Create(); err != nil {
		log.Fatalf("create model: %v", err)
	}
	model.Service.TLS = &tls.Config{Certificates: []tls.Certificate{pair}}
	model.Service.Listen = &url.URL{Host: *addr, User: url.UserPassword(*user, password)}
	server := model.Service.NewServer()
	fmt.Printf("listening on %s with %d VMs\n", server.URL.Host, model.Count().Machine)

	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	<-stop
	server.Close()
	model.Remove()
}
