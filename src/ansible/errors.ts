/**
 * A failure to report to Ansible as `failed: true` with `msg`, optionally with extra result keys
 * (for instance upstream's `openstack_flavor_uuid: ""` on failure).
 */
export class ModuleFailure extends Error {
  constructor(
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'ModuleFailure';
  }
}
