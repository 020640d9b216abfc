// Template rendering cost (issue 15): a compiled Handlebars welcome mail with
// CSS inlining, through MailTemplates.render(), against its floor: the
// engine's own render of the same files plus the inliner's own time on the
// same HTML, measured in the same run, interleaved. Target: <= 2x.
// Also: the inliner choice (@css-inline/css-inline vs juice, same HTML), and
// the cost of a text body derived from the HTML (html-to-text).
// Needs a build (`npm run build`).
//
//   node bench/templates.mjs [--quick] [--no-write]
//
// Writes its table to bench/RESULTS.md under "## T — templates", replacing
// that section (and only it) when it is already there.
import { existsSync, readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import 'reflect-metadata';
import { benchArgs, writeSection } from './harness.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
if (!existsSync(join(root, 'dist', 'templates', 'index.js')))
  throw new Error('dist/ is missing or old: run `npm run build` first.');
const { MailTemplates } = await import('../dist/templates/index.js');
const { default: Handlebars } = await import('handlebars');
const { inline } = await import('@css-inline/css-inline');
const { default: juice } = await import('juice');

const { quick, write } = benchArgs();
// Short batches, many rounds: every contender sees the same machine load.
const OPS = 200;
const ROUNDS = quick ? 5 : 40;
const dir = join(here, 'templates');

const context = (i) => ({
  name: `User ${i}`,
  title: 'Welcome',
  confirmUrl: `https://example.com/confirm/${i}`,
  unsubscribeUrl: `https://example.com/u/${i}`,
  tips: [
    { title: 'Profile', text: 'Add a photo so your team knows you.' },
    { title: 'Invite', text: 'Bring your colleagues in.' },
    { title: 'Mobile', text: 'Get the app for your phone.' },
  ],
});

// The floor: the same files compiled once by Handlebars itself, and the
// inliner called with the options MailTemplates uses.
const hbs = Handlebars.create();
const read = (name) => readFileSync(join(dir, name), 'utf8');
hbs.registerPartial('footer', read('partials/footer.hbs'));
const subject = hbs.compile(read('welcome.subject.hbs'));
const text = hbs.compile(read('welcome.txt.hbs'));
const html = hbs.compile(read('welcome.html.hbs'));
const layout = hbs.compile(read('layouts/main.hbs'));
const inlineOptions = {
  keepStyleTags: false,
  keepAtRules: true,
  keepLinkTags: false,
  loadRemoteStylesheets: false,
};
const engineRender = (ctx) => {
  subject(ctx);
  text(ctx);
  return layout({ ...ctx, body: html(ctx) });
};

const templates = new MailTemplates({ dir, layout: 'main' });
await templates.onModuleInit();

const sampleHtml = engineRender(context(0));
const contenders = {
  'engine render (Handlebars: subject, text, HTML, layout)': (i) =>
    engineRender(context(i)),
  'inliner alone (@css-inline/css-inline)': () =>
    inline(sampleHtml, inlineOptions),
  'inliner alone (juice)': () => juice(sampleHtml),
  'MailTemplates.render(welcome)': (i) =>
    templates.render('welcome', context(i)),
  'MailTemplates.render(derived), text from HTML': (i) =>
    templates.render('derived', context(i)),
};

// CPU time of this process (user + system), not wall time: other work on a
// shared machine delays a run but barely changes the CPU it costs.
async function time(fn) {
  const start = process.cpuUsage();
  for (let i = 0; i < OPS; i++) await fn(i);
  const { user, system } = process.cpuUsage(start);
  return (user + system) / OPS;
}

for (const fn of Object.values(contenders))
  for (let w = 0; w < 5; w++) await time(fn); // warm-up
const samples = Object.fromEntries(Object.keys(contenders).map((k) => [k, []]));
for (let round = 0; round < ROUNDS; round++)
  for (const [name, fn] of Object.entries(contenders))
    samples[name].push(await time(fn));

const quartile = (xs, q) =>
  [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) * q)];
const median = (xs) => quartile(xs, 0.5);
const med = Object.fromEntries(
  Object.entries(samples).map(([k, v]) => [k, median(v)]),
);
const floorKeys = [
  'engine render (Handlebars: subject, text, HTML, layout)',
  'inliner alone (@css-inline/css-inline)',
];
// Per round, so that both sides of the ratio saw the same machine load.
const ratios = samples['MailTemplates.render(welcome)'].map(
  (t, r) => t / (samples[floorKeys[0]][r] + samples[floorKeys[1]][r]),
);
const ratio = median(ratios);
const fmt = (n) => n.toFixed(1);
const table = [
  '| what | CPU µs per mail, median | range | ÷ floor |',
  '|---|---|---|---|',
  ...Object.entries(samples).map(([name, xs]) => {
    const floor = med[floorKeys[0]] + med[floorKeys[1]];
    const mark = name.startsWith('MailTemplates')
      ? `**${(med[name] / floor).toFixed(2)}×**`
      : '';
    return `| ${name} | ${fmt(med[name])} | ${fmt(Math.min(...xs))}–${fmt(Math.max(...xs))} | ${mark} |`;
  }),
].join('\n');

const section = `## T — templates: a compiled Handlebars welcome mail with CSS inlining

Written by \`node bench/templates.mjs\` on ${new Date().toISOString()} (${cpus().length} × ${cpus()[0].model}, Node ${process.version}).
The mail: bench/templates/welcome.* (subject, text and HTML parts, a layout with 15 CSS rules and an \`@media\` rule,
a partial, an \`#each\` over 3 items; about ${Math.round(sampleHtml.length / 100) / 10} KB of HTML), a fresh context per mail.
Floor: the same files compiled once by Handlebars itself and rendered, plus \`@css-inline/css-inline\` on the rendered HTML
with the options MailTemplates uses. ${ROUNDS} rounds × ${OPS} mails per contender, contenders interleaved in each round,
timed in CPU time of the process (user + system). The ratio is taken per round; its median is **${ratio.toFixed(2)}×**
(target ≤ 2×; quartiles ${quartile(ratios, 0.25).toFixed(2)}–${quartile(ratios, 0.75).toFixed(2)}, range ${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}).
The juice row inlines the same HTML: the reason the module uses css-inline. The last row has no text part, so
html-to-text derives one (informational; not part of the target).
Load average (1 min) at the end: ${loadavg()[0].toFixed(2)}.

${table}
`;
console.log(`\n${section}`);
if (write)
  writeSection(join(here, 'RESULTS.md'), 'T — templates', section, 'Q — ');
