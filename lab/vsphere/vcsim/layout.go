package main

// The lab inventory: 30 standard VMs like the users' evaluation environment plus the VMs made
// for migration tests (real disk content, odd names, several disks, NICs, firmware, guest OS).

import (
	"fmt"

	"github.com/vmware/govmomi/vim25/types"
)

const (
	datacenter      = "DC0"
	dvPortgroup     = "DC0_DVPG0"
	standardNetwork = "VM Network"
	testFolder      = "osm-tests"
	gib             = int64(1) << 30
	mib             = int64(1) << 20
	guestMAC        = "00:50:56:8a:0c:01"
)

var datastoreNames = []string{"LocalDS_0", "LocalDS_1"}

type nicDef struct {
	Network string
	MAC     string
	IP      string
	PCISlot int32 // 0: none reported; 192 makes a Linux guest name the NIC ens192
}

type diskDef struct {
	Datastore string
	File      string // path inside the datastore, e.g. "osm-single/osm-single.vmdk"
	Capacity  int64
	Seed      uint64 // 0: empty sparse disk (unless Source); otherwise deterministic content
	Source    string // raw image copied (sparse) as the flat extent at every start
	SHA256    string // of Source
	Mode      string // disk mode; "" is persistent
}

// guestImage is the real Linux guest disk lab/guest/build makes (its guest.json facts).
type guestImage struct {
	Image     string `json:"image"`
	SHA256    string `json:"sha256"`
	SizeBytes int64  `json:"sizeBytes"`
}

type vmDef struct {
	Name          string
	Folder        string // "" for the datacenter's vm folder, else a sub folder name
	Pool          string // inventory path of the resource pool
	Host          string // inventory path of the host
	GuestID       string
	GuestFullName string
	Firmware      string
	MemoryMB      int32  // 0: 32 MB
	Adapter       string // pvscsi or lsisas
	Disks         []diskDef
	NICs          []nicDef
	Test          bool
	Snapshot      string // a user snapshot taken at start, "" for none
}

func (d diskDef) fileName() string {
	return fmt.Sprintf("[%s] %s", d.Datastore, d.File)
}

type placement struct {
	prefix, pool, host string
}

func baseVMs() []vmDef {
	groups := []placement{
		{"DC0_H0", "/DC0/host/DC0_H0/Resources", "/DC0/host/DC0_H0/DC0_H0"},
		{"DC0_C0_RP0", "/DC0/host/DC0_C0/Resources", "/DC0/host/DC0_C0/DC0_C0_H0"},
		{"DC0_C1_RP0", "/DC0/host/DC0_C1/Resources", "/DC0/host/DC0_C1/DC0_C1_H0"},
	}
	var vms []vmDef
	for g, p := range groups {
		for i := 0; i < 10; i++ {
			name := fmt.Sprintf("%s_VM%d", p.prefix, i)
			vms = append(vms, vmDef{
				Name:          name,
				Pool:          p.pool,
				Host:          p.host,
				GuestID:       "otherLinux64Guest",
				GuestFullName: "Other Linux (64-bit)",
				Firmware:      "bios",
				Adapter:       "pvscsi",
				Disks:         []diskDef{{Datastore: "LocalDS_0", File: name + "/disk1.vmdk", Capacity: 10 * gib}},
				NICs: []nicDef{{
					Network: dvPortgroup,
					MAC:     fmt.Sprintf("00:50:56:00:%02x:%02x", g, i),
					IP:      fmt.Sprintf("10.0.%d.%d", g, 10+i),
				}},
			})
		}
	}
	return vms
}

