#!/usr/bin/env node
// Builds the native binding of @tensorflow/tfjs-node without internet access.
//
// Runs as the root `postinstall` (pnpm never runs tfjs-node's own install script: see
// "pnpm.neverBuiltDependencies" in the root package.json). It:
//   1. finds the installed @tensorflow/tfjs-node (resolved from packages/agent);
//   2. exits quickly if its binding already loads and computes (checked in a child `node`);
//   3. otherwise tries tfjs-node's stock `scripts/install.js` (downloads libtensorflow from the
//      internet) under a short timeout;
//   4. otherwise takes the TensorFlow C library out of the `tensorflow-cpu` Python wheel
//      (fetched with pip, unpacked into .cache/tfjs-node/ and kept there), places it in the
//      package's deps/lib and deps/include, and builds the binding with node-gyp (the built
//      binding is cached too, so a reinstall after `rm -rf node_modules` does not compile);
//   5. verifies by loading it from another working directory.
// If everything fails it prints a loud warning and exits 0: training then runs on the
// (much slower) WASM backend, see packages/agent/src/tf.ts.
//
// Usage: node scripts/install-tfjs-node.mjs [--force] [--check]
//   --force   rebuild even if the binding already works (the cached wheel contents are reused)
//   --check   only report whether the binding loads (exit 1 if not)
// Environment:
//   VINEGYM_SKIP_TFJS_NODE=1        do nothing
//   VINEGYM_TFJS_NO_STOCK=1         skip the stock download attempt
//   VINEGYM_TFJS_STOCK_TIMEOUT_MS   timeout of the stock attempt (default 60000)
//   VINEGYM_TF_WHEEL                pip requirement of the wheel (default tensorflow-cpu==2.21.0;
//                                   if that exact one is unavailable, plain tensorflow-cpu is tried)
//   VINEGYM_PIP_RETRIES             pip --retries (default 1)
//   VINEGYM_PYTHON                  python interpreter with pip (default python3, then python)
//   VINEGYM_TFJS_CACHE              cache dir (default <repo>/.cache/tfjs-node)
// To start over: rm -rf .cache/tfjs-node && node scripts/install-tfjs-node.mjs --force
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const TAG = '[tfjs-node]';
const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CACHE = path.resolve(process.env.VINEGYM_TFJS_CACHE || path.join(REPO, '.cache', 'tfjs-node'));
const LOG_FILE = path.join(CACHE, 'install.log');
const DEFAULT_WHEEL = 'tensorflow-cpu==2.21.0';
const args = new Set(process.argv.slice(2));
const t0 = Date.now();

const log = (msg) => console.log(`${TAG} ${msg}`);
const secs = () => `${((Date.now() - t0) / 1000).toFixed(1)}s`;

function appendLog(text) {
  try {
    fs.mkdirSync(CACHE, { recursive: true });
    fs.appendFileSync(LOG_FILE, text);
  } catch {
    /* logging is best effort */
  }
}

function loudWarning(reason) {
  const lines = [
    '',
    '#'.repeat(78),
    '#  WARNING: the native TensorFlow backend (@tensorflow/tfjs-node) is NOT available.',
    '#',
    '#  Training will run on the WASM backend, which is MUCH slower.',
    `#  Reason: ${reason}`,
    '#',
    '#  To fix: make sure python3 with pip can `pip download tensorflow-cpu`, and that',
    '#  g++, make and the Node.js headers are installed, then re-run `pnpm install`',
    '#  (or `node scripts/install-tfjs-node.mjs --force`).',
    `#  Build log: ${path.relative(REPO, LOG_FILE) || LOG_FILE}`,
    '#'.repeat(78),
    '',
  ];
  for (const l of lines) console.error(`${TAG} ${l}`);
}

/** Runs a command; output goes to the log file. Resolves {code, out} and never rejects. */
function run(cmd, argv, { cwd = REPO, env = process.env, timeoutMs = 10 * 60_000, echo = false } = {}) {
  return new Promise((resolve) => {
    appendLog(`\n$ (cd ${cwd}) ${cmd} ${argv.join(' ')}\n`);
    let out = '';
    let child;
    try {
      // detached: own process group, so a timeout kills the whole tree we started.
      child = spawn(cmd, argv, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    } catch (err) {
      resolve({ code: -1, out: String(err) });
      return;
    }
    const onData = (d) => {
      const s = d.toString();
      out += s;
      if (out.length > 200_000) out = out.slice(-100_000);
      appendLog(s);
      if (echo) process.stdout.write(s.replace(/^(?=.)/gm, `${TAG}   `));
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      resolve({ code: -1, out: out + String(err) });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (timedOut) out += `\n(timed out after ${timeoutMs} ms)`;
      resolve({ code: timedOut ? -2 : (code ?? (signal ? -3 : 0)), out });
    });
  });
}

