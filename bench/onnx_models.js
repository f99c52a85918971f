#!/usr/bin/env node
// The ONNX Runtime peer of bench_models' inference (issue 18): torchvision's
// networks as exported by bench/export_onnx_models.py, run by onnxruntime-node
// (bench/install_onnx_peer.sh) on the CPU execution provider with the given
// number of intra-op threads, one inter-op thread, every graph optimisation
// and sequential execution. Before timing a model it runs the export's check
// batch and refuses (exit 1) when the logits are not torch's: a benchmark of
// a wrong graph means nothing. Times session.run over the check batch as
// torch_models.py times its inference (warm-up, then the median of repeats)
// and prints one JSON object in torch_models.py's shape, inference only.
// Usage: node bench/onnx_models.js --models-dir DIR [--peer DIR] [--models a,b]
//          [--threads 2] [--batch 16] [--size 148] [--warmup 1] [--repeats 5]
'use strict';
const fs = require('fs');
const path = require('path');

// ONNX Runtime's fusions (convolution with batch norm and activation) and its
// own summation orders move fp32 logits by about 1e-6 of the largest one; a
// wrong graph (a missing layer, the wrong mode) moves them by far more.
const LOGITS_RTOL = 1e-3;

function options(argv) {
  const o = {peer: path.join(__dirname, '.onnx-peer'), modelsDir: null,
             models: 'densenet121,efficientnet_b4,resnet50,resnet34',
             threads: 2, batch: 16, size: 148, warmup: 1, repeats: 5};
  const names = {'--peer': 'peer', '--models-dir': 'modelsDir', '--models': 'models', '--threads': 'threads',
                 '--batch': 'batch', '--size': 'size', '--warmup': 'warmup', '--repeats': 'repeats'};
  for (let i = 0; i < argv.length; i += 2) {
    const key = names[argv[i]];
    if (!key || i + 1 >= argv.length) usage(`bad argument ${argv[i]}`);
    o[key] = typeof o[key] === 'number' ? Number(argv[i + 1]) : argv[i + 1];
    if (Number.isNaN(o[key])) usage(`${argv[i]} needs a number, got ${argv[i + 1]}`);
  }
  if (!o.modelsDir) usage('--models-dir is required');
  if (o.repeats < 1) usage('--repeats must be at least 1');
  return o;
}

function usage(why) {
  console.error(`onnx_models.js: ${why}\nusage: node bench/onnx_models.js --models-dir DIR [--peer DIR] ` +
                '[--models a,b] [--threads N] [--batch N] [--size N] [--warmup N] [--repeats N]');
  process.exit(2);
}

function fail(why) {
  console.error(`onnx_models.js: ${why}`);
  process.exit(1);
}

function readFile(file) {
  if (!fs.existsSync(file)) fail(`${file} not found: run bench/export_onnx_models.py first`);
  return fs.readFileSync(file);
}

// The export's check batch: its input tensor and torch's logits for it.
function checkBatch(ort, stem) {
  const ref = JSON.parse(readFile(`${stem}.json`));
  const bytes = readFile(`${stem}.input.f32`);
  const count = ref.input_shape.reduce((a, b) => a * b, 1);
  if (bytes.length !== 4 * count) {
    fail(`${stem}.input.f32 holds ${bytes.length} bytes, its shape [${ref.input_shape}] needs ${4 * count}`);
  }
  // Copied out of the Buffer: a Float32Array view needs 4-byte alignment.
  const data = new Float32Array(count);
  Buffer.from(data.buffer).set(bytes);
  return {input: new ort.Tensor('float32', data, ref.input_shape), logits: ref.logits};
}

function refuseWrongGraph(name, logits, reference) {
  if (logits.length !== reference.length) {
    fail(`${name}: ONNX Runtime gives ${logits.length} logits, torch ${reference.length}: not timed`);
  }
  let diff = 0, largest = 0;
  for (let i = 0; i < logits.length; ++i) {
    diff = Math.max(diff, Math.abs(logits[i] - reference[i]));
    largest = Math.max(largest, Math.abs(reference[i]));
  }
  const relative = diff / Math.max(largest, Number.MIN_VALUE);
  console.error(`${name}: ONNX Runtime's logits against torch's: max abs diff ${diff.toExponential(2)} ` +
                `(${relative.toExponential(2)} of the largest, limit ${LOGITS_RTOL})`);
  if (!(relative <= LOGITS_RTOL)) fail(`${name}: the exported graph does not compute torch's logits: not timed`);
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

async function measure(ort, o, name) {
  const stem = path.join(o.modelsDir, `${name}-${o.batch}x3x${o.size}x${o.size}`);
  const session = await ort.InferenceSession.create(readFile(`${stem}.onnx`), {
    executionProviders: ['cpu'], intraOpNumThreads: o.threads, interOpNumThreads: 1,
    graphOptimizationLevel: 'all', executionMode: 'sequential'});
  const batch = checkBatch(ort, stem);
  const feeds = {[session.inputNames[0]]: batch.input};
  const run = async () => (await session.run(feeds))[session.outputNames[0]];
  refuseWrongGraph(name, (await run()).data, batch.logits);
  for (let i = 0; i < o.warmup; ++i) await run();
  const times = [];
  for (let i = 0; i < o.repeats; ++i) {
    const t0 = performance.now();
    await run();
    times.push((performance.now() - t0) / 1000);
  }
  await session.release();
  return {inference_images_per_s: batch.input.dims[0] / median(times)};
}

async function main() {
  const o = options(process.argv.slice(2));
  const pkg = path.join(o.peer, 'node_modules', 'onnxruntime-node');
  if (!fs.existsSync(pkg)) fail(`${pkg} not found: run bench/install_onnx_peer.sh ${o.peer}`);
  const ort = require(pkg);
  const out = {peer: `onnxruntime-node ${require(path.join(pkg, 'package.json')).version}`,
               where: `${o.threads} CPU threads`, threads: o.threads, models: {}};
  for (const name of o.models.split(',')) out.models[name] = await measure(ort, o, name);
  console.log(JSON.stringify(out));
}

main().catch((e) => fail(e.message));
