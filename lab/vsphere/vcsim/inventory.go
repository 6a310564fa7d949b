package main

// Builds the simulator inventory in process, before the server accepts connections:
// a VPX model without VMs or datastores, datastores on stable directories, then every VM
// with explicit disk keys, MACs, backing files (pre-placed in the datastore) and guest info.

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strings"

	"github.com/vmware/govmomi/find"
	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25"
	"github.com/vmware/govmomi/vim25/types"
)

const (
	controllerKey = 1000
	firstDiskKey  = 2000
	firstNICKey   = 4000
)

type builtVM struct {
	def    vmDef
	ref    types.ManagedObjectReference
	folder string
	hashes []string // sha256 of each test disk's raw content
}

type inventory struct {
	model      *simulator.Model
	client     *vim25.Client
	finder     *find.Finder
	datastores map[string]string // name -> local directory
	vms        []builtVM
}

func newInventory(ctx context.Context, stateDir string) (*inventory, error) {
	model := simulator.VPX()
	model.Datacenter = 1
	model.Cluster = 2
	model.ClusterHost = 1
	model.Host = 1
	model.Portgroup = 2
	model.Machine = 0
	model.Datastore = 0
	if err := model.Create(); err != nil {
		return nil, fmt.Errorf("create model: %w", err)
	}
	client, err := vim25.NewClient(ctx, model.Service)
	if err != nil {
		return nil, err
	}
	finder := find.NewFinder(client, false)
	dc, err := finder.Datacenter(ctx, datacenter)
	if err != nil {
		return nil, err
	}
	finder.SetDatacenter(dc)
	inv := &inventory{model: model, client: client, finder: finder, datastores: map[string]string{}}
	for _, name := range datastoreNames {
		inv.datastores[name] = filepath.Join(stateDir, "datastores", name)
	}
	return inv, nil
}

// prepareDatastores removes the VM metadata files a previous run left (the simulator refuses to
// create a VM over an existing .vmx) and writes every VM's disk files afresh, so each start serves
// the same bytes whatever earlier tests wrote.
func (inv *inventory) prepareDatastores(defs []vmDef) (map[string][]string, error) {
	for _, dir := range inv.datastores {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, err
		}
		entries, _ := filepath.Glob(filepath.Join(dir, "*", "*"))
		for _, p := range entries {
			if !strings.HasSuffix(p, ".vmdk") {
				if err := os.Remove(p); err != nil {
					return nil, err
				}
			}
		}
	}
	hashes := map[string][]string{}
	for _, def := range defs {
		for i, d := range def.Disks {
			descriptor := filepath.Join(inv.datastores[d.Datastore], d.File)
			adapter := map[string]string{"pvscsi": "pvscsi", "lsisas": "lsilogic"}[def.Adapter]
			if d.Source != "" {
				if err := copyImageDisk(descriptor, d.Source, d.Capacity, adapter); err != nil {
					return nil, fmt.Errorf("disk %d of %s: %w", i, def.Name, err)
				}
				hashes[def.Name] = append(hashes[def.Name], d.SHA256)
				continue
			}
			if d.Seed == 0 {
				if err := writeEmptyDisk(descriptor, d.Capacity, adapter); err != nil {
					return nil, err
				}
				continue
			}
			sum, err := writeTestDisk(descriptor, d.Capacity, d.Seed, fmt.Sprintf("%s disk%d", def.Name, i), adapter)
			if err != nil {
				return nil, fmt.Errorf("write disk %d of %s: %w", i, def.Name, err)
			}
			hashes[def.Name] = append(hashes[def.Name], sum)
		}
	}
	return hashes, nil
}

func (inv *inventory) createDatastores(ctx context.Context) error {
	hosts, err := inv.finder.HostSystemList(ctx, "*/*")
	if err != nil {
		return err
	}
	for _, name := range datastoreNames {
		for _, host := range hosts {
			dss, err := host.ConfigManager().DatastoreSystem(ctx)
			if err != nil {
				return err
			}
			if _, err := dss.CreateLocalDatastore(ctx, name, inv.datastores[name]); err != nil {
				return fmt.Errorf("datastore %s on %s: %w", name, host.Name(), err)
			}
		}
	}
	return nil
}

