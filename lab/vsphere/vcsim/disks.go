package main

// Disk files in the datastore: a VMDK descriptor plus a flat extent holding the raw bytes
// (the layout `qemu-img convert -O vmdk -o subformat=monolithicFlat` writes).
// Test disks get deterministic content: 1 MiB regions that are either a hole or pseudo-random
// 64 KiB blocks derived from the disk's seed, so every lab start yields the same bytes.

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"hash/fnv"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

const (
	blockSize  = 64 << 10
	regionSize = 1 << 20
)

// flatName returns the flat extent file name for a descriptor name: "x.vmdk" -> "x-flat.vmdk".
func flatName(descriptor string) string {
	return strings.TrimSuffix(descriptor, ".vmdk") + "-flat.vmdk"
}

func diskUUID(seed string) string {
	h := sha256.Sum256([]byte(seed))
	parts := make([]string, 16)
	for i := range parts {
		parts[i] = hex.EncodeToString(h[i : i+1])
	}
	return strings.Join(parts[:8], " ") + "-" + strings.Join(parts[8:], " ")
}

func writeDescriptor(path string, capacity int64, adapter string) error {
	sectors := capacity / 512
	cylinders := sectors / (255 * 63)
	if cylinders > 65535 {
		cylinders = 65535
	}
	text := fmt.Sprintf(`# Disk DescriptorFile
version=1
encoding="UTF-8"
CID=fffffffe
parentCID=ffffffff
createType="monolithicFlat"

# Extent description
RW %d FLAT "%s" 0

# The Disk Data Base
#DDB

ddb.adapterType = "%s"
ddb.geometry.cylinders = "%d"
ddb.geometry.heads = "255"
ddb.geometry.sectors = "63"
ddb.uuid = "%s"
ddb.virtualHWVersion = "14"
`, sectors, filepath.Base(flatName(path)), adapter, cylinders, diskUUID(path))
	return writeFileAtomic(path, []byte(text))
}

func writeFileAtomic(path string, data []byte) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// writeEmptyDisk (re)makes an empty sparse disk of the given capacity.
func writeEmptyDisk(descriptor string, capacity int64, adapter string) error {
	if err := os.MkdirAll(filepath.Dir(descriptor), 0o755); err != nil {
		return err
	}
	flat := flatName(descriptor)
	if err := os.WriteFile(flat, nil, 0o644); err != nil {
		return err
	}
	if err := os.Truncate(flat, capacity); err != nil {
		return err
	}
	return writeDescriptor(descriptor, capacity, adapter)
}

func mix(values ...uint64) uint64 {
	h := fnv.New64a()
	var b [8]byte
	for _, v := range values {
		binary.LittleEndian.PutUint64(b[:], v)
		h.Write(b[:])
	}
	return h.Sum64()
}

// regionHasData tells whether the 1 MiB region r of a disk with this seed holds data.
// Region 0 always does (it carries a readable header); about one region in four is a hole.
func regionHasData(seed uint64, r int64) bool {
	return r == 0 || mix(seed, uint64(r), 0x5eed)%4 != 0
}

// fillBlock writes the pseudo-random content of block b into buf (xorshift64*).
func fillBlock(buf []byte, seed uint64, b int64) {
	x := mix(seed, uint64(b)) | 1
	for i := 0; i+8 <= len(buf); i += 8 {
		x ^= x >> 12
		x ^= x << 25
		x ^= x >> 27
		binary.LittleEndian.PutUint64(buf[i:], x*2685821657736338717)
	}
}

// writeTestDisk (re)writes a test disk's flat extent and descriptor and returns the SHA-256 of its
// raw content (capacity bytes, holes read as zeros).
func writeTestDisk(descriptor string, capacity int64, seed uint64, label, adapter string) (string, error) {
	if err := os.MkdirAll(filepath.Dir(descriptor), 0o755); err != nil {
		return "", err
	}
	flat := flatName(descriptor)
	f, err := os.OpenFile(flat, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
	if err != nil {
		return "", err
	}
	defer f.Close()
	if err := f.Truncate(capacity); err != nil {
		return "", err
	}
	sum := sha256.New()
	buf := make([]byte, blockSize)
	zero := make([]byte, blockSize)
	for b := int64(0); b*blockSize < capacity; b++ {
		if !regionHasData(seed, b*blockSize/regionSize) {
			sum.Write(zero)
			continue
		}
		fillBlock(buf, seed, b)
		if b == 0 {
			copy(buf, fmt.Sprintf("OSM-LAB-DISK %s seed=%d\n", label, seed))
		}
		if _, err := f.WriteAt(buf, b*blockSize); err != nil {
			return "", err
		}
		sum.Write(buf)
	}
	if err := writeDescriptor(descriptor, capacity, adapter); err != nil {
		return "", err
	}
	return hex.EncodeToString(sum.Sum(nil)), nil
}

// copyImageDisk (re)makes a disk whose flat extent is a sparse copy of a raw image of the given capacity.
func copyImageDisk(descriptor, image string, capacity int64, adapter string) error {
	fi, err := os.Stat(image)
	if err != nil {
		return fmt.Errorf("guest image (run lab/guest/build): %w", err)
	}
	if fi.Size() != capacity {
		return fmt.Errorf("guest image %s holds %d bytes, expected %d", image, fi.Size(), capacity)
	}
	if err := os.MkdirAll(filepath.Dir(descriptor), 0o755); err != nil {
		return err
	}
	flat := flatName(descriptor)
	if out, err := exec.Command("cp", "--sparse=always", image, flat).CombinedOutput(); err != nil {
		return fmt.Errorf("copy %s to %s: %v: %s", image, flat, err, out)
	}
	return writeDescriptor(descriptor, capacity, adapter)
}

// flatPathOf reads a descriptor's first extent line and returns the flat file's path.
func flatPathOf(descriptor string) (string, error) {
	data, err := os.ReadFile(descriptor)
	if err != nil {
		return "", err
	}
	for _, line := range strings.Split(string(data), "\n") {
		fields := strings.Fields(line)
		if len(fields) >= 4 && fields[0] == "RW" && fields[2] == "FLAT" {
			return filepath.Join(filepath.Dir(descriptor), strings.Trim(fields[3], `"`)), nil
		}
	}
	return "", fmt.Errorf("%s: no FLAT extent line", descriptor)
}

// copyAt writes the bytes of src into the file at offset, without truncating it.
func copyAt(path string, offset int64, src io.Reader) (int64, error) {
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	if _, err := f.Seek(offset, io.SeekStart); err != nil {
		return 0, err
	}
	n, err := io.Copy(f, src)
	if err != nil {
		return n, err
	}
	return n, f.Sync()
}
