// Command osm-vcsim is the lab's vCenter: govmomi's simulator with the lab inventory, real disk
// bytes in stable datastore directories, and Changed Block Tracking.
//
//	osm-vcsim serve -state DIR -facts FILE -cert PEM -key PEM [-listen 127.0.0.1:8989] [ssh flags]
//	osm-vcsim disk-write -facts FILE VM DISK_INDEX OFFSET BYTES_FILE
package main

import (
	"context"
	"crypto/sha1"
	"crypto/tls"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"net"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/types"
)

type diskFacts struct {
	Key            int32  `json:"key"`
	Datastore      string `json:"datastore"`
	FileName       string `json:"file_name"`
	DescriptorPath string `json:"descriptor_path"`
	FlatPath       string `json:"flat_path"`
	CapacityBytes  int64  `json:"capacity_bytes"`
	SHA256         string `json:"sha256,omitempty"`
}

type nicFacts struct {
	Key          int32  `json:"key"`
	MAC          string `json:"mac"`
	IP           string `json:"ip"`
	Network      string `json:"network"`
	NetworkMoid  string `json:"network_moid"`
	PortgroupKey string `json:"portgroup_key,omitempty"`
}

type vmFacts struct {
	Name          string      `json:"name"`
	Moid          string      `json:"moid"`
	Folder        string      `json:"folder"`
	Host          string      `json:"host"`
	GuestID       string      `json:"guest_id"`
	GuestFullName string      `json:"guest_full_name"`
	Firmware      string      `json:"firmware"`
	Disks         []diskFacts `json:"disks"`
	NICs          []nicFacts  `json:"nics"`
}

type sshFacts struct {
	Host      string `json:"host"`
	Port      int    `json:"port"`
	User      string `json:"user"`
	KeyPath   string `json:"key_path"`
	VmfsRoot  string `json:"vmfs_root"`
	KnownHost string `json:"known_hosts_path"`
}

type facts struct {
	URL        string            `json:"url"`
	Host       string            `json:"host"`
	Port       int               `json:"port"`
	User       string            `json:"user"`
	Password   string            `json:"password"`
	Thumbprint string            `json:"thumbprint"`
	CertPath   string            `json:"cert_path"`
	Datacenter string            `json:"datacenter"`
	Datastores map[string]string `json:"datastores"`
	SSH        *sshFacts         `json:"ssh,omitempty"`
	CBT        struct {
		BlockSize int64 `json:"block_size"`
		Window    int64 `json:"window"`
	} `json:"cbt"`
	ESXiHosts []esxiHostFacts `json:"esxi_hosts"`
	PID       int             `json:"pid"`
	// A second login lacking privileges (lab/vsphere/vcsim/privileges.go).
	LimitedUser labUser   `json:"limited_user"`
	VMs         []vmFacts `json:"vms"`
	BaseVMs     []vmFacts `json:"base_vms"`
}

func main() {
	log.SetFlags(log.LstdFlags | log.Lmicroseconds)
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: osm-vcsim serve|disk-write ...")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "serve":
		err = serve(os.Args[2:])
	case "disk-write":
		err = diskWrite(os.Args[2:])
	default:
		err = fmt.Errorf("unknown command %q (serve, disk-write)", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "osm-vcsim:", err)
		os.Exit(1)
	}
}

func thumbprint(der []byte) string {
	sum := sha1.Sum(der)
	parts := make([]string, len(sum))
	for i, b := range sum {
		parts[i] = fmt.Sprintf("%02X", b)
	}
	return strings.Join(parts, ":")
}