const tail = (s, n = 15) =>
  s
    .trim()
    .split('\n')
    .slice(-n)
    .map((l) => `    ${l}`)
    .join('\n');
/** The first error line of a child's output (the binding load failure), else its tail. */
const firstError = (s) =>
  s
    .split('\n')
    .find((l) => /^\w*Error\b/.test(l.trim()))
    ?.trim() ?? tail(s, 4);

// --------------------------------------------------------------------------------------------
// Locating the package and checking the binding

function findTfjsNode() {
  const from = [path.join(REPO, 'packages', 'agent', 'package.json'), path.join(REPO, 'package.json')];
  for (const f of from) {
    try {
      const pj = createRequire(f).resolve('@tensorflow/tfjs-node/package.json');
      return fs.realpathSync(path.dirname(pj));
    } catch {
      /* try the next */
    }
  }
  return null;
}

/** The binding location node-pre-gyp's `find` uses: module_path with the napi version chosen. */
function bindingInfo(pkgDir) {
  const pj = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8'));
  const bin = pj.binary || {};
  const napi = Number(process.versions.napi);
  const supported = (bin.napi_versions || []).filter((v) => v <= napi);
  const napiBuild = supported.length ? Math.max(...supported) : napi;
  const modulePath = String(bin.module_path || './lib/napi-v{napi_build_version}').replace(
    '{napi_build_version}',
    String(napiBuild),
  );
  const moduleName = bin.module_name || 'tfjs_binding';
  return {
    version: pj.version,
    napiBuild,
    moduleName,
    modulePath,
    file: path.resolve(pkgDir, modulePath, `${moduleName}.node`),
  };
}

/** Loads tfjs-node in a child node (from another cwd, to prove the rpath) and runs a tiny op. */
async function bindingWorks(pkgDir) {
  const code = `
    const tf = require(${JSON.stringify(pkgDir)});
    const a = tf.tensor2d([[1, 2], [3, 4]]);
    const y = Array.from(tf.matMul(a, a).dataSync());
    if (tf.getBackend() !== 'tensorflow') throw new Error('backend is ' + tf.getBackend());
    if (y.join() !== '7,10,15,22') throw new Error('matMul gave ' + y);
    console.log('OK ' + tf.version['tfjs-node'] + ' ' + tf.getBackend());`;
  const env = { ...process.env, TF_CPP_MIN_LOG_LEVEL: process.env.TF_CPP_MIN_LOG_LEVEL ?? '2' };
  const r = await run(process.execPath, ['-e', code], { cwd: os.tmpdir(), env, timeoutMs: 120_000 });
  return { ok: r.code === 0 && /^OK /m.test(r.out), out: r.out };
}

// --------------------------------------------------------------------------------------------
// A lock so that two concurrent installs do not fight over the cache or the package dir

