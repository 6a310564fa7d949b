package main

// Changed Block Tracking the simulator lacks. Each tracked disk has a tracking id (the uuid part of
// a vSphere change ID) and numbered epochs; an epoch records a 64-bit hash (hash/maphash, seeded
// once per process) of every allocated 64 KiB block of the disk's flat file at that moment (holes
// skipped with SEEK_DATA/SEEK_HOLE). Disks are hashed outside every lock, so snapshots of
// different VMs do not queue behind each other (on vCenter they cost no data reads at all). A change
// ID "<id>/<epoch>" names such a record; the areas changed since a change ID are the blocks whose
// hash (or allocation) differs between its epoch and the snapshot's epoch. Writes that leave a
// block's bytes unchanged are therefore not reported, unlike real CBT.

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"hash/maphash"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"

	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/types"
)

const (
	seekData = 3
	seekHole = 4
)

type blockHashes map[int64]uint64

var blockSeed = maphash.MakeSeed()

type diskTracker struct {
	id     string
	epochs map[int]blockHashes
	last   int
}

type cbtState struct {
	mu       sync.Mutex
	trackers map[string]*diskTracker // "<vm moid>/<device key>"
	window   int64                   // bytes covered by one QueryChangedDiskAreas answer
}

func newCBT(window int64) *cbtState {
	return &cbtState{trackers: map[string]*diskTracker{}, window: window}
}

func trackerKey(vm types.ManagedObjectReference, key int32) string {
	return fmt.Sprintf("%s/%d", vm.Value, key)
}

func newTrackingID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	parts := make([]string, 16)
	for i := range b {
		parts[i] = hex.EncodeToString(b[i : i+1])
	}
	return strings.Join(parts[:8], " ") + "-" + strings.Join(parts[8:], " ")
}

// localPath maps "[ds] dir/file.vmdk" to the flat extent's local path.
func localPath(fileName string) (string, error) {
	var p object.DatastorePath
	if !p.FromString(fileName) {
		return "", fmt.Errorf("invalid datastore path %q", fileName)
	}
	for _, e := range simulator.Map.All("Datastore") {
		ds := e.(*simulator.Datastore)
		if ds.Name == p.Datastore {
			return flatPathOf(filepath.Join(ds.Info.GetDatastoreInfo().Url, p.Path))
		}
	}
	return "", fmt.Errorf("datastore %q not found", p.Datastore)
}

// scan hashes every allocated block of the file, reading 1 MiB at a time.
func scan(path string) (blockHashes, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	size := fi.Size()
	fd := int(f.Fd())
	hashes := blockHashes{}
	buf := make([]byte, 16*blockSize)
	for off := int64(0); off < size; {
		start, err := syscall.Seek(fd, off, seekData)
		if err != nil {
			break // ENXIO: no data after off
		}
		end, err := syscall.Seek(fd, start, seekHole)
		if err != nil {
			return nil, err
		}
		for pos := start / blockSize * blockSize; pos < end; pos += int64(len(buf)) {
			n, err := f.ReadAt(buf[:min64(int64(len(buf)), (end+blockSize-1)/blockSize*blockSize-pos)], pos)
			if err != nil && err != io.EOF {
				return nil, err
			}
			for i := 0; i < n; i += blockSize {
				hashes[(pos+int64(i))/blockSize] = maphash.Bytes(blockSeed, buf[i:min64(int64(n), int64(i+blockSize))])
			}
		}
		off = (end + blockSize - 1) / blockSize * blockSize
	}
	return hashes, nil
}

func min64(a, b int64) int64 {
	if a < b {
		return a
	}
	return b
}

func diskBacking(d *types.VirtualDisk) (*types.VirtualDiskFlatVer2BackingInfo, bool) {
	b, ok := d.Backing.(*types.VirtualDiskFlatVer2BackingInfo)
	return b, ok
}