func serve(args []string) error {
	fs := flag.NewFlagSet("serve", flag.ExitOnError)
	state := fs.String("state", "", "state directory (datastores live under it)")
	factsPath := fs.String("facts", "", "facts file to write once serving")
	listen := fs.String("listen", "127.0.0.1:8989", "address to listen on")
	certPath := fs.String("cert", "", "PEM certificate")
	keyPath := fs.String("key", "", "PEM private key")
	user := fs.String("user", "user", "login user")
	password := fs.String("password", "pass", "login password")
	window := fs.Int64("cbt-window", 64*mib, "bytes covered by one QueryChangedDiskAreas answer")
	sshPort := fs.Int("ssh-port", 0, "port of the ESXi-like SSH endpoint (0: none)")
	sshUser := fs.String("ssh-user", "root", "SSH user")
	sshKey := fs.String("ssh-key", "", "SSH private key path")
	sshKnownHosts := fs.String("ssh-known-hosts", "", "known_hosts file for the SSH endpoint")
	vmfsRoot := fs.String("vmfs-root", "/vmfs/volumes", "directory holding <datastore> links for SSH")
	guestFacts := fs.String("guest-facts", "", "facts file of the real guest disk (lab/guest/build's guest.json)")
	esxiPort := fs.Int("esxi-port", 0, "port of the ESXi hosts' own datastore access on 127.0.2.<n> (0: none)")
	_ = fs.Parse(args)
	if *state == "" || *factsPath == "" || *certPath == "" || *keyPath == "" || *guestFacts == "" {
		return fmt.Errorf("serve needs -state, -facts, -cert, -key and -guest-facts")
	}
	guest, err := readGuestImage(*guestFacts)
	if err != nil {
		return err
	}
	if abs, err := filepath.Abs(*certPath); err == nil {
		*certPath = abs
	}
	cert, err := tls.LoadX509KeyPair(*certPath, *keyPath)
	if err != nil {
		return fmt.Errorf("load certificate: %w", err)
	}

	ctx := context.Background()
	inv, err := newInventory(ctx, *state)
	if err != nil {
		return err
	}
	if err := inv.build(ctx, guest); err != nil {
		return err
	}

	esxi, err := startESXiHosts(*state, *esxiPort, inv.datastores)
	if err != nil {
		return err
	}
	defer esxi.close()

	svc := inv.model.Service
	svc.Listen = &url.URL{Host: *listen, User: url.UserPassword(*user, *password)}
	svc.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	server := svc.NewServer()
	server.Config.Handler = &interceptor{next: svc.ServeMux, cbt: newCBT(*window), esxi: esxi, auth: newLabAuth(*user, *password, svc.ServeMux)}

	host, portText, _ := net.SplitHostPort(*listen)
	port, _ := strconv.Atoi(portText)
	f := facts{
		URL:         fmt.Sprintf("https://%s/sdk", *listen),
		Host:        host,
		Port:        port,
		User:        *user,
		Password:    *password,
		Thumbprint:  thumbprint(cert.Certificate[0]),
		CertPath:    *certPath,
		Datacenter:  datacenter,
		Datastores:  inv.datastores,
		ESXiHosts:   esxi.facts,
		PID:         os.Getpid(),
		LimitedUser: limitedUser,
	}
	f.CBT.BlockSize = blockSize
	f.CBT.Window = *window
	if *sshPort != 0 {
		f.SSH = &sshFacts{Host: host, Port: *sshPort, User: *sshUser, KeyPath: *sshKey, VmfsRoot: *vmfsRoot, KnownHost: *sshKnownHosts}
	}
	for _, vm := range inv.vms {
		vf := inv.vmFacts(vm)
		if vm.def.Test {
			f.VMs = append(f.VMs, vf)
		} else {
			f.BaseVMs = append(f.BaseVMs, vf)
		}
	}
	data, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return err
	}
	if err := writeFileAtomic(*factsPath, append(data, '\n')); err != nil {
		return err
	}
	log.Printf("serving %s (%d VMs)", f.URL, len(inv.vms))

	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	<-stop
	server.Close()
	log.Printf("stopped")
	return nil
}

func readGuestImage(path string) (guestImage, error) {
	var g guestImage
	data, err := os.ReadFile(path)
	if err != nil {
		return g, fmt.Errorf("guest facts (run lab/guest/build): %w", err)
	}
	if err := json.Unmarshal(data, &g); err != nil {
		return g, fmt.Errorf("parse %s: %w", path, err)
	}
	if g.Image == "" || len(g.SHA256) != 64 || g.SizeBytes <= 0 {
		return g, fmt.Errorf("%s lacks image, sha256 or sizeBytes", path)
	}
	return g, nil
}

