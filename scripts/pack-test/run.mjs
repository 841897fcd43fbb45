#!/usr/bin/env node
// Pack-and-install test: the packages as a user meets them from the registry.
//
// Packs every publishable package with `pnpm pack` (which rewrites `workspace:^` to real ranges),
// then, in fresh projects under os.tmpdir() (outside the workspace, so nothing resolves to it),
// installs each set with npm from the tarballs alone and checks it:
//   (a) cpu         @tensorgrad/core + @tensorgrad/backend-cpu
//   (b) worker      @tensorgrad/core + @tensorgrad/backend-worker (backend-cpu comes along as its dependency)
//   (c) tensorgrad  tensorgrad alone (core and backend-cpu come along)
//   swap            core + backend-cpu + backend-worker: train on cpu, setBackend('worker'), model.to('worker'),
//                   train on with the same SGD-with-momentum optimizer; losses match a cpu-only run
// For (a)-(c): what got installed (no gpu.js, no backend it did not ask for), a training script as
// ESM (`import`) and as CommonJS (`require`), and `tsc --noEmit` of a TypeScript file (.mts and .cts)
// against the shipped .d.ts / .d.cts.
//
// The project's package.json lists only the packages the user names; npm `overrides` point every
// tensorgrad package (direct or transitive) at its tarball, so nothing of ours comes from the registry
// (checked in package-lock.json). Third-party dependencies, if any, come from npm (--prefer-offline).
//
// Usage: node scripts/pack-test/run.mjs [--only cpu,worker,tensorgrad,swap] [--keep]
// Needs `pnpm build` first. Exits 1 on any failure, after a summary of every check.
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const fixtures = path.join(here, 'fixtures');

const FORBIDDEN_EVERYWHERE = ['gpu.js', 'webgpu', 'gl', '@tensorgrad/backend-gpujs', '@tensorgrad/conformance'];
const SETS = [
  {
    id: 'cpu',
    title: '(a) @tensorgrad/core + @tensorgrad/backend-cpu',
    deps: ['@tensorgrad/core', '@tensorgrad/backend-cpu'],
    absent: [...FORBIDDEN_EVERYWHERE, '@tensorgrad/backend-worker'],
    backend: 'cpu',
    run: ['train.mjs', 'train.cjs'],
    types: true,
  },
  {
    id: 'worker',
    title: '(b) @tensorgrad/core + @tensorgrad/backend-worker',
    deps: ['@tensorgrad/core', '@tensorgrad/backend-worker'],
    absent: FORBIDDEN_EVERYWHERE,
    backend: 'worker',
    run: ['train.mjs', 'train.cjs'],
    types: true,
  },
  {
    id: 'tensorgrad',
    title: '(c) tensorgrad alone',
    deps: ['tensorgrad'],
    absent: [...FORBIDDEN_EVERYWHERE, '@tensorgrad/backend-worker'],
    backend: 'cpu',
    run: ['train.mjs', 'train.cjs'],
    types: true,
  },
  {
    id: 'swap',
    title: 'runtime swap cpu -> worker (core + backend-cpu + backend-worker)',
    deps: ['@tensorgrad/core', '@tensorgrad/backend-cpu', '@tensorgrad/backend-worker'],
    absent: FORBIDDEN_EVERYWHERE,
    run: ['swap.mjs'],
    types: false,
  },
];

// ---- arguments

const args = process.argv.slice(2);
const keep = args.includes('--keep');
const onlyArg = args.find((a) => a.startsWith('--only'));
const only = onlyArg ? (onlyArg.includes('=') ? onlyArg.split('=')[1] : args[args.indexOf(onlyArg) + 1]).split(',') : null;
if (only) {
  const unknown = only.filter((id) => !SETS.some((s) => s.id === id));
  if (unknown.length) die(`--only: unknown set(s) ${unknown.join(', ')}; the sets are ${SETS.map((s) => s.id).join(', ')}`);
}
const sets = SETS.filter((s) => !only || only.includes(s.id));

// ---- results

const results = []; // { set, check, ok, detail, seconds }
function record(set, check, ok, detail, seconds) {
  results.push({ set, check, ok, detail, seconds });
  const time = seconds === undefined ? '' : ` (${seconds.toFixed(1)}s)`;
  console.log(`${ok ? 'PASS' : 'FAIL'} [${set}] ${check}: ${firstLine(detail)}${time}`);
  if (!ok && detail.includes('\n')) console.log(indent(detail));
}
function die(message) {
  console.error(`pack-test: ${message}`);
  process.exit(1);
}
const firstLine = (s) => s.split('\n')[0];
const indent = (s) => s.split('\n').map((l) => `    ${l}`).join('\n');

// ---- child processes

