import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Server, createServer } from 'node:tls';
import { Agent, request } from 'undici';
import { ThumbprintMismatch, normalizeThumbprint, pinnedTls, pinningConnector } from '../../src/util/tls-pinning.js';
import { selfSignedCert } from '../transfer/servers.js';

const SHA1 = 'ab:cd:ef:01:23:45:67:89:ab:cd:ef:01:23:45:67:89:ab:cd:ef:01';

describe('normalizeThumbprint', () => {
  it('gives upper-case colon-separated pairs for SHA-1 and SHA-256, with or without colons or a prefix', () => {
    const upper = SHA1.toUpperCase();
    assert.equal(normalizeThumbprint(SHA1), upper);
    assert.equal(normalizeThumbprint(SHA1.replace(/:/g, '')), upper);
    assert.equal(normalizeThumbprint(` SHA1:${upper} `), upper);
    const sha256 = 'a1'.repeat(32);
    assert.equal(normalizeThumbprint(`sha256:${sha256}`), 'A1:'.repeat(31) + 'A1');
    assert.equal(normalizeThumbprint('A1:'.repeat(31) + 'A1'), 'A1:'.repeat(31) + 'A1');
  });

  it('refuses anything that is neither 20 nor 32 hex bytes, naming the value', () => {
    for (const bad of ['', 'abc', 'AB'.repeat(19), 'AB'.repeat(21), 'ZZ'.repeat(20), 'AB'.repeat(33)]) {
      assert.throws(() => normalizeThumbprint(bad), (e: Error) => e.message.includes(`"${bad}"`) && /SHA-1.*SHA-256/.test(e.message));
    }
  });
});

describe('pinningConnector (a real TLS server that counts the bytes it receives)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'osm-pinning-'));
  const cert = selfSignedCert(dir);
  let server: Server;
  let port = 0;
  let received = 0;
  before(async () => {
    server = createServer({ cert: cert.cert, key: cert.key }, (socket) => {
      socket.on('data', (b: Buffer) => {
        received += b.length;
        if (b.toString('latin1').includes('\r\n\r\n')) socket.end('HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok');
      });
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  after(async () => {
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  const get = async (thumbprint: string | undefined, ca?: Buffer): Promise<string> => {
    const agent = new Agent({ connect: pinningConnector(pinnedTls({ ...(thumbprint ? { thumbprint } : {}), ...(ca ? { ca } : {}) })) });
    try {
      const res = await request(`https://127.0.0.1:${port}/x`, { dispatcher: agent, headers: { authorization: 'Basic c2VjcmV0' } });
      return await res.body.text();
    } finally {
      await agent.close();
    }
  };

  it('accepts the certificate by its SHA-1 or SHA-256 thumbprint, without a CA, in any spelling', async () => {
    assert.equal(await get(cert.sha1), 'ok');
    assert.equal(await get(cert.sha256.replace(/:/g, '').toLowerCase()), 'ok');
  });

  it('closes a mismatching connection after the handshake, before any HTTP byte is sent', async () => {
    for (const pin of [cert.sha1, cert.sha256]) {
      const wrong = (pin.startsWith('AA') ? 'BB' : 'AA') + pin.slice(2);
      received = 0;
      await assert.rejects(get(wrong), (e: Error) => {
        const mismatch = e instanceof ThumbprintMismatch ? e : (e as { cause?: unknown }).cause;
        assert.ok(mismatch instanceof ThumbprintMismatch, String(e));
        assert.equal(mismatch.got, pin);
        assert.match(mismatch.message, new RegExp(`${pin.length > 59 ? 'SHA-256' : 'SHA-1'} thumbprint ${pin} but ${wrong} was expected; nothing was sent`));
        return true;
      });
      assert.equal(received, 0, 'the server received application data');
    }
  });

  it('verifies the chain when no pin is given (a CA works, the system store does not know the self-signed one)', async () => {
    assert.equal(await get(undefined, cert.cert), 'ok');
    await assert.rejects(get(undefined), /self.signed|certificate/i);
  });
});
