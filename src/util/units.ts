/** Bytes in a gibibyte: Cinder volume sizes, Nova flavor disks and report sizes are counted in GiB. */
export const GiB = 1024 ** 3;