// a clean environment: nothing that a surrounding `pnpm run` sets for its own scripts
const env = Object.fromEntries(
  Object.entries(process.env).filter(
    ([k]) => !/^(npm_(lifecycle|package)_|npm_config_user_agent$|npm_execpath$|npm_node_execpath$|npm_command$|pnpm_|PNPM_|NODE_PATH$|INIT_CWD$)/.test(k),
  ),
);

function run(file, argv, cwd, timeoutSeconds) {
  const started = performance.now();
  return new Promise((resolve) => {
    execFile(file, argv, { cwd, env, timeout: timeoutSeconds * 1000, maxBuffer: 64 << 20, killSignal: 'SIGKILL' }, (error, stdout, stderr) => {
      const seconds = (performance.now() - started) / 1000;
      const timedOut = error?.killed === true;
      resolve({ ok: !error, code: error?.code ?? 0, timedOut, stdout: String(stdout), stderr: String(stderr), seconds });
    });
  });
}
const tail = (r, n = 25) => {
  const lines = `${r.stdout}\n${r.stderr}`.trim().split('\n');
  return lines.slice(-n).join('\n');
};
function failure(r, what) {
  if (r.timedOut) return `${what} timed out after ${r.seconds.toFixed(0)}s\n${tail(r)}`;
  // 13: Node's exit code for a top-level await that never settled (nothing left to run, promise pending)
  const hint = r.code === 13 ? ' (a top-level await never settled: e.g. setBackend or a kernel waiting on a worker that never answered)' : '';
  return `${what} exited with ${r.code}${hint}\n${tail(r)}`;
}

// ---- tarballs