async function withLock(fn) {
  fs.mkdirSync(CACHE, { recursive: true });
  const lock = path.join(CACHE, '.lock');
  const deadline = Date.now() + 20 * 60_000;
  let said = false;
  for (;;) {
    try {
      fs.mkdirSync(lock);
      fs.writeFileSync(path.join(lock, 'pid'), String(process.pid));
      break;
    } catch (err) {
      if (err.code !== 'EEXIST') throw err;
      let holder = NaN;
      try {
        holder = Number(fs.readFileSync(path.join(lock, 'pid'), 'utf8'));
      } catch {
        /* being created or removed */
      }
      let alive = false;
      if (holder > 0) {
        try {
          process.kill(holder, 0);
          alive = true;
        } catch (e) {
          alive = e.code === 'EPERM';
        }
      }
      const age = Date.now() - (fs.statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if ((holder > 0 && !alive) || (!(holder > 0) && age > 60_000) || Date.now() > deadline) {
        log(`removing stale lock ${path.relative(REPO, lock)}`);
        fs.rmSync(lock, { recursive: true, force: true });
        continue;
      }
      if (!said) log(`another install (pid ${holder}) is working on tfjs-node, waiting for it...`);
      said = true;
      await new Promise((r) => setTimeout(r, 2000));
    }
  }
  try {
    return await fn();
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}

// --------------------------------------------------------------------------------------------
// Stock install (internet download of libtensorflow + prebuilt addon)

async function tryStock(pkgDir) {
  if (process.env.VINEGYM_TFJS_NO_STOCK === '1') return false;
  const script = path.join(pkgDir, 'scripts', 'install.js');
  if (!fs.existsSync(script)) return false;
  const timeoutMs = Number(process.env.VINEGYM_TFJS_STOCK_TIMEOUT_MS || 60_000);
  log(`trying the stock install (scripts/install.js, downloads libtensorflow; timeout ${timeoutMs / 1000}s)...`);
  // install.js rewrites the package's package.json in place; make sure that file is not a
  // hard link into the pnpm store, so the store copy can never be altered.
  const pj = path.join(pkgDir, 'package.json');
  if (fs.statSync(pj).nlink > 1) {
    const tmp = `${pj}.tmp-${process.pid}`;
    fs.copyFileSync(pj, tmp);
    fs.renameSync(tmp, pj);
  }
  const original = fs.readFileSync(pj);
  const binDir = path.join(pkgDir, 'node_modules', '.bin');
  const env = { ...process.env, PATH: `${binDir}${path.delimiter}${process.env.PATH ?? ''}` };
  const r = await run(process.execPath, [script], { cwd: pkgDir, env, timeoutMs });
  if (!fs.readFileSync(pj).equals(original)) fs.writeFileSync(pj, original);
  if (r.code !== 0) {
    const why = r.out.match(/(ENOTFOUND|ECONNREFUSED|ETIMEDOUT|EAI_AGAIN|timed out)[^\n]*/)?.[0];
    log(`stock install failed (${why ?? `exit ${r.code}`}); building from the tensorflow-cpu wheel instead`);
    return false;
  }
  return true;
}

// --------------------------------------------------------------------------------------------
// The tensorflow-cpu wheel

function findPython() {
  const candidates = [process.env.VINEGYM_PYTHON, 'python3', 'python'].filter(Boolean);
  for (const py of candidates) {
    const r = spawnSync(py, ['-m', 'pip', '--version'], { encoding: 'utf8' });
    if (r.status === 0) return py;
  }
  return null;
}

const wheelVersion = (file) => path.basename(file).split('-')[1];

/** A complete extracted wheel in the cache matching the requirement, or null. */
function cachedTf(requirement) {
  if (!fs.existsSync(CACHE)) return null;
  const pin = requirement.match(/==\s*([\w.]+)\s*$/)?.[1];
  const dirs = fs
    .readdirSync(CACHE)
    .filter((d) => /^tensorflow-cpu-[\w.]+$/.test(d) && fs.existsSync(path.join(CACHE, d, 'complete.json')))
    .filter((d) => !pin || d === `tensorflow-cpu-${pin}`)
    .sort()
    .reverse();
  return dirs.length ? path.join(CACHE, dirs[0]) : null;
}

// Extracts only what the binding needs: the two libraries and the headers reachable by
// #include from the C API headers (tensorflow/c/*.h, tensorflow/c/eager/*.h) and from the
// binding's own sources. That is ~550 of the wheel's ~13,000 headers.
const EXTRACT_PY = String.raw`
import json, os, re, sys, zipfile
whl, dest, binding_dir = sys.argv[1], sys.argv[2], sys.argv[3]
P = 'tensorflow/include/'
LIBS = ['tensorflow/libtensorflow_cc.so.2', 'tensorflow/libtensorflow_framework.so.2']
inc_re = re.compile(r'^\s*#\s*include\s*[<"]([^">]+)[">]', re.M)
z = zipfile.ZipFile(whl)
info = {i.filename: i for i in z.infolist()}
for l in LIBS:
    if l not in info:
        sys.exit('wheel has no ' + l)
todo = [n[len(P):] for n in info if re.match(r'tensorflow/include/tensorflow/c/(eager/)?[^/]+\.h$', n)]
for f in os.listdir(binding_dir):
    if f.endswith(('.cc', '.h')):
        with open(os.path.join(binding_dir, f), encoding='utf8', errors='replace') as fh:
            todo += inc_re.findall(fh.read())
seen, headers = set(), []
while todo:
    h = os.path.normpath(todo.pop()).replace(os.sep, '/')
    if h in seen:
        continue
    seen.add(h)
    if P + h not in info:
        continue  # a system/std header or one of the binding's own
    headers.append(h)
    todo += inc_re.findall(z.read(P + h).decode('utf8', 'replace'))
if 'tensorflow/c/c_api.h' not in headers or 'tensorflow/c/eager/c_api.h' not in headers:
    sys.exit('wheel has no TensorFlow C API headers')
for h in headers:
    out = os.path.join(dest, 'include', h)
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with z.open(P + h) as src, open(out, 'wb') as dst:
        dst.write(src.read())
os.makedirs(os.path.join(dest, 'lib'), exist_ok=True)
for l in LIBS:
    out = os.path.join(dest, 'lib', os.path.basename(l))
    with z.open(l) as src, open(out, 'wb') as dst:
        while True:
            b = src.read(1 << 22)
            if not b:
                break
            dst.write(b)
print(json.dumps({'headers': len(headers)}))
`;

async function fetchTf(py, pkgDir) {
  const requested = process.env.VINEGYM_TF_WHEEL || DEFAULT_WHEEL;
  const hit = cachedTf(requested);
  if (hit) {
    log(`using cached TensorFlow C library: ${path.relative(REPO, hit)}`);
    return hit;
  }
  const wheels = path.join(CACHE, 'wheels');
  fs.rmSync(wheels, { recursive: true, force: true });
  fs.mkdirSync(wheels, { recursive: true });
  const requirements = [requested];
  if (requested !== 'tensorflow-cpu' && !process.env.VINEGYM_TF_WHEEL) requirements.push('tensorflow-cpu');
  let whl = null;
  for (const req of requirements) {
    log(`downloading the ${req} wheel with pip (~270 MB)...`);
    const r = await run(
      py,
      [
        '-m',
        'pip',
        'download',
        '--no-deps',
        '--only-binary=:all:',
        '--disable-pip-version-check',
        // pip's default of 5 retries with backoff costs ~8 s per unreachable index
        '--retries',
        process.env.VINEGYM_PIP_RETRIES || '1',
        '-d',
        wheels,
        req,
      ],
      { timeoutMs: 20 * 60_000 },
    );
    whl = fs.readdirSync(wheels).find((f) => f.endsWith('.whl'));
    if (r.code === 0 && whl) break;
    log(`pip download ${req} failed:\n${tail(r.out, 6)}`);
    whl = null;
  }
  if (!whl) throw new Error('could not download the tensorflow-cpu wheel with pip');
  const version = wheelVersion(whl);
  if (`tensorflow-cpu==${version}` !== DEFAULT_WHEEL) {
    log(`note: got tensorflow-cpu ${version}; the known-good one is ${DEFAULT_WHEEL.split('==')[1]}`);
  }
  const dest = path.join(CACHE, `tensorflow-cpu-${version}`);
  const tmp = `${dest}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  log(`extracting libtensorflow_cc.so.2, libtensorflow_framework.so.2 and the C API headers from ${whl}...`);
  const r = await run(py, ['-c', EXTRACT_PY, path.join(wheels, whl), tmp, path.join(pkgDir, 'binding')], {
    timeoutMs: 10 * 60_000,
  });
  if (r.code !== 0) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw new Error(`extracting the wheel failed:\n${tail(r.out)}`);
  }
  const stats = JSON.parse(r.out.trim().split('\n').pop());
  fs.writeFileSync(
    path.join(tmp, 'complete.json'),
    JSON.stringify({ wheel: whl, version, headers: stats.headers, date: new Date().toISOString() }, null, 2) + '\n',
  );
  fs.rmSync(dest, { recursive: true, force: true });
  fs.renameSync(tmp, dest);
  fs.rmSync(wheels, { recursive: true, force: true }); // the extracted files are the cache
  log(`cached ${stats.headers} headers and the libraries in ${path.relative(REPO, dest)} (${secs()})`);
  return dest;
}

// --------------------------------------------------------------------------------------------
// Placing the library and building the binding

/** Hard link (same filesystem, instant, no extra space) or else copy. */
function linkOrCopy(src, dst) {
  fs.rmSync(dst, { force: true });
  try {
    fs.linkSync(src, dst);
  } catch {
    fs.copyFileSync(src, dst, fs.constants.COPYFILE_FICLONE);
  }
}

function placeDeps(pkgDir, tfDir) {
  const deps = path.join(pkgDir, 'deps');
  fs.rmSync(deps, { recursive: true, force: true });
  const lib = path.join(deps, 'lib');
  fs.mkdirSync(lib, { recursive: true });
  linkOrCopy(path.join(tfDir, 'lib', 'libtensorflow_cc.so.2'), path.join(lib, 'libtensorflow_cc.so.2'));
  linkOrCopy(path.join(tfDir, 'lib', 'libtensorflow_framework.so.2'), path.join(lib, 'libtensorflow_framework.so.2'));
  // binding.gyp links -ltensorflow -ltensorflow_framework; the binding then records the
  // sonames (libtensorflow_cc.so.2, libtensorflow_framework.so.2) and finds them at run time
  // through its rpath $ORIGIN/../../deps/lib.
  fs.symlinkSync('libtensorflow_cc.so.2', path.join(lib, 'libtensorflow.so'));
  fs.symlinkSync('libtensorflow_framework.so.2', path.join(lib, 'libtensorflow_framework.so'));
  fs.cpSync(path.join(tfDir, 'include'), path.join(deps, 'include'), { recursive: true });
}

function findNodeGyp() {
  const candidates = [];
  if (process.env.npm_config_node_gyp) candidates.push(process.env.npm_config_node_gyp);
  for (const base of [path.join(REPO, 'package.json'), path.join(REPO, 'packages', 'agent', 'package.json')]) {
    try {
      candidates.push(createRequire(base).resolve('node-gyp/bin/node-gyp.js'));
    } catch {
      /* not a dependency */
    }
  }
  // The node-gyp that npm bundles, next to this node binary or wherever `npm` is.
  const prefix = path.resolve(path.dirname(process.execPath), '..');
  candidates.push(path.join(prefix, 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  candidates.push(
    path.join(path.dirname(process.execPath), 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  );
  const npmCli = spawnSync('npm', ['root', '-g'], { encoding: 'utf8', shell: process.platform === 'win32' });
  if (npmCli.status === 0 && npmCli.stdout.trim()) {
    candidates.push(path.join(npmCli.stdout.trim(), 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  }
  return candidates.find((c) => c.endsWith('.js') && fs.existsSync(c)) ?? null;
}

/** node-gyp would otherwise download the Node.js headers; use the local ones when present. */
function nodedirArgs() {
  if (process.env.npm_config_nodedir) return [`--nodedir=${process.env.npm_config_nodedir}`];
  const prefix = path.resolve(path.dirname(process.execPath), '..');
  if (
    fs.existsSync(path.join(prefix, 'include', 'node', 'node_api.h')) &&
    fs.existsSync(path.join(prefix, 'include', 'node', 'common.gypi'))
  ) {
    return [`--nodedir=${prefix}`];
  }
  return [];
}

function bindingCacheFile(pkgDir, tfDir) {
  const b = bindingInfo(pkgDir);
  const key = `tfjs-node-${b.version}_${path.basename(tfDir)}_napi${b.napiBuild}_${process.platform}-${process.arch}`;
  return path.join(CACHE, 'bindings', key, `${b.moduleName}.node`);
}

async function buildBinding(pkgDir, tfDir) {
  const b = bindingInfo(pkgDir);
  const cached = bindingCacheFile(pkgDir, tfDir);
  if (fs.existsSync(cached)) {
    log(`using cached binding ${path.relative(REPO, cached)}`);
    fs.mkdirSync(path.dirname(b.file), { recursive: true });
    linkOrCopy(cached, b.file);
    return;
  }
  const gyp = findNodeGyp();
  const gypCmd = gyp ? [process.execPath, [gyp]] : ['npx', ['--yes', 'node-gyp']];
  const jobs = String(Math.max(1, os.availableParallelism?.() ?? os.cpus().length));
  const argv = [
    ...gypCmd[1],
    'rebuild',
    `--jobs=${jobs}`,
    ...nodedirArgs(),
    '--',
    `-Dmodule_name=${b.moduleName}`,
    `-Dmodule_path=${b.modulePath.replace(/^\.\//, '')}`,
    `-Dnapi_build_version=${b.napiBuild}`,
  ];
  log(`building the binding with node-gyp (${gyp ?? 'npx node-gyp'}; ~30 s)...`);
  const r = await run(gypCmd[0], argv, { cwd: pkgDir, timeoutMs: 20 * 60_000 });
  if (r.code !== 0 || !fs.existsSync(b.file)) {
    throw new Error(`node-gyp failed (exit ${r.code}):\n${tail(r.out)}`);
  }
  fs.rmSync(path.join(pkgDir, 'build'), { recursive: true, force: true }); // ~objects, not needed
  fs.mkdirSync(path.dirname(cached), { recursive: true });
  fs.copyFileSync(b.file, `${cached}.tmp`);
  fs.renameSync(`${cached}.tmp`, cached);
  log(`built ${path.relative(pkgDir, b.file)} (${secs()})`);
}

// --------------------------------------------------------------------------------------------

async function main() {
  if (process.env.VINEGYM_SKIP_TFJS_NODE === '1') {
    log('VINEGYM_SKIP_TFJS_NODE=1: skipping');
    return;
  }
  const pkgDir = findTfjsNode();
  if (!pkgDir) {
    log('@tensorflow/tfjs-node is not installed (not a dependency of packages/agent?); nothing to do');
    return;
  }
  const b = bindingInfo(pkgDir);
  const force = args.has('--force');

  if (!force && fs.existsSync(b.file)) {
    const check = await bindingWorks(pkgDir);
    if (check.ok) {
      log(`binding ok (tfjs-node ${b.version}, backend 'tensorflow'), nothing to do (${secs()})`);
      return;
    }
    if (args.has('--check')) {
      console.error(`${TAG} binding does not load: ${firstError(check.out)}`);
      process.exitCode = 1;
      return;
    }
    log(`binding present but does not load (${firstError(check.out)}), rebuilding`);
  } else if (args.has('--check')) {
    console.error(`${TAG} no binding at ${b.file}`);
    process.exitCode = 1;
    return;
  }

  if (process.platform !== 'linux' || process.arch !== 'x64') {
    const ok = (await tryStock(pkgDir)) && (await bindingWorks(pkgDir)).ok;
    if (!ok)
      loudWarning(`no offline build recipe for ${process.platform}-${process.arch} and the stock install failed`);
    return;
  }

  await withLock(async () => {
    fs.writeFileSync(LOG_FILE, `tfjs-node install ${new Date().toISOString()} (${pkgDir})\n`);
    log(`setting up @tensorflow/tfjs-node ${b.version} in ${path.relative(REPO, pkgDir)}`);

    // Another install may have finished while we waited for the lock.
    if (!force && fs.existsSync(b.file) && (await bindingWorks(pkgDir)).ok) {
      log(`binding ok, nothing to do (${secs()})`);
      return;
    }

    // 1. stock install, unless the cache says we already went the wheel way
    const requested = process.env.VINEGYM_TF_WHEEL || DEFAULT_WHEEL;
    if (!cachedTf(requested) && (await tryStock(pkgDir))) {
      if ((await bindingWorks(pkgDir)).ok) {
        log(`stock install ok (${secs()})`);
        return;
      }
      log('stock install finished but the binding does not load; building from the wheel instead');
    }

    // 2. the wheel
    try {
      let tfDir = cachedTf(requested);
      if (!tfDir) {
        const py = findPython();
        if (!py) throw new Error('no python3 with pip found (needed to fetch the tensorflow-cpu wheel)');
        tfDir = await fetchTf(py, pkgDir);
      } else {
        log(`using cached TensorFlow C library: ${path.relative(REPO, tfDir)}`);
      }
      placeDeps(pkgDir, tfDir);
      log(`placed libtensorflow in ${path.relative(REPO, path.join(pkgDir, 'deps'))}`);
      await buildBinding(pkgDir, tfDir);
      let check = await bindingWorks(pkgDir);
      if (!check.ok && fs.existsSync(bindingCacheFile(pkgDir, tfDir))) {
        log('cached binding does not load, rebuilding it');
        fs.rmSync(bindingCacheFile(pkgDir, tfDir), { force: true });
        await buildBinding(pkgDir, tfDir);
        check = await bindingWorks(pkgDir);
      }
      if (!check.ok) throw new Error(`the built binding does not load: ${firstError(check.out)}\n${tail(check.out)}`);
      log(`done: tfjs-node uses the TensorFlow C library of ${path.basename(tfDir)} (${secs()})`);
    } catch (err) {
      appendLog(`\nFAILED: ${err?.stack ?? err}\n`);
      console.error(`${TAG} ${err?.message ?? err}`);
      loudWarning(String(err?.message ?? err).split('\n')[0]);
    }
  });
}

main()
  .catch((err) => {
    console.error(`${TAG} unexpected error: ${err?.stack ?? err}`);
    loudWarning(String(err?.message ?? err).split('\n')[0]);
  })
  .finally(() => {
    if (!args.has('--check')) process.exitCode = 0; // the install must never fail because of this
  });
