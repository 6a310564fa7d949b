// Command datastore-server is the transfer benchmark's stand-in for a vSphere datastore's HTTPS file access:
// GET/HEAD /folder/<path>?dcPath=<dc>&dsName=<ds> with byte ranges, served by the same Go code as the govmomi
// simulator the lab runs (net/http's FileServer over crypto/tls). It listens on 127.0.0.1 (a free port) and prints
// the port on stdout.
package main

import (
	"crypto/tls"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
)

func main() {
	root := flag.String("root", "", "directory served as the datastore")
	dc := flag.String("dc", "DC0", "datacenter name expected in dcPath")
	ds := flag.String("ds", "LocalDS_0", "datastore name expected in dsName")
	cert := flag.String("cert", "", "TLS certificate (PEM)")
	key := flag.String("key", "", "TLS key (PEM)")
	flag.Parse()

	pair, err := tls.LoadX509KeyPair(*cert, *key)
	if err != nil {
		log.Fatalf("load certificate: %v", err)
	}
	files := http.StripPrefix("/folder", http.FileServer(http.Dir(*root)))
	mux := http.NewServeMux()
	mux.HandleFunc("/folder/", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if q.Get("dcPath") != *dc || q.Get("dsName") != *ds {
			w.WriteHeader(http.StatusNotFound)
			return
		}
		files.ServeHTTP(w, r)
	})
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(l.Addr().(*net.TCPAddr).Port)
	srv := &http.Server{Handler: mux, TLSConfig: &tls.Config{Certificates: []tls.Certificate{pair}}}
	log.Fatal(srv.ServeTLS(l, "", ""))
}