func (inv *inventory) nicBacking(ctx context.Context, network string) (types.BaseVirtualDeviceBackingInfo, error) {
	if network == standardNetwork {
		return &types.VirtualEthernetCardNetworkBackingInfo{
			VirtualDeviceDeviceBackingInfo: types.VirtualDeviceDeviceBackingInfo{DeviceName: network},
		}, nil
	}
	ref, err := inv.finder.Network(ctx, network)
	if err != nil {
		return nil, err
	}
	return ref.EthernetCardBackingInfo(ctx)
}

func (inv *inventory) devices(ctx context.Context, def vmDef) ([]types.BaseVirtualDeviceConfigSpec, error) {
	var controller types.BaseVirtualDevice
	scsi := types.VirtualSCSIController{
		SharedBus: types.VirtualSCSISharingNoSharing,
		VirtualController: types.VirtualController{
			VirtualDevice: types.VirtualDevice{Key: controllerKey},
		},
	}
	if def.Adapter == "lsisas" {
		controller = &types.VirtualLsiLogicSASController{VirtualSCSIController: scsi}
	} else {
		controller = &types.ParaVirtualSCSIController{VirtualSCSIController: scsi}
	}
	devices := []types.BaseVirtualDevice{controller}
	for i, d := range def.Disks {
		unit := int32(i)
		mode := string(types.VirtualDiskModePersistent)
		if d.Mode != "" {
			mode = d.Mode
		}
		devices = append(devices, &types.VirtualDisk{
			VirtualDevice: types.VirtualDevice{
				Key:           int32(firstDiskKey + i),
				ControllerKey: controllerKey,
				UnitNumber:    &unit,
				Backing: &types.VirtualDiskFlatVer2BackingInfo{
					VirtualDeviceFileBackingInfo: types.VirtualDeviceFileBackingInfo{FileName: d.fileName()},
					DiskMode:                     mode,
					ThinProvisioned:              types.NewBool(true),
					Uuid:                         backingUUID(def.Name, i),
				},
			},
			CapacityInKB:    d.Capacity / 1024,
			CapacityInBytes: d.Capacity,
		})
	}
	for i, n := range def.NICs {
		backing, err := inv.nicBacking(ctx, n.Network)
		if err != nil {
			return nil, fmt.Errorf("network %q for %s: %w", n.Network, def.Name, err)
		}
		device := types.VirtualDevice{Key: int32(firstNICKey + i), Backing: backing}
		if n.PCISlot != 0 {
			device.SlotInfo = &types.VirtualDevicePciBusSlotInfo{PciSlotNumber: n.PCISlot}
		}
		devices = append(devices, &types.VirtualVmxnet3{VirtualVmxnet: types.VirtualVmxnet{
			VirtualEthernetCard: types.VirtualEthernetCard{
				VirtualDevice: device,
				AddressType:   string(types.VirtualEthernetCardMacTypeManual),
				MacAddress:    n.MAC,
			},
		}})
	}
	specs := make([]types.BaseVirtualDeviceConfigSpec, len(devices))
	for i, d := range devices {
		specs[i] = &types.VirtualDeviceConfigSpec{Operation: types.VirtualDeviceConfigSpecOperationAdd, Device: d}
	}
	return specs, nil
}

// backingUUID returns a stable vSphere-style disk uuid (6000C29x-xxxx-...).
func backingUUID(vm string, disk int) string {
	u := diskUUID(fmt.Sprintf("%s/%d", vm, disk))
	h := strings.NewReplacer(" ", "", "-", "").Replace(u)
	return strings.ToUpper(fmt.Sprintf("6000C29%s-%s-%s-%s-%s", h[0:1], h[1:5], h[5:9], h[9:13], h[13:25]))
}

func (inv *inventory) folder(ctx context.Context, name string) (*object.Folder, string, error) {
	root := "/" + datacenter + "/vm"
	base, err := inv.finder.Folder(ctx, root)
	if err != nil || name == "" {
		return base, root, err
	}
	path := root + "/" + name
	if f, err := inv.finder.Folder(ctx, path); err == nil {
		return f, path, nil
	}
	f, err := base.CreateFolder(ctx, name)
	return f, path, err
}

