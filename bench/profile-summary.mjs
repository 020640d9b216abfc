// Summarises V8 CPU profiles (from `node bench/run.mjs --prof`): self time by
// function and by package/file, over every *.cpuprofile in the given directory.
//
//   node bench/profile-summary.mjs bench/profiles [top=25] [filter]
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const [dir = 'bench/profiles', topArg = '25', filter = ''] =
  process.argv.slice(2);
const top = Number(topArg);
const byFunction = new Map();
const byFile = new Map();
let total = 0;

const shortUrl = (url) => {
  const path = url.replace(/^file:\/\//, '');
  if (!path) return '(native/V8)';
  if (path.includes('node_modules/'))
    return path.replace(/^.*node_modules\//, '');
  return path.replace(/^.*\/dist\//, 'nestjs-mail dist/');
};

for (const name of readdirSync(dir).filter(
  (f) => f.endsWith('.cpuprofile') && f.includes(filter),
)) {
  const profile = JSON.parse(readFileSync(join(dir, name), 'utf8'));
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const deltas = profile.timeDeltas;
  const self = new Map();
  profile.samples.forEach((id, i) =>
    self.set(id, (self.get(id) ?? 0) + (deltas[i] ?? 0)),
  );
  for (const [id, us] of self) {
    const { callFrame } = nodes.get(id);
    const file = shortUrl(callFrame.url);
    const fn = `${callFrame.functionName || '(anonymous)'}  ${file}:${callFrame.lineNumber + 1}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + us);
    const pkg = file.startsWith('nestjs-mail')
      ? file
      : file
          .split('/')
          .slice(0, file.startsWith('@') ? 2 : 1)
          .join('/');
    byFile.set(pkg, (byFile.get(pkg) ?? 0) + us);
    total += us;
  }
}

const show = (title, map) => {
  console.log(`\n${title}`);
  for (const [key, us] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(
      `${((100 * us) / total).toFixed(1).padStart(5)} %  ${(us / 1000).toFixed(0).padStart(6)} ms  ${key}`,
    );
  }
};
show('Self time by package / file', byFile);
show('Self time by function', byFunction);
