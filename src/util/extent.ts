/**
 * A byte range of a disk: what QueryChangedDiskAreas reports as changed (vmware/cbt.ts) and what the copy reads
 * (transfer/). Offsets and lengths are bytes, exact integers (disks stay well below 2^53 bytes).
 */
export interface Extent {
  start: number;
  length: number;
}
