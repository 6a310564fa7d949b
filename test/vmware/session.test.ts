import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConnectionError, InvalidLoginError, ThumbprintMismatchError } from '../../src/vmware/faults.js';
import { retrieveFromView } from '../../src/vmware/property-collector.js';
import { VSphereSession, sdkEndpoint, withSession } from '../../src/vmware/session.js';
import { type ReplayServer, startReplayServer } from './replay-server.js';

const view = { type: 'ContainerView', value: 'session[1]view-1' };

describe('vim25 session (recorded answers)', () => {
  let server: ReplayServer;
  before(async () => {
    server = await startReplayServer();
  });
  after(() => server.close());
  const opts = () => ({ host: server.host, username: 'user', password: 'pass', caFile: server.certFile });

  it('parses host[:port] with 443 by default', () => {
    assert.deepEqual(sdkEndpoint('vc.example.com'), { server: 'vc.example.com:443', url: 'https://vc.example.com:443/sdk' });
    assert.deepEqual(sdkEndpoint('127.0.0.1:8989'), { server: '127.0.0.1:8989', url: 'https://127.0.0.1:8989/sdk' });
    assert.deepEqual(sdkEndpoint('https://[::1]:9443/sdk'), { server: '[::1]:9443', url: 'https://[::1]:9443/sdk' });
  });

  it('logs in, sends the captured session cookie on later calls, and logs out at the end', async () => {
    server.requests.length = 0;
    await withSession(opts(), async (s) => {
      assert.equal(s.serviceContent.propertyCollector.value, 'propertyCollector');
      server.queue('RetrievePropertiesEx', 'props-page-1.xml');
      server.queue('ContinueRetrievePropertiesEx', 'props-page-2.xml');
      await retrieveFromView(s, view, [{ type: 'VirtualMachine', paths: ['name'] }]);
    });
    assert.deepEqual(server.requests.map((r) => r.op), ['RetrieveServiceContent', 'Login', 'RetrievePropertiesEx', 'ContinueRetrievePropertiesEx', 'Logout']);
    assert.equal(server.requests[1]!.cookie, undefined);
    for (const r of server.requests.slice(2)) assert.match(r.cookie ?? '', /^vmware_soap_session="replay-2"$/);
  });

  it('logs out even when the work fails', async () => {
    server.requests.length = 0;
    await assert.rejects(withSession(opts(), async () => Promise.reject(new Error('boom'))), /boom/);
    assert.equal(server.requests.at(-1)!.op, 'Logout');
  });

  it('logs in again and retries an idempotent call once when the session expired', async () => {
    server.requests.length = 0;
    await withSession(opts(), async (s) => {
      server.queue('RetrievePropertiesEx', 'fault-not-authenticated.xml', 'props-page-2.xml');
      const objects = await retrieveFromView(s, view, [{ type: 'VirtualMachine', paths: ['name'] }]);
      assert.deepEqual(objects.map((o) => o.obj.value), ['vm-3']);
    });
    assert.deepEqual(server.requests.map((r) => r.op), ['RetrieveServiceContent', 'Login', 'RetrievePropertiesEx', 'Login', 'RetrievePropertiesEx', 'Logout']);
    assert.equal(server.requests[3]!.cookie, undefined, 'a re-login must not send the stale cookie');
  });

  it('fails a wrong password with InvalidLoginError and never shows the password', async () => {
    const secret = 'Sup3r-secret-pw';
    await assert.rejects(VSphereSession.open({ ...opts(), password: secret }), (e: Error) => {
      assert.ok(e instanceof InvalidLoginError);
      assert.ok(!e.message.includes(secret));
      return true;
    });
  });

  it('refuses a wrong SHA-1 or SHA-256 thumbprint before sending anything', async () => {
    server.requests.length = 0;
    for (const [wrong, seen] of [['AA'.repeat(20), server.thumbprint], ['AA'.repeat(32), server.thumbprint256]] as const) {
      await assert.rejects(
        VSphereSession.open({ host: server.host, username: 'user', password: 'pass', thumbprint: wrong }),
        (e: Error) => e instanceof ThumbprintMismatchError && e.message.includes(seen) && e.message.includes('nothing was sent'),
      );
    }
    assert.equal(server.requests.length, 0);
  });

  it('accepts the right SHA-1 or SHA-256 thumbprint without a CA, in any case and without colons', async () => {
    for (const thumbprint of [server.thumbprint, server.thumbprint256]) {
      const tp = thumbprint.replace(/:/g, '').toLowerCase();
      await withSession({ host: server.host, username: 'user', password: 'pass', thumbprint: tp }, async (s) => {
        assert.ok(s.cookieHeader());
      });
    }
  });

  it('refuses a malformed thumbprint with ConnectionError before connecting', async () => {
    server.requests.length = 0;
    await assert.rejects(
      VSphereSession.open({ host: server.host, username: 'user', password: 'pass', thumbprint: 'AB:CD' }),
      (e: Error) => e instanceof ConnectionError && /"AB:CD" is neither a SHA-1/.test(e.message),
    );
    assert.equal(server.requests.length, 0);
  });

  it('verifies TLS by default and explains how to proceed', async () => {
    server.requests.length = 0;
    await assert.rejects(
      VSphereSession.open({ host: server.host, username: 'user', password: 'pass' }),
      (e: Error) => e instanceof ConnectionError && /vmware_insecure/.test(e.message),
    );
    assert.equal(server.requests.length, 0);
    await withSession({ host: server.host, username: 'user', password: 'pass', insecure: true }, async () => undefined);
  });
});
