/**
 * How the tool marks what it creates, and recognises it later (docs/ownership.md). Reruns reuse and teardown
 * deletes only objects that carry the marker AND belong to the session's project.
 *
 * - Cinder volumes: metadata `osm: "true"` (upstream's key, so volumes from upstream runs are recognised too).
 * - Nova servers: metadata `osm: "true"`.
 * - Glance images: property `osm: "true"`.
 * - Neutron ports and Nova flavors: a description starting with `osm=true` (neither has metadata).
 * - Heat stacks: tag `osm`.
 */
export const OSM_METADATA_KEY = 'osm';
export const OSM_METADATA_VALUE = 'true';
export const TOOL_METADATA: Readonly<Record<string, string>> = { [OSM_METADATA_KEY]: OSM_METADATA_VALUE };
export const DESCRIPTION_MARKER = 'osm=true';
export const STACK_TAG = 'osm';

export function hasToolMetadata(metadata: Record<string, string> | undefined | null): boolean {
  return metadata?.[OSM_METADATA_KEY] === OSM_METADATA_VALUE;
}

/** `osm=true vm=<name> by os_migrate.vmware_migration_kit` (Neutron and Nova limit descriptions to 255 chars). */
export function toolDescription(details: string): string {
  return `${DESCRIPTION_MARKER} ${details} by os_migrate.vmware_migration_kit`.slice(0, 255);
}

export function hasToolDescription(description: string | null | undefined): boolean {
  return typeof description === 'string' && (description === DESCRIPTION_MARKER || description.startsWith(`${DESCRIPTION_MARKER} `));
}

/** Resources another project owns are never ours, whatever they carry (an admin token sees them all). */
export function inProject(resourceProject: string | undefined, sessionProject: string): boolean {
  return resourceProject === undefined || resourceProject === '' || resourceProject === sessionProject;
}

/**
 * What the tool did to the source VM, recorded on each of the VM's tool volumes so that a rollback can undo it:
 * `osm_source_powered_off: "true"` when the tool powered the source off, `osm_cbt_enabled: "true"` when it enabled CBT.
 */
export const SOURCE_POWERED_OFF_KEY = 'osm_source_powered_off';
export const CBT_ENABLED_KEY = 'osm_cbt_enabled';
/** When the tool powered the source off (ISO 8601), beside SOURCE_POWERED_OFF_KEY. */
export const SOURCE_POWERED_OFF_AT_KEY = 'osm_source_powered_off_at';