func testVMs(guest guestImage) []vmDef {
	const pool, host = "/DC0/host/DC0_C0/Resources", "/DC0/host/DC0_C0/DC0_C0_H0"
	linux := func(name string, n int, guestID, fullName string, disks []diskDef, nets ...string) vmDef {
		vm := vmDef{
			Name: name, Folder: testFolder, Pool: pool, Host: host,
			GuestID: guestID, GuestFullName: fullName, Firmware: "bios", Adapter: "pvscsi",
			Disks: disks, Test: true,
		}
		for i, net := range nets {
			vm.NICs = append(vm.NICs, nicDef{
				Network: net,
				MAC:     fmt.Sprintf("00:50:56:01:%02x:%02x", n, i),
				IP:      fmt.Sprintf("10.1.%d.%d", i, 10+n),
			})
		}
		return vm
	}
	disk := func(ds, dir, file string, capacity int64, seed uint64) diskDef {
		return diskDef{Datastore: ds, File: dir + "/" + file, Capacity: capacity, Seed: seed}
	}
	single := linux("osm-single", 1, "rhel8_64Guest", "Red Hat Enterprise Linux 8 (64-bit)",
		[]diskDef{disk("LocalDS_0", "osm-single", "osm-single.vmdk", 128*mib, 101)}, standardNetwork)
	multidisk := linux("osm-multidisk", 2, "debian11_64Guest", "Debian GNU/Linux 11 (64-bit)",
		[]diskDef{
			disk("LocalDS_0", "osm-multidisk", "osm-multidisk.vmdk", 96*mib, 201),
			disk("LocalDS_1", "osm-multidisk", "osm-multidisk_1.vmdk", 64*mib, 202),
		}, standardNetwork)
	multinic := linux("osm-multinic", 3, "rhel8_64Guest", "Red Hat Enterprise Linux 8 (64-bit)",
		[]diskDef{disk("LocalDS_0", "osm-multinic", "osm-multinic.vmdk", 64*mib, 301)}, standardNetwork, dvPortgroup)
	odd := linux("osm ñame é spaces", 4, "debian11_64Guest", "Debian GNU/Linux 11 (64-bit)",
		[]diskDef{disk("LocalDS_0", "osm ñame é spaces", "osm ñame é spaces.vmdk", 64*mib, 401)}, standardNetwork)
	efi := linux("osm-efi", 5, "rhel8_64Guest", "Red Hat Enterprise Linux 8 (64-bit)",
		[]diskDef{disk("LocalDS_1", "osm-efi", "osm-efi.vmdk", 64*mib, 501)}, standardNetwork)
	efi.Firmware = "efi"
	windows := linux("osm-windows", 6, "windows2019srv_64Guest", "Microsoft Windows Server 2019 (64-bit)",
		[]diskDef{disk("LocalDS_0", "osm-windows", "osm-windows.vmdk", 128*mib, 601)}, standardNetwork)
	windows.Adapter = "lsisas"
	// The boot proof's real Debian guest (lab/guest): its disk is the built image, its vmxnet3 NIC sits in
	// PCI slot 192 like on vSphere, so the guest names it ens192.
	debian := linux("osm-debian-guest", 7, "debian12_64Guest", "Debian GNU/Linux 12 (64-bit)",
		[]diskDef{{Datastore: "LocalDS_0", File: "osm-debian-guest/osm-debian-guest.vmdk", Capacity: guest.SizeBytes,
			Source: guest.Image, SHA256: guest.SHA256}}, standardNetwork)
	debian.MemoryMB = 1024
	debian.NICs[0].MAC = guestMAC
	debian.NICs[0].PCISlot = 192
	// For the assessment's checks: a disk a snapshot leaves out (independent), and a user snapshot.
	independentDisk := disk("LocalDS_1", "osm-independent", "osm-independent.vmdk", 64*mib, 801)
	independentDisk.Mode = string(types.VirtualDiskModeIndependent_persistent)
	independent := linux("osm-independent", 8, "rhel8_64Guest", "Red Hat Enterprise Linux 8 (64-bit)",
		[]diskDef{independentDisk}, standardNetwork)
	snapshotted := linux("osm-snapshot", 9, "rhel8_64Guest", "Red Hat Enterprise Linux 8 (64-bit)",
		[]diskDef{disk("LocalDS_1", "osm-snapshot", "osm-snapshot.vmdk", 64*mib, 901)}, standardNetwork)
	snapshotted.Snapshot = "pre-upgrade"
	return []vmDef{single, multidisk, multinic, odd, efi, windows, debian, independent, snapshotted}
}
