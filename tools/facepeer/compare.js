'use strict';

// compare prints `ehrazctl eval face` + `make face-bench` beside facepeer.js as one table:
//
//   node compare.js OURS_EVAL.txt OURS_BENCH.txt PEER.txt
//
// It reads `eval.face key=value ...`, `eval.face.peer key=value ...` and `BenchmarkX ... N unit`
// lines and ignores everything else.

const fs = require('fs');

function lines(file) {
  return fs.readFileSync(file, 'utf8').split(/\r?\n/);
}

// kv parses the `key=value` words of the lines with this prefix; a line whose first word is a bare
// word (e.g. `speed`) gets its keys namespaced by it.
function kv(file, prefix) {
  const out = [];
  for (const line of lines(file)) {
    const words = line.trim().split(/\s+/);
    if (words[0] !== prefix) continue;
    const m = {};
    let ns = '';
    for (const w of words.slice(1)) {
      const i = w.indexOf('=');
      if (i < 0) {
        ns = `${w}.`;
        continue;
      }
      m[ns + w.slice(0, i)] = w.slice(i + 1);
    }
    out.push(m);
  }
  return out;
}

function bench(file) {
  const out = {};
  for (const line of lines(file)) {
    const words = line.trim().split(/\s+/);
    if (!/^Benchmark/.test(words[0] || '')) continue;
    const name = words[0].replace(/^Benchmark/, '').replace(/-\d+$/, '');
    const m = {};
    for (let i = 2; i + 1 < words.length; i += 2) m[words[i + 1]] = Number(words[i]);
    out[name] = m;
  }
  return out;
}

function find(recs, pred) {
  return recs.find(pred) || {};
}

function fnmrAt(recs, t) {
  const r = find(recs, (m) => m.target_fmr === t);
  return r.fnmr === undefined ? '-' : `${r.fnmr} (th ${r.threshold}, fmr ${r.fmr})`;
}

function section(recs, data) {
  if (!data || !recs.some((m) => m.data === data)) return recs;
  let current;
  return recs.filter((m) => {
    if (m.data !== undefined) current = m.data;
    return current === data;
  });
}

function merged(recs) {
  return Object.assign({}, ...recs);
}

const [oursFile, benchFile, peerFile] = process.argv.slice(2);
if (!peerFile) {
  process.stderr.write('usage: node compare.js OURS_EVAL.txt OURS_BENCH.txt PEER.txt\n');
  process.exit(2);
}
const peer = kv(peerFile, 'eval.face.peer');
// `eval face` may run on several folders (make face-eval passes both shared sets), each section
// opened by its `eval.face data=DIR` line; the peer ran on one: compare that folder's section.
const ours = section(kv(oursFile, 'eval.face'), merged(peer).data);
const b = bench(benchFile);
const o = merged(ours);
const p = merged(peer);
const med = (m, which) => m[`distance.${which}.median`] ?? m[`distance.${which}.faceMedian`] ?? '-';
const num = (x, d = 1) => (x === undefined || Number.isNaN(Number(x)) ? '-' : Number(x).toFixed(d));
const rssOurs = Math.max(...Object.values(b).map((m) => m['peakRSS-MB'] || 0));

const rows = [
  ['photos / pairs same,different,no_face', `${o.photos ?? '-'} / ${o['pairs.same'] ?? '-'},${o['pairs.different'] ?? '-'},${o['pairs.no_face'] ?? '-'}`,
    `${p.photos ?? '-'} / ${p['pairs.same'] ?? '-'},${p['pairs.different'] ?? '-'},${p['pairs.no_face'] ?? '-'}`],
  ['FNMR at FMR 1%', fnmrAt(ours, '0.01'), fnmrAt(peer, '0.01')],
  ['FNMR at FMR 0.1%', fnmrAt(ours, '0.001'), fnmrAt(peer, '0.001')],
  ['FNMR at FMR 0', fnmrAt(ours, '0'), fnmrAt(peer, '0')],
  // ours compares descriptors scaled to unit length, face-api.js the raw ones: compare each
  // column's same-person median with its own different-person median, not across columns.
  ['distance median same (ours unit, peer raw)', med(o, 'same'), med(p, 'same')],
  ['distance median different', med(o, 'different'), med(p, 'different')],
  ['group photo faces', `${o.faces ?? '-'} (${o.group ?? '-'})`, `${p.faces ?? '-'} (${p.group ?? '-'})`],
  ['model load ms (p50)', num(b.ModelLoad?.['p50-ms']), num(p['speed.load_ms'])],
  // CheckSelfie: decode, BlazeFace, go-face (HOG, landmarks, descriptor) and the selfie rules. (MatchFaces is no per-photo figure: it caches descriptors of pictures seen before.)
  ['per photo p50 ms, 640x480', `${num(b.CheckSelfie?.['p50-ms'])} (CheckSelfie)`,
    `${num(p['speed.total_p50_ms'])} (decode ${num(p['speed.decode_p50_ms'])} + detect ${num(p['speed.detect_p50_ms'])} + landmarks/descriptor ${num(p['speed.descriptor_p50_ms'])})`],
  ['peak RSS MB', `${num(rssOurs)} (bench process)`, `${num(p['speed.rss_speed_mb'])} after speed; ${num(p['speed.rss_peak_mb'])} after all photos`],
  ['engine', 'go-face/dlib HOG + ResNet (converted), BlazeFace', `face-api ${p.faceapi ?? '?'} ${p.detector ?? ''} tfjs ${p.tfjs ?? '?'} ${p['speed.backend'] ?? ''}`],
];
const wk = Math.max(...rows.map((r) => r[0].length));
const wo = Math.max('ours'.length, ...rows.map((r) => r[1].length));
process.stdout.write(`${'metric'.padEnd(wk)} | ${'ours'.padEnd(wo)} | face-api.js\n`);
process.stdout.write(`${'-'.repeat(wk)}-+-${'-'.repeat(wo)}-+-${'-'.repeat(11)}\n`);
for (const [k, a, c] of rows) process.stdout.write(`${k.padEnd(wk)} | ${a.padEnd(wo)} | ${c}\n`);
