import { connect as tcpConnect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { getConsoleOutput } from '../openstack/servers.js';
import { type Check, type VerifyFacts, cannotRun, check } from './verify-request.js';

/** Guest-level evidence, when asked: the console log matches a pattern, TCP ports answer on the first fixed IP. */
export async function guestChecks(f: VerifyFacts, signal: AbortSignal): Promise<Check[]> {
  const { consolePattern, tcpPorts, timeoutMs } = f.req.guest;
  const out: Check[] = [];
  if (consolePattern) out.push(await consoleCheck(f, consolePattern, timeoutMs, signal));
  if (tcpPorts.length === 0) return out;
  const ip = f.ports[0]?.find((p) => p.device_id === f.server?.id)?.fixed_ips[0]?.ip_address;
  for (const port of tcpPorts) {
    const id = `guest.tcp.${port}`;
    if (!f.server) out.push(cannotRun(id, 'answers', 'there is no server'));
    else if (!ip) out.push(cannotRun(id, 'answers', 'the first NIC has no port with a fixed IP plugged into the server'));
    else {
      const answer = await tcpAnswers(ip, port, timeoutMs, signal);
      out.push(check(id, `${ip}:${port} accepts a connection`, answer, answer === 'connected', `${ip}:${port}: ${answer}`));
    }
  }
  return out;
}

/** Polls the console until the pattern shows up or the time is over (a guest may still be booting). */
async function consoleCheck(f: VerifyFacts, pattern: string, timeoutMs: number, signal: AbortSignal): Promise<Check> {
  const id = 'guest.console';
  if (!f.server) return cannotRun(id, pattern, 'there is no server');
  const re = new RegExp(pattern, 'm');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const output = await getConsoleOutput(f.os, f.server.id, 200);
    const match = re.exec(output);
    if (match) return check(id, pattern, match[0], true, `console of server ${f.server.id} matches`);
    if (Date.now() >= deadline) {
      const tail = output.split('\n').filter(Boolean).slice(-3).join(' | ');
      return check(id, pattern, tail, false, `console of server ${f.server.id} did not match within ${timeoutMs / 1000} s; last lines: ${tail || '(empty)'}`);
    }
    await sleep(5000, undefined, { signal });
  }
}

/** 'connected', or why not, retried until the deadline. */
async function tcpAnswers(host: string, port: number, timeoutMs: number, signal: AbortSignal): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await new Promise<string>((resolve) => {
      const sock = tcpConnect({ host, port, timeout: Math.min(5000, Math.max(1000, deadline - Date.now())) });
      sock.once('connect', () => {
        sock.destroy();
        resolve('connected');
      });
      sock.once('timeout', () => {
        sock.destroy();
        resolve('timed out');
      });
      sock.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
    });
    if (result === 'connected' || Date.now() >= deadline) return result;
    await sleep(1000, undefined, { signal });
  }
}
