// Drops the PostgreSQL database a run created (see playwright.config.ts).
// Best effort: needs `psql`; a leftover database only costs disk space.
import { spawnSync } from 'node:child_process';

export default function globalTeardown(): void {
  const admin = process.env.RAPPORT_TEST_POSTGRES_URL?.trim();
  const name = process.env.RAPPORT_E2E_PG_DATABASE;
  if (!admin || !name || !/^rapport_test_e2e_\d+$/.test(name)) return;
  const result = spawnSync(
    'psql',
    [admin, '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-c', `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`],
    { encoding: 'utf8', timeout: 30_000 },
  );
  if (result.status !== 0) {
    console.warn(`Could not drop test database ${name}: ${result.error ?? result.stderr}`);
  }
}
