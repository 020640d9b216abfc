// Fails CI on a known vulnerability (moderate or worse) in the runtime dependencies.
// `npm audit` needs the registry's advisory endpoint; where that endpoint refuses the
// request (some mirrors answer 405), the run says so and the offline floor below is
// what still applies. Anything else that goes wrong fails the run.
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const LEVELS = ['moderate', 'high', 'critical'];

/** Versions below these have published advisories (see shared reference, section 0). */
const FLOORS = { nodemailer: [10, 4, 1] };

let failed = false;
for (const [name, floor] of Object.entries(FLOORS)) {
  const version = require(`${name}/package.json`).version;
  const parts = version.split('.').map(Number);
  const below = floor.reduce((order, n, i) => order || parts[i] - n, 0) < 0;
  if (below) {
    console.error(
      `${name} ${version} has known advisories: use >= ${floor.join('.')}`,
    );
    failed = true;
  }
}

let report;
try {
  report = execFileSync('npm', ['audit', '--omit=dev', '--json'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
} catch (err) {
  report = err.stdout; // npm audit exits non-zero when it finds something, and when it cannot ask
}
const parsed = JSON.parse(report || '{}');
if (parsed.metadata?.vulnerabilities) {
  const counts = parsed.metadata.vulnerabilities;
  const serious = LEVELS.reduce((sum, level) => sum + (counts[level] ?? 0), 0);
  console.log(`npm audit (runtime dependencies): ${JSON.stringify(counts)}`);
  if (serious > 0) {
    console.error(
      'Known vulnerabilities of moderate or higher severity in runtime dependencies: run `npm audit --omit=dev`.',
    );
    failed = true;
  }
} else if (parsed.statusCode) {
  console.warn(
    `npm audit unavailable (advisory endpoint answered ${parsed.statusCode}); only the version floors were checked.`,
  );
} else {
  console.error(`npm audit gave no result: ${(report || '').slice(0, 200)}`);
  failed = true;
}
process.exit(failed ? 1 : 0);