func (inv *inventory) createVM(ctx context.Context, def vmDef) (builtVM, error) {
	folder, folderPath, err := inv.folder(ctx, def.Folder)
	if err != nil {
		return builtVM{}, err
	}
	pool, err := inv.finder.ResourcePool(ctx, def.Pool)
	if err != nil {
		return builtVM{}, err
	}
	host, err := inv.finder.HostSystem(ctx, def.Host)
	if err != nil {
		return builtVM{}, err
	}
	devices, err := inv.devices(ctx, def)
	if err != nil {
		return builtVM{}, err
	}
	memoryMB := int64(32)
	if def.MemoryMB != 0 {
		memoryMB = int64(def.MemoryMB)
	}
	spec := types.VirtualMachineConfigSpec{
		Name:         def.Name,
		GuestId:      def.GuestID,
		Firmware:     def.Firmware,
		NumCPUs:      1,
		MemoryMB:     memoryMB,
		Files:        &types.VirtualMachineFileInfo{VmPathName: fmt.Sprintf("[LocalDS_0] %s/%s.vmx", def.Name, def.Name)},
		DeviceChange: devices,
	}
	task, err := folder.CreateVM(ctx, spec, pool, host)
	if err != nil {
		return builtVM{}, err
	}
	info, err := task.WaitForResult(ctx, nil)
	if err != nil {
		return builtVM{}, fmt.Errorf("create VM %s: %w", def.Name, err)
	}
	ref := info.Result.(types.ManagedObjectReference)
	vm := object.NewVirtualMachine(inv.client, ref)
	if _, err := vm.PowerOn(ctx); err != nil {
		return builtVM{}, err
	}
	if def.Snapshot != "" {
		task, err := vm.CreateSnapshot(ctx, def.Snapshot, "osm lab: a user snapshot", false, false)
		if err == nil {
			err = task.Wait(ctx)
		}
		if err != nil {
			return builtVM{}, fmt.Errorf("snapshot %s of %s: %w", def.Snapshot, def.Name, err)
		}
	}
	inv.setGuest(ref, def)
	return builtVM{def: def, ref: ref, folder: folderPath}, nil
}

// setGuest fills what VMware Tools would report; done before the server serves requests.
func (inv *inventory) setGuest(ref types.ManagedObjectReference, def vmDef) {
	vm := simulator.Map.Get(ref).(*simulator.VirtualMachine)
	var nets []types.GuestNicInfo
	for i, n := range def.NICs {
		nets = append(nets, types.GuestNicInfo{
			Network:        n.Network,
			IpAddress:      []string{n.IP},
			MacAddress:     n.MAC,
			Connected:      true,
			DeviceConfigId: int32(firstNICKey + i),
		})
	}
	hostname := strings.ReplaceAll(strings.ToLower(def.Name), " ", "-")
	vm.Guest.Net = nets
	vm.Guest.IpAddress = def.NICs[0].IP
	vm.Guest.HostName = hostname
	vm.Guest.GuestId = def.GuestID
	vm.Guest.GuestFullName = def.GuestFullName
	vm.Guest.GuestState = "running"
	vm.Guest.ToolsStatus = types.VirtualMachineToolsStatusToolsOk
	vm.Guest.ToolsRunningStatus = string(types.VirtualMachineToolsRunningStatusGuestToolsRunning)
	vm.Config.GuestFullName = def.GuestFullName
	vm.Summary.Config.GuestFullName = def.GuestFullName
	vm.Summary.Guest.GuestId = def.GuestID
	vm.Summary.Guest.GuestFullName = def.GuestFullName
	vm.Summary.Guest.IpAddress = def.NICs[0].IP
	vm.Summary.Guest.HostName = hostname
	vm.Summary.Guest.ToolsRunningStatus = vm.Guest.ToolsRunningStatus
}

// refreshDatastores sets free space from the file system again (creating disks subtracted
// their capacity from it).
func (inv *inventory) refreshDatastores() {
	for _, e := range simulator.Map.All("Datastore") {
		ds := e.(*simulator.Datastore)
		ds.RefreshDatastore(&types.RefreshDatastore{This: ds.Self})
	}
}

func (inv *inventory) build(ctx context.Context, guest guestImage) error {
	defs := append(baseVMs(), testVMs(guest)...)
	hashes, err := inv.prepareDatastores(defs)
	if err != nil {
		return err
	}
	log.Printf("disk files ready")
	if err := inv.createDatastores(ctx); err != nil {
		return err
	}
	for _, def := range defs {
		vm, err := inv.createVM(ctx, def)
		if err != nil {
			return err
		}
		vm.hashes = hashes[def.Name]
		inv.vms = append(inv.vms, vm)
	}
	inv.refreshDatastores()
	return nil
}