// withChangeIDs returns a copy of devices where each disk (a new copy) carries the change ID
// chosen by changeID; other devices are shared.
func withChangeIDs(devices []types.BaseVirtualDevice, changeID func(*types.VirtualDisk) string) []types.BaseVirtualDevice {
	out := make([]types.BaseVirtualDevice, len(devices))
	for i, dev := range devices {
		disk, ok := dev.(*types.VirtualDisk)
		if !ok {
			out[i] = dev
			continue
		}
		b, ok := diskBacking(disk)
		if !ok {
			out[i] = dev
			continue
		}
		diskCopy := *disk
		backingCopy := *b
		backingCopy.ChangeId = changeID(disk)
		diskCopy.Backing = &backingCopy
		out[i] = &diskCopy
	}
	return out
}

// scanDisk hashes the disk's current blocks (no lock held).
func scanDisk(disk *types.VirtualDisk) (blockHashes, error) {
	b, _ := diskBacking(disk)
	path, err := localPath(b.FileName)
	if err != nil {
		return nil, err
	}
	hashes, err := scan(path)
	if err != nil {
		return nil, fmt.Errorf("scan %s: %w", path, err)
	}
	return hashes, nil
}

// newEpoch records the disk's current blocks and returns its new change ID.
func (c *cbtState) newEpoch(vm types.ManagedObjectReference, disk *types.VirtualDisk) (string, error) {
	hashes, err := scanDisk(disk)
	if err != nil {
		return "", err
	}
	return c.record(vm, disk.Key, hashes), nil
}

// record adds an epoch with these hashes (c.mu held) and returns its change ID.
func (c *cbtState) record(vm types.ManagedObjectReference, diskKey int32, hashes blockHashes) string {
	key := trackerKey(vm, diskKey)
	t := c.trackers[key]
	if t == nil {
		t = &diskTracker{id: newTrackingID(), epochs: map[int]blockHashes{}}
		c.trackers[key] = t
	}
	t.last++
	t.epochs[t.last] = hashes
	return fmt.Sprintf("%s/%d", t.id, t.last)
}

