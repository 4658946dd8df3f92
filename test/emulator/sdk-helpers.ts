/**
 * Test helpers: a minimal HTTP server in front of a CloudBackend (what the gateway does, signature
 * check included), and a runner for the real wx-server-sdk in a child process pointed at it.
 */
import http from 'http';
import os from 'os';
import fs from 'fs';
import path from 'path';
import { spawn } from 'child_process';
import type { AddressInfo } from 'net';
import { createCloudBackend, parseAdminBody, writeAdminResponse, type CloudBackend, type CloudBackendOptions } from '../../emulator/admin';
import { randomCredentials, verifySignature, type Credentials } from '../../emulator/admin/signature';

export interface TestCloud {
  backend: CloudBackend;
  port: number;
  dataDir: string;
  /** the keys /admin requests must be signed with */
  credentials: Credentials;
  /** why each refused /admin request was refused */
  refused: string[];
  stop(): Promise<void>;
}

export async function startTestCloud(opts: Partial<CloudBackendOptions> = {}): Promise<TestCloud> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pps-cloud-'));
  let port = 0;
  const backend = createCloudBackend({ dataDir, publicUrl: () => `http://127.0.0.1:${port}`, ...opts });
  const credentials = randomCredentials();
  const refused: string[] = [];
  const server = http.createServer((req, res) => {
    if (backend.handleStorageHttp(req, res)) return;
    if (req.method === 'POST' && (req.url ?? '').startsWith('/admin')) {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', async () => {
        const url = new URL(req.url ?? '/', 'http://local');
        const raw = Buffer.concat(chunks);
        let body: unknown = raw;
        try {
          body = parseAdminBody(raw, req.headers['content-type']);
        } catch {
          /* verified as unparsed bytes: refused */
        }
        const why = verifySignature({ method: req.method ?? 'POST', url: req.url ?? '/', headers: req.headers, body }, credentials);
        if (why) {
          refused.push(`${(body as { action?: string })?.action}: ${why}`);
          writeAdminResponse(res, { status: 200, json: { code: 'SIGN_PARAM_INVALID', message: why, requestId: 'refused' } });
          return;
        }
        const r = await backend.handleAdmin(raw, {
          env: url.searchParams.get('env') ?? undefined,
          contentType: req.headers['content-type'],
        });
        writeAdminResponse(res, r);
      });
      return;
    }
    res.writeHead(404);
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  return {
    backend,
    port,
    dataDir,
    credentials,
    refused,
    stop: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections?.();
      backend.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Runs a script with the real wx-server-sdk against the test cloud and returns its JSON output. */
/** `sdkModule`: the package the script requires as the SDK (default wx-server-sdk 4.0.2; `wx-server-sdk-v2` is 2.6.3). */
export function runSdkScript(script: string, cloud: Pick<TestCloud, 'port' | 'credentials'>, timeoutMs = 60_000, sdkModule?: string): Promise<any> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    TCB_CONTEXT_CNFG: JSON.stringify({ URL: `http://127.0.0.1:${cloud.port}/admin` }),
    TENCENTCLOUD_SECRETID: cloud.credentials.secretId,
    TENCENTCLOUD_SECRETKEY: cloud.credentials.secretKey,
    TENCENTCLOUD: 'true',
    TCB_ENV: 'local-env',
    // what SCF sets in every function; wx-server-sdk 2.6.x finds the current env only through it
    SCF_NAMESPACE: 'local-env',
    SILENCE: 'true',
    ...(sdkModule ? { SDK_MODULE: sdkModule } : {}),
  };
  delete env.NODE_TEST_CONTEXT;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', () => {
      clearTimeout(timer);
      const line = stdout.trim().split('\n').pop() ?? '';
      try {
        resolve(JSON.parse(line));
      } catch {
        reject(new Error(`SDK script produced no JSON.\nstdout: ${stdout}\nstderr: ${stderr}`));
      }
    });
  });
}
