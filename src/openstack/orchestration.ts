import { z } from 'zod';
import type { Session } from './auth.js';
import { isNotFound } from './errors.js';
import { parseAnswer } from './parse.js';
import { type WaitOptions, pollUntil } from './wait.js';

/** Heat: create, find, wait for and delete stacks. */

export const stackSchema = z.looseObject({
  id: z.string(),
  stack_name: z.string(),
  stack_status: z.string().optional(),
  stack_status_reason: z.string().nullable().optional(),
  tags: z.array(z.string()).nullable().optional(),
  outputs: z.array(z.looseObject({ output_key: z.string(), output_value: z.unknown() })).nullable().optional(),
});
export type Stack = z.output<typeof stackSchema>;

export async function findStackByName(s: Session, name: string): Promise<Stack | undefined> {
  const list = await s.list<unknown>('orchestration', `find stack ${name}`, '/stacks', 'stacks', { query: { name } });
  return list.map((x) => parseAnswer(stackSchema, x, 'orchestration: list stacks')).find((x) => x.stack_name === name);
}

export async function getStack(s: Session, name: string, id: string): Promise<Stack> {
  const res = await s.request('orchestration', `get stack ${name}`, 'GET', `/stacks/${encodeURIComponent(name)}/${id}`);
  return parseAnswer(stackSchema, (res.body as { stack?: unknown }).stack, `orchestration: get stack ${name}`);
}

/** The value of one output of a complete stack (outputs are only in the single-stack answer). */
export function stackOutput(st: Stack, key: string): unknown {
  return st.outputs?.find((o) => o.output_key === key)?.output_value;
}

export async function deleteStack(s: Session, name: string, id: string): Promise<void> {
  await s.request('orchestration', `delete stack ${name}`, 'DELETE', `/stacks/${encodeURIComponent(name)}/${id}`);
}

/** Wait until the stack is gone (404 or DELETE_COMPLETE); DELETE_FAILED aborts with Heat's reason. */
export async function waitForStackGone(s: Session, name: string, id: string, opts: WaitOptions): Promise<void> {
  let last: Stack | undefined;
  await pollUntil(
    async () => {
      try {
        last = await getStack(s, name, id);
      } catch (e) {
        if (isNotFound(e)) return true;
        throw e;
      }
      if (last.stack_status === 'DELETE_COMPLETE') return true;
      if (last.stack_status === 'DELETE_FAILED') {
        throw new Error(`stack ${name} (${id}) reached DELETE_FAILED: ${last.stack_status_reason ?? 'no reason given'}`);
      }
      return undefined;
    },
    opts,
    () => new Error(`stack ${name} (${id}) was not deleted within ${opts.timeoutMs / 1000}s (last status ${last?.stack_status ?? 'unknown'})`),
  );
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

export async function waitForStackComplete(s: Session, name: string, id: string, opts: WaitOptions): Promise<Stack> {
  let last: Stack | undefined;
  return pollUntil(
    async () => {
      last = await getStack(s, name, id);
      if (last.stack_status === 'CREATE_COMPLETE') return last;
      if (isFailedStatus(last.stack_status)) {
        throw new Error(`stack ${name} (${id}) reached ${last.stack_status}: ${last.stack_status_reason ?? 'no reason given'}`);
      }
      return undefined;
    },
    opts,
    () => new Error(`stack ${name} (${id}) did not reach CREATE_COMPLETE within ${opts.timeoutMs / 1000}s (last status ${last?.stack_status ?? 'unknown'})`),
  );
}