// syncTracking follows the VM's changeTrackingEnabled after a reconfiguration: tracked disks get a
// change ID, disks of an untracked VM lose theirs.
func (c *cbtState) syncTracking(ref types.ManagedObjectReference) error {
	vm, ok := simulator.Map.Get(ref).(*simulator.VirtualMachine)
	if !ok {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	var failure error
	simulator.Map.WithLock(vm, func() {
		enabled := vm.Config.ChangeTrackingEnabled != nil && *vm.Config.ChangeTrackingEnabled
		if !enabled {
			for key := range c.trackers {
				if strings.HasPrefix(key, ref.Value+"/") {
					delete(c.trackers, key)
				}
			}
		}
		devices := withChangeIDs(vm.Config.Hardware.Device, func(d *types.VirtualDisk) string {
			b, _ := diskBacking(d)
			if !enabled {
				return ""
			}
			if b.ChangeId != "" && c.trackers[trackerKey(ref, d.Key)] != nil {
				return b.ChangeId
			}
			id, err := c.newEpoch(ref, d)
			if err != nil {
				failure = err
			}
			return id
		})
		simulator.Map.Update(vm, []types.PropertyChange{{Name: "config.hardware.device", Val: devices}})
	})
	return failure
}

// snapshotCreated gives each disk of a tracked VM a new epoch, recorded in the snapshot's devices
// and the VM's current devices. The disks are hashed before any lock is taken.
func (c *cbtState) snapshotCreated(vmRef, snapRef types.ManagedObjectReference) error {
	vm, ok := simulator.Map.Get(vmRef).(*simulator.VirtualMachine)
	if !ok {
		return nil
	}
	snap, ok := simulator.Map.Get(snapRef).(*simulator.VirtualMachineSnapshot)
	if !ok {
		return fmt.Errorf("snapshot %s not found", snapRef.Value)
	}
	var disks []*types.VirtualDisk
	simulator.Map.WithLock(vm, func() {
		if vm.Config.ChangeTrackingEnabled == nil || !*vm.Config.ChangeTrackingEnabled {
			return
		}
		for _, dev := range vm.Config.Hardware.Device {
			if disk, ok := dev.(*types.VirtualDisk); ok {
				if _, ok := diskBacking(disk); ok {
					disks = append(disks, disk)
				}
			}
		}
	})
	if len(disks) == 0 {
		return nil
	}
	var failure error
	scanned := map[int32]blockHashes{}
	for _, disk := range disks {
		hashes, err := scanDisk(disk)
		if err != nil {
			failure = err
			continue
		}
		scanned[disk.Key] = hashes
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	simulator.Map.WithLock(vm, func() {
		ids := map[int32]string{}
		for _, disk := range disks {
			if hashes, ok := scanned[disk.Key]; ok {
				ids[disk.Key] = c.record(vmRef, disk.Key, hashes)
			}
		}
		pick := func(d *types.VirtualDisk) string { return ids[d.Key] }
		simulator.Map.Update(vm, []types.PropertyChange{
			{Name: "config.hardware.device", Val: withChangeIDs(vm.Config.Hardware.Device, pick)},
		})
		simulator.Map.Update(snap, []types.PropertyChange{
			{Name: "config.hardware.device", Val: withChangeIDs(snap.Config.Hardware.Device, pick)},
		})
	})
	return failure
}

// methodFault is a vSphere fault with its message.
type methodFault struct {
	message string
	fault   types.BaseMethodFault
}

func invalidArgument(property, message string) *methodFault {
	return &methodFault{message, &types.InvalidArgument{InvalidProperty: property}}
}

func fileFault(file, message string) *methodFault {
	return &methodFault{message, &types.FileFault{File: file}}
}

func parseChangeID(id string) (string, int, bool) {
	i := strings.LastIndex(id, "/")
	if i <= 0 {
		return "", 0, false
	}
	n, err := strconv.Atoi(id[i+1:])
	if err != nil || n <= 0 {
		return "", 0, false
	}
	return id[:i], n, true
}

type area struct{ start, length int64 }

// changedBlocks lists blocks allocated in to and absent or different in from (or the reverse).
func changedBlocks(from, to blockHashes) []int64 {
	var blocks []int64
	for b, h := range to {
		if old, ok := from[b]; !ok || old != h {
			blocks = append(blocks, b)
		}
	}
	for b := range from {
		if _, ok := to[b]; !ok {
			blocks = append(blocks, b)
		}
	}
	sort.Slice(blocks, func(i, j int) bool { return blocks[i] < blocks[j] })
	return blocks
}

// areasIn merges sorted blocks into extents clipped to [start, end).
func areasIn(blocks []int64, start, end int64) []types.DiskChangeExtent {
	var out []types.DiskChangeExtent
	for _, b := range blocks {
		s, e := b*blockSize, (b+1)*blockSize
		if s < start {
			s = start
		}
		if e > end {
			e = end
		}
		if s >= e {
			continue
		}
		if n := len(out); n > 0 && out[n-1].Start+out[n-1].Length == s {
			out[n-1].Length += e - s
			continue
		}
		out = append(out, types.DiskChangeExtent{Start: s, Length: e - s})
	}
	return out
}

func (c *cbtState) queryChangedDiskAreas(req *types.QueryChangedDiskAreas) (*types.DiskChangeInfo, *methodFault) {
	vm, ok := simulator.Map.Get(req.This).(*simulator.VirtualMachine)
	if !ok {
		return nil, &methodFault{"managed object not found: " + req.This.String(), &types.ManagedObjectNotFound{Obj: req.This}}
	}
	c.mu.Lock()
	defer c.mu.Unlock()

	var devices []types.BaseVirtualDevice
	var targetID string
	simulator.Map.WithLock(vm, func() { devices = vm.Config.Hardware.Device })
	if req.Snapshot != nil {
		snap, ok := simulator.Map.Get(*req.Snapshot).(*simulator.VirtualMachineSnapshot)
		if !ok || snap.Vm != req.This {
			return nil, invalidArgument("snapshot", fmt.Sprintf("snapshot %s is not a snapshot of %s", req.Snapshot.Value, vm.Name))
		}
		devices = snap.Config.Hardware.Device
	}
	var disk *types.VirtualDisk
	for _, dev := range devices {
		if d, ok := dev.(*types.VirtualDisk); ok && d.Key == req.DeviceKey {
			disk = d
		}
	}
	if disk == nil {
		return nil, invalidArgument("deviceKey", fmt.Sprintf("VM %s has no virtual disk with device key %d", vm.Name, req.DeviceKey))
	}
	backing, ok := diskBacking(disk)
	if !ok {
		return nil, invalidArgument("deviceKey", fmt.Sprintf("disk %d of VM %s has no flat backing", req.DeviceKey, vm.Name))
	}
	targetID = backing.ChangeId
	if targetID == "" {
		return nil, fileFault(backing.FileName, fmt.Sprintf("Error caused by file %s: change tracking is not enabled for disk %d of VM %s (enable changeTrackingEnabled, then take a snapshot)", backing.FileName, req.DeviceKey, vm.Name))
	}
	capacity := disk.CapacityInBytes
	if capacity == 0 {
		capacity = disk.CapacityInKB * 1024
	}
	if req.StartOffset < 0 || req.StartOffset >= capacity {
		return nil, invalidArgument("startOffset", fmt.Sprintf("startOffset %d is outside disk %d of VM %s (capacity %d bytes)", req.StartOffset, req.DeviceKey, vm.Name, capacity))
	}

	tracker := c.trackers[trackerKey(req.This, req.DeviceKey)]
	trackingID, targetEpoch, _ := parseChangeID(targetID)
	if tracker == nil || tracker.id != trackingID || tracker.epochs[targetEpoch] == nil {
		return nil, fileFault(backing.FileName, fmt.Sprintf("Error caused by file %s: change tracking data of disk %d of VM %s is gone (tracking was reset); take a new snapshot and use its change ID", backing.FileName, req.DeviceKey, vm.Name))
	}
	target := tracker.epochs[targetEpoch]
	if req.Snapshot == nil {
		current, err := localPath(backing.FileName)
		if err == nil {
			target, err = scan(current)
		}
		if err != nil {
			return nil, fileFault(backing.FileName, fmt.Sprintf("Error caused by file %s: %v", backing.FileName, err))
		}
	}

	var from blockHashes
	if req.ChangeId != "*" {
		id, epoch, ok := parseChangeID(req.ChangeId)
		if !ok {
			return nil, invalidArgument("changeId", fmt.Sprintf("changeId %q is not a change ID (expected \"<tracking id>/<sequence>\" or \"*\")", req.ChangeId))
		}
		if id != tracker.id || tracker.epochs[epoch] == nil || epoch > targetEpoch {
			return nil, fileFault(backing.FileName, fmt.Sprintf("Error caused by file %s: change ID %q is unknown for disk %d of VM %s; do a full copy and use the change ID of its snapshot", backing.FileName, req.ChangeId, req.DeviceKey, vm.Name))
		}
		from = tracker.epochs[epoch]
	} else {
		from = blockHashes{}
	}

	end := capacity
	if c.window > 0 && req.StartOffset+c.window < end {
		end = req.StartOffset + c.window
	}
	return &types.DiskChangeInfo{
		StartOffset: req.StartOffset,
		Length:      end - req.StartOffset,
		ChangedArea: areasIn(changedBlocks(from, target), req.StartOffset, end),
	}, nil
}
