// Starts the real server binary on a free port with a fresh SQLite database,
// publishes its address as E2E_BASE_URL, and returns the teardown that stops it.
//
// Set E2E_BASE_URL beforehand to run the suite against a server you started
// yourself; nothing is spawned then.

import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FullConfig } from '@playwright/test';

const REPO_ROOT = path.resolve(__dirname, '..');
const SERVER_BIN = process.env.E2E_SERVER_BIN ?? path.join(REPO_ROOT, 'target', 'debug', 'server');
const SERVER_LOG = path.join(__dirname, 'server.log');
const STARTUP_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 10_000;
const LISTENING = /listening on (http:\/\/127\.0\.0\.1:\d+)/;
// Colour codes from a terminal-aware logger would split the line we look for.
const ANSI = /\x1b\[[0-9;]*m/g;

export default async function globalSetup(_config: FullConfig): Promise<() => Promise<void>> {
  if (process.env.E2E_BASE_URL) {
    console.log(`[e2e] using the server already running at ${process.env.E2E_BASE_URL}`);
    return async () => {};
  }
  if (!existsSync(SERVER_BIN)) {
    throw new Error(`[e2e] server binary not found at ${SERVER_BIN}: run cargo leptos build first`);
  }

  const dataDir = mkdtempSync(path.join(tmpdir(), 'e2e-'));
  const server = spawnServer('127.0.0.1:0', `sqlite://${path.join(dataDir, 'e2e.db')}`);
  const log = createWriteStream(SERVER_LOG);

  const stop = async (): Promise<void> => {
    await stopProcess(server);
    log.end();
    rmSync(dataDir, { recursive: true, force: true });
  };

  try {
    const baseURL = await waitForListening(server, log);
    process.env.E2E_BASE_URL = baseURL;
    console.log(`[e2e] server ${SERVER_BIN} listening on ${baseURL} (log: ${SERVER_LOG})`);
  } catch (err) {
    await stop();
    throw err;
  }
  return stop;
}

/** Starts the server binary listening on `bindAddr` with the database at `databaseUrl`. */
export function spawnServer(
  bindAddr: string,
  databaseUrl: string,
  extraEnv: Record<string, string> = {},
): ChildProcess {
  return spawn(SERVER_BIN, [], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      ...extraEnv,
      BIND_ADDR: bindAddr,
      DATABASE_URL: databaseUrl,
      LEPTOS_SITE_ROOT: path.join(REPO_ROOT, 'target', 'site'),
      LEPTOS_SITE_PKG_DIR: 'pkg',
      LEPTOS_OUTPUT_NAME: 'app',
      RUST_LOG: process.env.RUST_LOG ?? 'info',
      NO_COLOR: '1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

// Resolves with the base URL once the server prints its listening line. Both
// streams keep being drained into the log afterwards so the server never blocks
// on a full pipe.
export function waitForListening(server: ChildProcess, log: NodeJS.WritableStream): Promise<string> {
  return new Promise((resolve, reject) => {
    let settled = false;
    let pending = '';
    let recent: string[] = [];

    const fail = (reason: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(new Error(`[e2e] ${reason}\n--- last server output (${SERVER_LOG}) ---\n${[...recent, pending].join('\n')}`));
    };
    const onChunk = (chunk: Buffer) => {
      log.write(chunk);
      if (settled) return;
      pending += chunk.toString('utf8');
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const raw of lines) {
        const line = raw.replace(ANSI, '');
        recent = [...recent, line].slice(-40);
        const match = LISTENING.exec(line);
        if (match) {
          settled = true;
          clearTimeout(timer);
          resolve(match[1]);
          return;
        }
      }
    };

    const timer = setTimeout(
      () => fail(`the server did not print "listening on http://127.0.0.1:PORT" within ${STARTUP_TIMEOUT_MS / 1000} s`),
      STARTUP_TIMEOUT_MS,
    );
    server.stdout?.on('data', onChunk);
    server.stderr?.on('data', onChunk);
    server.once('error', (err) => fail(`could not start ${SERVER_BIN}: ${err.message}`));
    server.once('exit', (code, signal) => fail(`the server exited during startup (code ${code}, signal ${signal})`));
  });
}

export async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timedOut = await Promise.race([
    exited.then(() => false),
    new Promise<boolean>((resolve) => setTimeout(() => resolve(true), STOP_TIMEOUT_MS).unref()),
  ]);
  if (timedOut) {
    child.kill('SIGKILL');
    await exited;
  }
}
