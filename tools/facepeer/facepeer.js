'use strict';

// facepeer runs face-api.js (npm @vladmandic/face-api) under Node on the face evaluation photos
// and prints the same figures as `ehrazctl eval face`, prefixed `eval.face.peer`, plus its speed:
//
//   node facepeer.js --data DIR [--backend wasm|cpu] [--detector ssd|tiny] [--iters 20]
//                    [--dump FILE] [--verbose] [--no-eval] [--no-speed] [--speed-photo FILE]
//
// DIR holds people.tsv (file<TAB>person, header line first; person "-" marks a group photo kept
// out of the pairs) and the photos. Each photo is reduced to 1024 px on its long side, as
// `ehrazctl eval face` does; its largest face gives its descriptor, and every pair of photos gives
// one Euclidean distance, genuine (same person) or impostor. Everything runs offline: the
// backend's .wasm file and the models come from the npm packages in node_modules.

const fs = require('fs');
const path = require('path');
const { performance } = require('perf_hooks');

function usage(msg) {
  if (msg) process.stderr.write(`facepeer: ${msg}\n`);
  process.stderr.write('usage: node facepeer.js --data DIR [--backend wasm|cpu] [--detector ssd|tiny] [--iters N] [--dump FILE] [--verbose] [--no-eval] [--no-speed] [--speed-photo FILE]\n');
  process.exit(2);
}

function parseArgs(argv) {
  const o = {
    data: path.join(process.env.SHARED || path.join(__dirname, '..', '..', '..', 'shared'), 'testdata', 'faces'),
    backend: 'wasm',
    detector: 'ssd',
    iters: 20,
    dump: '',
    verbose: false,
    eval: true,
    speed: true,
    speedPhoto: 'eunwoo.jpg', // the benchmark selfie of plugins/face/facecheck (goodSelfie)
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => {
      if (i + 1 >= argv.length) usage(`${a} needs a value`);
      i += 1;
      return argv[i];
    };
    switch (a) {
      case '--data': o.data = val(); break;
      case '--backend': o.backend = val(); break;
      case '--detector': o.detector = val(); break;
      case '--iters': o.iters = Number(val()); break;
      case '--dump': o.dump = val(); break;
      case '--speed-photo': o.speedPhoto = val(); break;
      case '--verbose': o.verbose = true; break;
      case '--no-eval': o.eval = false; break;
      case '--no-speed': o.speed = false; break;
      case '-h': case '--help': usage(''); break;
      default: usage(`unknown argument ${a}`);
    }
  }
  if (!['wasm', 'cpu'].includes(o.backend)) usage('--backend is wasm or cpu');
  if (!['ssd', 'tiny'].includes(o.detector)) usage('--detector is ssd or tiny');
  if (!(Number.isInteger(o.iters) && o.iters > 0)) usage('--iters is a positive integer');
  return o;
}

const opts = parseArgs(process.argv.slice(2));

// load_ms runs from here: loading tfjs and face-api (require_ms of it), the backend, the models.
const tStart = performance.now();
const faceapi = require('@vladmandic/face-api/dist/face-api.node-wasm.js');
const jpeg = require('jpeg-js');

const requireMs = performance.now() - tStart;

const { tf } = faceapi;
const MODEL_DIR = path.join(path.dirname(require.resolve('@vladmandic/face-api/package.json')), 'model');

// ---- statistics, as cmd/ehrazctl/evalface.go computes them ----

// nextDown is math.Nextafter(x, -Inf).
function nextDown(x) {
  if (Number.isNaN(x) || x === -Infinity) return x;
  if (x === 0) return -Number.MIN_VALUE;
  const f = new Float64Array([x]);
  const b = new BigInt64Array(f.buffer);
  b[0] += x > 0 ? -1n : 1n;
  return f[0];
}

function rates(genuine, impostor, th, target) {
  let fmr = 0;
  let fnmr = 0;
  for (const d of impostor) if (d <= th) fmr += 1;
  for (const d of genuine) if (d > th) fnmr += 1;
  if (impostor.length > 0) fmr /= impostor.length;
  if (genuine.length > 0) fnmr /= genuine.length;
  return { target, threshold: th, fmr, fnmr };
}

// atFMR: the largest threshold (accept when distance <= threshold) whose FMR stays <= target.
function atFMR(genuine, impostor, target) {
  const imp = [...impostor].sort((a, b) => a - b);
  const k = Math.floor(target * imp.length * (1 + 1e-9));
  const th = k < imp.length ? nextDown(imp[k]) : Infinity;
  return rates(genuine, impostor, th, target);
}

// atFNMR: the smallest threshold whose FNMR stays <= target.
function atFNMR(genuine, impostor, target) {
  const gen = [...genuine].sort((a, b) => a - b);
  if (gen.length === 0) return rates(genuine, impostor, Infinity, target);
  const k = Math.floor(target * gen.length * (1 + 1e-9));
  return rates(genuine, impostor, gen[Math.max(0, gen.length - 1 - k)], target);
}