func (inv *inventory) vmFacts(vm builtVM) vmFacts {
	obj := simulator.Map.Get(vm.ref).(*simulator.VirtualMachine)
	out := vmFacts{
		Name:          vm.def.Name,
		Moid:          vm.ref.Value,
		Folder:        vm.folder,
		Host:          vm.def.Host,
		GuestID:       vm.def.GuestID,
		GuestFullName: vm.def.GuestFullName,
		Firmware:      obj.Config.Firmware,
	}
	for i, d := range vm.def.Disks {
		descriptor := filepath.Join(inv.datastores[d.Datastore], d.File)
		df := diskFacts{
			Key:            int32(firstDiskKey + i),
			Datastore:      d.Datastore,
			FileName:       d.fileName(),
			DescriptorPath: descriptor,
			FlatPath:       flatName(descriptor),
			CapacityBytes:  d.Capacity,
		}
		if i < len(vm.hashes) {
			df.SHA256 = vm.hashes[i]
		}
		out.Disks = append(out.Disks, df)
	}
	for _, dev := range obj.Config.Hardware.Device {
		card, ok := dev.(types.BaseVirtualEthernetCard)
		if !ok {
			continue
		}
		c := card.GetVirtualEthernetCard()
		i := int(c.Key - firstNICKey)
		nf := nicFacts{Key: c.Key, MAC: c.MacAddress, IP: vm.def.NICs[i].IP, Network: vm.def.NICs[i].Network}
		switch b := c.Backing.(type) {
		case *types.VirtualEthernetCardDistributedVirtualPortBackingInfo:
			nf.PortgroupKey = b.Port.PortgroupKey
			nf.NetworkMoid = b.Port.PortgroupKey
		case *types.VirtualEthernetCardNetworkBackingInfo:
			if b.Network != nil {
				nf.NetworkMoid = b.Network.Value
			}
		}
		out.NICs = append(out.NICs, nf)
	}
	return out
}

// diskWrite writes a file's bytes at an offset of a VM's disk (the guest writing between syncs).
func diskWrite(args []string) error {
	fs := flag.NewFlagSet("disk-write", flag.ExitOnError)
	factsPath := fs.String("facts", "", "facts file of the running lab")
	_ = fs.Parse(args)
	rest := fs.Args()
	if *factsPath == "" || len(rest) != 4 {
		return fmt.Errorf("usage: disk-write -facts FILE VM DISK_INDEX OFFSET BYTES_FILE ('-' for stdin)")
	}
	data, err := os.ReadFile(*factsPath)
	if err != nil {
		return fmt.Errorf("read facts (is the lab up?): %w", err)
	}
	var f facts
	if err := json.Unmarshal(data, &f); err != nil {
		return fmt.Errorf("parse %s: %w", *factsPath, err)
	}
	var vm *vmFacts
	for _, list := range [][]vmFacts{f.VMs, f.BaseVMs} {
		for i := range list {
			if list[i].Name == rest[0] {
				vm = &list[i]
			}
		}
	}
	if vm == nil {
		return fmt.Errorf("no VM named %q in %s", rest[0], *factsPath)
	}
	index, err := strconv.Atoi(rest[1])
	if err != nil || index < 0 || index >= len(vm.Disks) {
		return fmt.Errorf("VM %q has %d disk(s); disk index %q is not one of them", vm.Name, len(vm.Disks), rest[1])
	}
	offset, err := strconv.ParseInt(rest[2], 0, 64)
	if err != nil || offset < 0 {
		return fmt.Errorf("offset %q is not a byte offset", rest[2])
	}
	src := os.Stdin
	if rest[3] != "-" {
		if src, err = os.Open(rest[3]); err != nil {
			return err
		}
		defer src.Close()
	}
	disk := vm.Disks[index]
	if fi, err := src.Stat(); err == nil && fi.Mode().IsRegular() && offset+fi.Size() > disk.CapacityBytes {
		return fmt.Errorf("writing %d bytes at %d would pass the end of disk %d of %q (%d bytes)", fi.Size(), offset, index, vm.Name, disk.CapacityBytes)
	}
	n, err := copyAt(disk.FlatPath, offset, src)
	if err != nil {
		return fmt.Errorf("write %s: %w", disk.FlatPath, err)
	}
	out, _ := json.Marshal(map[string]interface{}{
		"vm": vm.Name, "disk_key": disk.Key, "offset": offset, "length": n, "flat_path": disk.FlatPath,
	})
	fmt.Println(string(out))
	return nil
}
