import { VSphereError } from './faults.js';
import type { MoRef } from './moref.js';
import { retrieveOne } from './property-collector.js';
import type { VSphereSession } from './session.js';
import type { EntityPrivileges } from './vim25.js';

/** The privileges the session's own user holds on entities (AuthorizationManager.HasPrivilegeOnEntities). */

/** Entities per call: one call for a few hundred entities keeps each answer small. */
const BATCH = 500;

export async function sessionPrivileges(session: VSphereSession, entities: MoRef[], privileges: string[]): Promise<EntityPrivileges[]> {
  const manager = session.serviceContent.authorizationManager;
  if (!manager) throw new VSphereError(`${session.server} has no AuthorizationManager: privileges cannot be asked`, undefined);
  const current = (await retrieveOne(session, session.serviceContent.sessionManager, ['currentSession'])).get('currentSession');
  const sessionId = current?.children.find((c) => c.name === 'key')?.text;
  if (!sessionId) throw new VSphereError(`${session.server} did not tell the current session's key (SessionManager.currentSession)`, undefined);
  const out: EntityPrivileges[] = [];
  for (let i = 0; i < entities.length; i += BATCH) {
    out.push(...(await session.invoke('HasPrivilegeOnEntities', { _this: manager, entity: entities.slice(i, i + BATCH), sessionId, privId: privileges })));
  }
  return out;
}