function median(v) {
  if (v.length === 0) return NaN;
  const s = [...v].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

// f4 prints like Go's %.4f (including +Inf and NaN).
function f4(x) {
  if (x === Infinity) return '+Inf';
  if (x === -Infinity) return '-Inf';
  if (Number.isNaN(x)) return 'NaN';
  return x.toFixed(4);
}

function p50(v) {
  const s = [...v].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function rssMB() {
  return process.resourceUsage().maxRSS / 1024; // maxRSS is in kilobytes
}

// ---- images ----

function readPeople(dir) {
  const text = fs.readFileSync(path.join(dir, 'people.tsv'), 'utf8');
  const out = [];
  text.split(/\r?\n/).forEach((line, n) => {
    const cols = line.split('\t');
    if (n === 0 || cols.length < 2 || cols[0] === '') return;
    out.push({ file: cols[0], person: cols[1] });
  });
  return out;
}

// decodeJPEG returns an int32 [h, w, 3] tensor of the photo's RGB pixels.
function decodeJPEG(buf) {
  const img = jpeg.decode(buf, { useTArray: true, formatAsRGBA: false, maxResolutionInMP: 40, maxMemoryUsageInMB: 1024 });
  return tf.tensor3d(img.data, [img.height, img.width, 3], 'int32');
}

// shrink reduces an image tensor to at most side pixels on its long side (bilinear), as
// ehrazctl's faceShrinkJPEG does, and disposes of the input.
function shrink(t, side) {
  const [h, w] = t.shape;
  const l = Math.max(w, h);
  if (l <= side) return t;
  const nw = Math.floor((w * side) / l);
  const nh = Math.floor((h * side) / l);
  const out = tf.tidy(() => tf.image.resizeBilinear(t, [nh, nw]).round().clipByValue(0, 255).toInt());
  t.dispose();
  return out;
}

// frame640 builds plugins/face/facecheck's benchmark photo: the selfie at 1024, resized to
// 480x480 and drawn at x=80 on a 640x480 grey (120) frame, JPEG-encoded at quality 92.
function frame640(file) {
  const t = shrink(decodeJPEG(fs.readFileSync(file)), 1024);
  const rgb = tf.tidy(() => {
    const face = tf.image.resizeBilinear(t, [480, 480]).round().clipByValue(0, 255).toInt();
    return face.pad([[0, 0], [80, 80], [0, 0]], 120);
  });
  t.dispose();
  const px = rgb.dataSync();
  rgb.dispose();
  const rgba = Buffer.alloc(640 * 480 * 4);
  for (let i = 0, j = 0; i < px.length; i += 3, j += 4) {
    rgba[j] = px[i];
    rgba[j + 1] = px[i + 1];
    rgba[j + 2] = px[i + 2];
    rgba[j + 3] = 255;
  }
  return jpeg.encode({ data: rgba, width: 640, height: 480 }, 92).data;
}

// ---- face-api ----

function detectorOptions() {
  return opts.detector === 'ssd'
    ? new faceapi.SsdMobilenetv1Options({ minConfidence: 0.5, maxResults: 100 })
    : new faceapi.TinyFaceDetectorOptions({ inputSize: 416, scoreThreshold: 0.5 });
}

async function detect(t) {
  return faceapi.detectAllFaces(t, detectorOptions());
}

// describe runs the 68-point landmarks and the descriptor on given detections, through face-api's
// own task chain (the same code as detectAllFaces(...).withFaceLandmarks().withFaceDescriptors()).
async function describe(t, dets) {
  if (dets.length === 0) return [];
  const parent = Promise.resolve(dets.map((d) => faceapi.extendWithFaceDetection({}, d)));
  return new faceapi.DetectAllFaceLandmarksTask(parent, t, false).withFaceDescriptors();
}

function largest(results) {
  let best = null;
  for (const r of results) {
    const b = r.detection.box;
    if (!best || b.width * b.height > best.detection.box.width * best.detection.box.height) best = r;
  }
  return best;
}

// speed times the benchmark frame of plugins/face/facecheck (BenchmarkCheckSelfie's photo):
// JPEG decode, detection, then 68-point landmarks and descriptor, opts.iters times after a warm-up.
async function speed() {
  const frame = frame640(path.join(opts.data, opts.speedPhoto));
  const tw0 = performance.now();
  {
    const t = decodeJPEG(frame);
    const r = await describe(t, await detect(t));
    t.dispose();
    if (r.length !== 1) process.stderr.write(`facepeer: speed photo has ${r.length} faces\n`);
  }
  const warmMs = performance.now() - tw0;
  const dec = [];
  const det = [];
  const desc = [];
  const tot = [];
  for (let i = 0; i < opts.iters; i++) {
    const t0 = performance.now();
    const t = decodeJPEG(frame);
    const t1 = performance.now();
    const dets = await detect(t);
    const t2 = performance.now();
    await describe(t, dets);
    const t3 = performance.now();
    t.dispose();
    dec.push(t1 - t0);
    det.push(t2 - t1);
    desc.push(t3 - t2);
    tot.push(t3 - t0);
  }
  return `warmup_ms=${warmMs.toFixed(1)} decode_p50_ms=${p50(dec).toFixed(1)} detect_p50_ms=${p50(det).toFixed(1)} `
    + `descriptor_p50_ms=${p50(desc).toFixed(1)} total_p50_ms=${p50(tot).toFixed(1)} iters=${opts.iters} `
    + `photo=${opts.speedPhoto}@640x480 rss_speed_mb=${rssMB().toFixed(1)}`;
}

// evaluate describes every photo's largest face, compares every pair and prints the error rates.
async function evaluate(w) {
  const people = readPeople(opts.data);
  const photos = [];
  let group = null;
  const dump = {};
  for (const p of people) {
    const t = shrink(decodeJPEG(fs.readFileSync(path.join(opts.data, p.file))), 1024);
    const results = await describe(t, await detect(t));
    t.dispose();
    if (opts.verbose) {
      const sizes = results.map((r) => `${Math.round(r.detection.box.width)}x${Math.round(r.detection.box.height)}`).join(',');
      process.stderr.write(`facepeer: ${p.file} faces=${results.length} boxes=${sizes}\n`);
    }
    if (p.person === '-') {
      group = { file: p.file, faces: results.length };
      continue;
    }
    const best = largest(results);
    photos.push({ ...p, desc: best ? best.descriptor : null });
    if (best) {
      const b = best.detection.box;
      dump[p.file] = { box: [b.x, b.y, b.width, b.height], descriptor: Array.from(best.descriptor) };
    }
  }
  const genuine = [];
  const impostor = [];
  let unusable = 0;
  for (let i = 0; i < photos.length; i++) {
    for (let j = i + 1; j < photos.length; j++) {
      if (!photos[i].desc || !photos[j].desc) {
        unusable += 1;
        continue;
      }
      const d = faceapi.euclideanDistance(photos[i].desc, photos[j].desc);
      if (photos[i].person === photos[j].person) genuine.push(d);
      else impostor.push(d);
    }
  }
  if (opts.dump) fs.writeFileSync(opts.dump, `${JSON.stringify(dump, null, 1)}\n`);

  w(`data=${opts.data} photos=${photos.length} detector=${opts.detector === 'ssd' ? 'ssd_mobilenetv1' : 'tiny_face_detector'} faceapi=${faceapi.version} tfjs=${tf.version_core}`);
  w(`pairs.same=${genuine.length} pairs.different=${impostor.length} pairs.no_face=${unusable}`);
  w(`distance.same.median=${f4(median(genuine))} distance.different.median=${f4(median(impostor))}`);
  for (const t of [0.01, 0.001, 0]) {
    const op = atFMR(genuine, impostor, t);
    w(`target_fmr=${t} threshold=${f4(op.threshold)} fmr=${f4(op.fmr)} fnmr=${f4(op.fnmr)}`);
  }
  for (const t of [0.05, 0.01]) {
    const op = atFNMR(genuine, impostor, t);
    w(`target_fnmr=${t} threshold=${f4(op.threshold)} fmr=${f4(op.fmr)} fnmr=${f4(op.fnmr)}`);
  }
  // face-api's FaceMatcher default threshold, in place of the plugin's.
  {
    const op = rates(genuine, impostor, 0.6, 0);
    w(`faceapi.threshold=${f4(0.6)} fmr=${f4(op.fmr)} fnmr=${f4(op.fnmr)}`);
  }
  if (impostor.length > 0 && impostor.length < 1000) {
    w(`note=small_data min_resolvable_fmr=${f4(1 / impostor.length)}`);
  }
  if (group) w(`group=${group.file} faces=${group.faces}`);
}

async function main() {
  await tf.setBackend(opts.backend);
  await tf.ready();
  const detNet = opts.detector === 'ssd' ? faceapi.nets.ssdMobilenetv1 : faceapi.nets.tinyFaceDetector;
  await detNet.loadFromDisk(MODEL_DIR);
  await faceapi.nets.faceLandmark68Net.loadFromDisk(MODEL_DIR);
  await faceapi.nets.faceRecognitionNet.loadFromDisk(MODEL_DIR);
  const loadMs = performance.now() - tStart;
  let backendNote = `backend=${tf.getBackend()}`;
  if (tf.getBackend() === 'wasm') {
    const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
    const mt = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
    backendNote += ` wasm.simd=${simd} wasm.threads=${mt ? tf.getThreadsCount() : 1}`;
  }
  const w = (s) => process.stdout.write(`eval.face.peer ${s}\n`);
  // Speed first, while the process is fresh (its RSS then is the kiosk-like figure).
  const timing = opts.speed ? await speed() : '';
  if (opts.eval) await evaluate(w);
  w(`speed load_ms=${loadMs.toFixed(1)} require_ms=${requireMs.toFixed(1)} ${timing}${timing ? ' ' : ''}rss_peak_mb=${rssMB().toFixed(1)} ${backendNote}`);
}

main().catch((err) => {
  process.stderr.write(`facepeer: ${err && err.stack ? err.stack : err}\n`);
  process.exit(1);
});
