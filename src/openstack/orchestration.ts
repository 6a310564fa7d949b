import { z } from 'zod';
import type { Session } from './auth.js';
import { listAll, requestOne, unlessNotFound } from './resource.js';
import { DELETED, type WaitOptions, type Watched, waitForDeletion, waitForStatus } from './wait.js';

/** Heat: create, find, wait for and delete stacks. */

const stackSchema = z.looseObject({
  id: z.string(),
  stack_name: z.string(),
  stack_status: z.string().optional(),
  stack_status_reason: z.string().nullable().optional(),
  tags: z.array(z.string()).nullable().optional(),
  outputs: z.array(z.looseObject({ output_key: z.string(), output_value: z.unknown() })).nullable().optional(),
});
export type Stack = z.output<typeof stackSchema>;

export async function findStackByName(s: Session, name: string): Promise<Stack | undefined> {
  const list = await listAll(s, 'orchestration', `find stack ${name}`, '/stacks', 'stacks', stackSchema, { query: { name } });
  return list.find((x) => x.stack_name === name);
}

export async function getStack(s: Session, name: string, id: string): Promise<Stack> {
  return requestOne(s, 'orchestration', `get stack ${name}`, 'GET', `/stacks/${encodeURIComponent(name)}/${id}`, stackSchema, { key: 'stack' });
}

/** The value of one output of a complete stack (outputs are only in the single-stack answer). */
export function stackOutput(st: Stack, key: string): unknown {
  return st.outputs?.find((o) => o.output_key === key)?.output_value;
}

export async function deleteStack(s: Session, name: string, id: string): Promise<void> {
  await s.request('orchestration', `delete stack ${name}`, 'DELETE', `/stacks/${encodeURIComponent(name)}/${id}`);
}

export interface StackSpec {
  name: string;
  template: unknown;
  parameters: Record<string, unknown>;
  timeoutMins: number;
  tags: string[];
}

export async function createStack(s: Session, spec: StackSpec): Promise<{ id: string }> {
  const res = await s.request('orchestration', `create stack ${spec.name}`, 'POST', '/stacks', {
    body: {
      stack_name: spec.name,
      template: spec.template,
      parameters: spec.parameters,
      timeout_mins: spec.timeoutMins,
      tags: spec.tags.join(','),
    },
  });
  const id = (res.body as { stack?: { id?: string } }).stack?.id;
  if (!id) throw new Error(`orchestration: create stack ${spec.name}: the answer has no stack id`);
  return { id };
}

/** CREATE_FAILED, UPDATE_FAILED, DELETE_FAILED, ... */
export const isFailedStatus = (status: string | undefined): boolean => status !== undefined && status.endsWith('_FAILED');

/** A *_FAILED status stops a wait for CREATE_COMPLETE; only DELETE_FAILED stops a wait for the deletion (404 or DELETE_COMPLETE). */
function watchStack(s: Session, name: string, id: string): Watched<Stack> {
  return {
    what: `stack ${name} (${id})`,
    get: () => unlessNotFound(getStack(s, name, id)),
    status: (st) => st.stack_status,
    failure: (st, target) => {
      const failed = target === DELETED ? st.stack_status === 'DELETE_FAILED' : isFailedStatus(st.stack_status);
      return failed ? new Error(`stack ${name} (${id}) reached ${st.stack_status}: ${st.stack_status_reason ?? 'no reason given'}`) : undefined;
    },
    deleted: (st) => st.stack_status === 'DELETE_COMPLETE',
  };
}

export async function waitForStackComplete(s: Session, name: string, id: string, opts: WaitOptions): Promise<Stack> {
  return waitForStatus(watchStack(s, name, id), 'CREATE_COMPLETE', opts);
}

export async function waitForStackGone(s: Session, name: string, id: string, opts: WaitOptions): Promise<void> {
  return waitForDeletion(watchStack(s, name, id), opts);
}