/** The files of a .tgz: a tiny reader of ustar (with GNU/pax long names skipped as entries). */
function readTarball(file) {
  const buf = zlib.gunzipSync(fs.readFileSync(file));
  const files = new Map();
  let longName = null;
  for (let off = 0; off + 512 <= buf.length; ) {
    const header = buf.subarray(off, off + 512);
    if (header.every((b) => b === 0)) break;
    const str = (a, b) => header.subarray(a, b).toString('utf8').replace(/\0.*$/s, '');
    const size = parseInt(str(124, 136).trim() || '0', 8);
    const type = str(156, 157);
    const prefix = str(345, 500);
    let name = longName ?? (prefix ? `${prefix}/${str(0, 100)}` : str(0, 100));
    longName = null;
    const body = buf.subarray(off + 512, off + 512 + size);
    if (type === 'L') longName = body.toString('utf8').replace(/\0.*$/s, '');
    else if (type === '0' || type === '' || type === '7') files.set(name.replace(/^package\//, ''), body);
    off += 512 + Math.ceil(size / 512) * 512;
  }
  return files;
}

/** Every relative path an `exports`/`main`/`types` field names. */
function entryPaths(manifest) {
  const out = new Set();
  const walk = (v) => {
    if (typeof v === 'string') {
      if (v.startsWith('./') && !v.includes('*')) out.add(v.slice(2));
    } else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(manifest.exports);
  for (const k of ['main', 'module', 'types', 'typings']) if (typeof manifest[k] === 'string') out.add(manifest[k].replace(/^\.\//, ''));
  return [...out];
}

async function packAll(dest) {
  const dirs = fs
    .readdirSync(path.join(root, 'packages'))
    .map((d) => path.join(root, 'packages', d))
    .filter((d) => fs.existsSync(path.join(d, 'package.json')))
    .filter((d) => !JSON.parse(fs.readFileSync(path.join(d, 'package.json'), 'utf8')).private);
  const packed = new Map(); // name -> { file, manifest }
  await Promise.all(
    dirs.map(async (dir) => {
      const id = path.basename(dir);
      const r = await run('pnpm', ['pack', '--json', '--pack-destination', dest], dir, 120);
      if (!r.ok) return record('pack', id, false, failure(r, 'pnpm pack'), r.seconds);
      let filename;
      try {
        filename = JSON.parse(r.stdout.slice(r.stdout.indexOf('{'))).filename;
      } catch {
        return record('pack', id, false, `could not read pnpm pack --json output:\n${tail(r)}`, r.seconds);
      }
      const files = readTarball(filename);
      const manifest = JSON.parse(files.get('package.json').toString('utf8'));
      const problems = [];
      for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies']) {
        for (const [dep, range] of Object.entries(manifest[field] ?? {})) {
          if (/^(workspace|link|file):/.test(range)) problems.push(`${field}.${dep} is '${range}' in the tarball`);
        }
      }
      for (const p of entryPaths(manifest)) if (!files.has(p)) problems.push(`'${p}' (named by exports/main/types) is not in the tarball`);
      const stray = [...files.keys()].filter((f) => /(^|\/)(src|test|tests|__tests__)\/|\.test\.|\.spec\.|tsconfig|\.tsbuildinfo$/.test(f));
      if (stray.length) problems.push(`files users do not need: ${stray.slice(0, 5).join(', ')}${stray.length > 5 ? ', ...' : ''}`);
      if (!files.has('README.md')) problems.push('no README.md in the tarball');
      const kb = [...files.values()].reduce((s, b) => s + b.length, 0) / 1024;
      const ok = problems.length === 0;
      record('pack', manifest.name, ok, ok ? `${path.basename(filename)}: ${files.size} files, ${kb.toFixed(0)} kB unpacked` : problems.join('\n'), r.seconds);
      packed.set(manifest.name, { file: filename, manifest });
    }),
  );
  return packed;
}

/** Our packages a set of names brings along: the closure over dependencies, optional and peer dependencies. */
function closure(names, packed) {
  const seen = new Set();
  const visit = (n) => {
    if (seen.has(n) || !packed.has(n)) return;
    seen.add(n);
    const m = packed.get(n).manifest;
    for (const f of ['dependencies', 'optionalDependencies', 'peerDependencies']) Object.keys(m[f] ?? {}).forEach(visit);
  };
  names.forEach(visit);
  return seen;
}

// ---- one install set

async function checkSet(set, packed, work, tsc) {
  const dir = path.join(work, set.id);
  fs.mkdirSync(dir, { recursive: true });
  const missing = set.deps.filter((d) => !packed.has(d));
  if (missing.length) return record(set.id, 'install', false, `no tarball for ${missing.join(', ')} (did pnpm pack fail?)`);
  const spec = (name) => `file:${path.relative(dir, packed.get(name).file).split(path.sep).join('/')}`;
  const manifest = {
    name: `tensorgrad-pack-test-${set.id}`,
    version: '0.0.0',
    private: true,
    dependencies: Object.fromEntries(set.deps.map((d) => [d, spec(d)])),
    // every package of ours, direct or transitive, from its tarball: never from the registry
    overrides: Object.fromEntries([...packed.keys()].map((d) => [d, spec(d)])),
  };
  fs.writeFileSync(path.join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  for (const f of fs.readdirSync(path.join(fixtures, set.id))) fs.copyFileSync(path.join(fixtures, set.id, f), path.join(dir, f));
  if (set.types) fs.copyFileSync(path.join(fixtures, 'tsconfig.json'), path.join(dir, 'tsconfig.json'));

  const install = await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], dir, 300);
  if (!install.ok) return record(set.id, 'install', false, failure(install, 'npm install'), install.seconds);
  record(set.id, 'install', true, `npm install ${set.deps.join(' ')}`, install.seconds);

  // what came along
  const lock = JSON.parse(fs.readFileSync(path.join(dir, 'package-lock.json'), 'utf8'));
  const installed = new Map(); // name -> resolved
  for (const [p, info] of Object.entries(lock.packages ?? {})) {
    if (!p) continue;
    const name = info.name ?? p.slice(p.lastIndexOf('node_modules/') + 'node_modules/'.length);
    installed.set(name, info.resolved ?? '');
  }
  const expected = closure(set.deps, packed);
  const problems = [];
  for (const name of set.absent) {
    if (installed.has(name) || fs.existsSync(path.join(dir, 'node_modules', name))) problems.push(`${name} is installed`);
  }
  for (const name of installed.keys()) {
    if (packed.has(name) && !expected.has(name)) problems.push(`${name} is installed but nothing asked for it`);
  }
  for (const name of expected) {
    if (!installed.has(name)) problems.push(`${name} is missing`);
    else if (!installed.get(name).startsWith('file:')) problems.push(`${name} came from ${installed.get(name)}, not its tarball`);
  }
  const list = [...installed.keys()].sort().join(', ');
  record(set.id, 'node_modules', problems.length === 0, problems.length ? `${problems.join('; ')}\ninstalled: ${list}` : `${list} (absent: ${set.absent.join(', ')})`);

  // the scripts, from the project's own directory
  const realDir = fs.realpathSync(dir);
  for (const script of set.run) {
    const r = await run(process.execPath, [script], dir, 120);
    const kind = script.endsWith('.cjs') ? 'cjs' : script === 'swap.mjs' ? 'swap' : 'esm';
    if (!r.ok) {
      record(set.id, kind, false, failure(r, `node ${script}`), r.seconds);
      continue;
    }
    let out;
    try {
      out = JSON.parse(r.stdout.trim().split('\n').at(-1));
    } catch {
      record(set.id, kind, false, `node ${script} exited 0 without printing its result line (a promise that never settled?)\n${tail(r)}`, r.seconds);
      continue;
    }
    if (kind === 'swap') {
      const fmt = (xs) => xs.map((v) => v.toFixed(5)).join(' ');
      record(set.id, kind, true, `${out.backend}, ${out.steps} steps, max |loss difference| ${out.maxDiff.toExponential(2)}\n  cpu:     ${fmt(out.cpu)}\n  swapped: ${fmt(out.swapped)}`, r.seconds);
      console.log(indent(`cpu:     ${fmt(out.cpu)}\nswapped: ${fmt(out.swapped)}`));
      continue;
    }
    const resolved = out.resolved.startsWith('file:') ? fileURLToPath(out.resolved) : out.resolved;
    const inside = fs.realpathSync(resolved).startsWith(realDir + path.sep);
    const ok = out.backend === set.backend && inside;
    const detail = !inside
      ? `resolved the package outside the test project: ${resolved}`
      : out.backend !== set.backend
        ? `trained on '${out.backend}', expected '${set.backend}'`
        : `node ${script}: ${out.backend}, loss ${out.first.toFixed(4)} -> ${out.last.toFixed(4)}`;
    record(set.id, kind, ok, detail, r.seconds);
  }

  if (set.types) {
    const r = await run(process.execPath, [tsc, '-p', 'tsconfig.json'], dir, 120);
    record(set.id, 'types', r.ok, r.ok ? `tsc --noEmit (TypeScript ${tscVersion}) on check.mts + check.cts` : failure(r, 'tsc --noEmit'), r.seconds);
  }
}

// ---- main

let tscVersion = '?';
async function main() {
  const started = performance.now();
  const npmVersion = (await run('npm', ['--version'], root, 30)).stdout.trim();
  const requireRoot = createRequire(path.join(root, 'package.json'));
  const tsc = requireRoot.resolve('typescript/bin/tsc');
  tscVersion = requireRoot('typescript/package.json').version;
  console.log(`pack-test: node ${process.version}, npm ${npmVersion}, TypeScript ${tscVersion} (the workspace's); sets: ${sets.map((s) => s.id).join(', ')}`);

  const unbuilt = fs
    .readdirSync(path.join(root, 'packages'))
    .filter((d) => fs.existsSync(path.join(root, 'packages', d, 'package.json')) && !fs.existsSync(path.join(root, 'packages', d, 'dist')));
  if (unbuilt.length) die(`packages/${unbuilt.join(', packages/')} have no dist/: run pnpm build first`);

  const work = fs.mkdtempSync(path.join(fs.realpathSync(os.tmpdir()), 'tensorgrad-pack-test-'));
  // nothing above the test projects may hold a node_modules that could satisfy an import
  for (let d = path.dirname(work); ; d = path.dirname(d)) {
    if (fs.existsSync(path.join(d, 'node_modules'))) die(`${d}/node_modules exists above the test projects (${work}); imports could resolve there`);
    if (path.dirname(d) === d) break;
  }
  console.log(`pack-test: working in ${work}`);
  try {
    const tarballs = path.join(work, 'tarballs');
    fs.mkdirSync(tarballs);
    const packed = await packAll(tarballs);
    await Promise.all(sets.map((s) => checkSet(s, packed, work, tsc)));
  } finally {
    if (keep) console.log(`pack-test: kept ${work}`);
    else fs.rmSync(work, { recursive: true, force: true });
  }

  // summary
  const failed = results.filter((r) => !r.ok);
  console.log('\npack-test summary');
  for (const group of ['pack', ...sets.map((s) => s.id)]) {
    const rows = results.filter((r) => r.set === group);
    const title = group === 'pack' ? 'pnpm pack' : sets.find((s) => s.id === group).title;
    const expected = group === 'pack' ? [] : ['install', 'node_modules', ...sets.find((s) => s.id === group).run.map((f) => (f.endsWith('.cjs') ? 'cjs' : f === 'swap.mjs' ? 'swap' : 'esm')), ...(sets.find((s) => s.id === group).types ? ['types'] : [])];
    const notRun = expected.filter((c) => !rows.some((r) => r.check === c));
    const status = rows.every((r) => r.ok) && notRun.length === 0 ? 'ok  ' : 'FAIL';
    const checks = rows.map((r) => `${r.check} ${r.ok ? 'ok' : 'FAIL'}`).concat(notRun.map((c) => `${c} not run`));
    console.log(`  ${status} ${title}: ${checks.join(', ')}`);
    if (notRun.length) failed.push({ set: group, check: notRun.join(', ') });
  }
  const total = (performance.now() - started) / 1000;
  console.log(`pack-test: ${results.length - results.filter((r) => !r.ok).length} checks passed, ${failed.length} failed in ${total.toFixed(1)}s`);
  process.exitCode = failed.length ? 1 : 0;
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
