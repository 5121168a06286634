// End-to-end tests for Rapport: headless Chromium against the debug build.
//
// From the repo root, `make e2e` builds the server and the site and runs it;
// after that, `cd end2end && npx playwright test [file]` reruns tests.
//
// The suite starts the built server itself on a fresh SQLite database. When
// RAPPORT_TEST_POSTGRES_URL is set (e.g. postgres://postgres@127.0.0.1:5432/postgres)
// a second server runs on a new PostgreSQL database and every test runs on
// both backends.
import { defineConfig, type PlaywrightTestConfig } from '@playwright/test';

const chromium = {
  browserName: 'chromium' as const,
  launchOptions: {
    executablePath: process.env.RAPPORT_E2E_CHROMIUM ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  },
};

type WebServer = Exclude<NonNullable<PlaywrightTestConfig['webServer']>, readonly unknown[]>;
type Project = NonNullable<PlaywrightTestConfig['projects']>[number];

/** Starts the already-built server on `port`, with its data dir wiped first. */
function server(port: number, dataDir: string, databaseUrl: string): WebServer {
  return {
    command: `rm -rf ${dataDir} && exec ./target/debug/rapport serve`,
    cwd: '..',
    env: {
      RAPPORT_DATA_DIR: dataDir,
      RAPPORT_BIND: `127.0.0.1:${port}`,
      DATABASE_URL: databaseUrl,
      RUST_LOG: process.env.RUST_LOG ?? 'warn',
      // Due reminders go out within seconds (follow-up.spec.ts).
      RAPPORT_FOLLOW_UP_EVERY: '2s',
    },
    url: `http://127.0.0.1:${port}/healthz`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: 'ignore',
    stderr: 'pipe',
  };
}

// RAPPORT_E2E_PORT moves both test servers (SQLite on it, PostgreSQL on the
// next port), so two checkouts can run the suite on one machine.
const port = Number(process.env.RAPPORT_E2E_PORT ?? 3100);
const webServer: WebServer[] = [server(port, 'target/e2e-data', '')];
const projects: Project[] = [
  { name: 'chromium-sqlite', use: { ...chromium, baseURL: `http://127.0.0.1:${port}` } },
];

const postgres = process.env.RAPPORT_TEST_POSTGRES_URL?.trim();
if (postgres) {
  // Same server and host, a database of its own that the server creates
  // (dropped again by global-teardown.ts). The name goes into the
  // environment so that worker processes, which load this file again and
  // inherit the environment, agree on it.
  process.env.RAPPORT_E2E_PG_DATABASE ??= `rapport_test_e2e_${Date.now()}`;
  const url = new URL(postgres);
  url.pathname = `/${process.env.RAPPORT_E2E_PG_DATABASE}`;
  webServer.push(server(port + 1, 'target/e2e-data-pg', url.toString()));
  projects.push({
    name: 'chromium-postgres',
    use: { ...chromium, baseURL: `http://127.0.0.1:${port + 1}` },
  });
}

export default defineConfig({
  testDir: './tests',
  // One browser at a time: the machine is small and the debug server is slow.
  workers: 1,
  fullyParallel: false,
  forbidOnly: !!process.env.CI,
  retries: 0,
  reporter: 'list',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  use: {
    actionTimeout: 15_000,
    navigationTimeout: 30_000,
    trace: 'retain-on-failure',
  },
  globalTeardown: './global-teardown.ts',
  webServer,
  projects,
});
