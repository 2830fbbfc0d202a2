// The peer of `mlnet-rewards generation-speed`: greedy decoding of a chat model folder's fixture prompts with ONNX Runtime
// driven from Node.js (npm's onnxruntime-node; ours runs the Microsoft.ML.OnnxRuntime NuGet package's native library),
// with the KV cache fed back from present.* to past_key_values.*, and the session options of our
// CausalLanguageModel. Checks every generated id against the fixture by the rule of our ReferenceGeneration.Verify (equal,
// or equal up to a near tie of the fixture's top-5 logits; exit 1 on any other mismatch) and prints the timings as
// JSON in the same shape as ours. Run it through scripts/bench-generation.sh, which installs onnxruntime-node first.
//
// node ort-node-generate.mjs --peer-dir DIR [--model-dir DIR] [--threads N] [--prompts N] [--warmup N]
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
  options: {
    'peer-dir': { type: 'string' },
    'model-dir': { type: 'string', default: '../shared/models/SmolLM2-135M-Instruct-q4' },
    threads: { type: 'string', default: '2' },
    prompts: { type: 'string', default: '0' },
    warmup: { type: 'string', default: '1' },
  },
});
if (!args['peer-dir']) {
  throw new Error('--peer-dir is required: the folder where scripts/install-node-peer.sh installed onnxruntime-node');
}

const threads = positiveInteger('threads', args.threads, 1);
const warmup = positiveInteger('warmup', args.warmup, 0);
const require = createRequire(join(resolve(args['peer-dir']), 'package.json'));
const ort = require('onnxruntime-node');
const ortVersion = require('onnxruntime-node/package.json').version;

const modelDir = resolve(args['model-dir']);
const fixture = JSON.parse(readFileSync(join(modelDir, 'fixture.json'), 'utf8'));
const promptLimit = positiveInteger('prompts', args.prompts, 0);
const generations = promptLimit > 0 ? fixture.generations.slice(0, promptLimit) : fixture.generations;
const { layers, kv_heads: kvHeads, head_dim: headDim, vocab_size: vocabulary, eos_token_id: eos } = fixture;

// Our CausalLanguageModel's session: OnnxSessionOptions { IntraOpThreads = threads, MemoryPattern = false } with the
// defaults of OnnxSession (graph optimisation "all", sequential execution, default inter-op threads, CPU arena on).
const loadStart = performance.now();
const session = await ort.InferenceSession.create(join(modelDir, 'model.onnx'), {
  executionProviders: ['cpu'],
  intraOpNumThreads: threads,
  graphOptimizationLevel: 'all',
  executionMode: 'sequential',
  enableMemPattern: false,
  enableCpuMemArena: true,
  logSeverityLevel: 3,
});
const loadMs = performance.now() - loadStart;

// Whole untimed passes over the prompts, as ours does.
for (let pass = 0; pass < warmup; pass++) {
  for (const reference of generations) {
    await generate(reference.prompt_ids, reference.steps.length);
  }
}

const prompts = [];
for (const [index, reference] of generations.entries()) {
  const expected = reference.steps.map((s) => s.token);
  const run = await generate(reference.prompt_ids, expected.length);
  const mismatch = expected.findIndex((token, i) => run.ids[i] !== token);
  const nearTie = mismatch >= 0 && mismatch < run.ids.length && isNearTie(reference.steps[mismatch], run.ids[mismatch]);
  if (!nearTie && (mismatch >= 0 || run.ids.length !== expected.length)) {
    const at = mismatch >= 0 ? mismatch : Math.min(run.ids.length, expected.length);
    console.error(`ort-node-generate: prompt ${index} ('${reference.messages.at(-1).content}') differs from the fixture at step ${at}: `
      + `expected ${JSON.stringify(expected)}, got ${JSON.stringify(run.ids)}`);
    process.exit(1);
  }

  prompts.push(speed(index, reference, run, nearTie ? mismatch : null));
}

const totals = prompts.reduce((t, p) => ({
  generated: t.generated + p.generatedTokens,
  prefillMs: t.prefillMs + p.prefillMs,
  decodeMs: t.decodeMs + p.decodeMs,
}), { generated: 0, prefillMs: 0, decodeMs: 0 });
console.log(JSON.stringify({
  runner: `onnxruntime-node ${ortVersion} (Node.js ${process.versions.node})`,
  onnxRuntimeVersion: ortVersion,
  threads,
  warmup,
  loadMs: round(loadMs),
  prompts,
  overall: {
    generatedTokens: totals.generated,
    prefillMs: round(totals.prefillMs),
    decodeMs: round(totals.decodeMs),
    decodeTokensPerSecond: round((totals.generated - prompts.length) / (totals.decodeMs / 1000)),
    totalTokensPerSecond: round(totals.generated / ((totals.prefillMs + totals.decodeMs) / 1000)),
  },
}, null, 2));

/** Greedy decoding of promptIds for at most maxNewTokens tokens, stopping at eos; times the prompt's run and the rest. */
async function generate(promptIds, maxNewTokens) {
  const start = performance.now();
  let past = [];
  for (let layer = 0; layer < layers; layer++) {
    const empty = new ort.Tensor('float32', new Float32Array(0), [1, kvHeads, 0, headDim]);
    past.push(empty, empty);
  }

  let outputs = await session.run(feeds(promptIds, 0, past));
  const prefillEnd = performance.now();
  let length = promptIds.length;
  const ids = [];
  for (;;) {
    const token = argmaxOfLastRow(outputs.logits);
    ids.push(token);
    if (token === eos || ids.length >= maxNewTokens) {
      break;
    }

    past = [];
    for (let layer = 0; layer < layers; layer++) {
      past.push(outputs[`present.${layer}.key`], outputs[`present.${layer}.value`]);
    }

    outputs = await session.run(feeds([token], length, past));
    length += 1;
  }

  const end = performance.now();
  return { ids, promptTokens: promptIds.length, prefillMs: prefillEnd - start, decodeMs: end - prefillEnd };
}

/** The inputs of one run: tokens at positions past.., an all-ones attention mask over past + new, and the cache. */
function feeds(tokens, pastLength, past) {
  const total = pastLength + tokens.length;
  const inputs = {
    input_ids: new ort.Tensor('int64', BigInt64Array.from(tokens, BigInt), [1, tokens.length]),
    attention_mask: new ort.Tensor('int64', new BigInt64Array(total).fill(1n), [1, total]),
    position_ids: new ort.Tensor('int64', BigInt64Array.from(tokens, (_, i) => BigInt(pastLength + i)), [1, tokens.length]),
  };
  for (let layer = 0; layer < layers; layer++) {
    inputs[`past_key_values.${layer}.key`] = past[2 * layer];
    inputs[`past_key_values.${layer}.value`] = past[(2 * layer) + 1];
  }

  return inputs;
}

function argmaxOfLastRow(logits) {
  const data = logits.data;
  const offset = data.length - vocabulary;
  let best = 0;
  let bestValue = data[offset];
  for (let i = 1; i < vocabulary; i++) {
    if (data[offset + i] > bestValue) {
      bestValue = data[offset + i];
      best = i;
    }
  }

  return best;
}

/** ReferenceGeneration.NearTieMargin: the runner took another of the fixture's top-5 tokens within 0.5 of its choice. */
function isNearTie(step, token) {
  const chosen = step.top5_ids.indexOf(step.token);
  const taken = step.top5_ids.indexOf(token);
  return chosen >= 0 && taken >= 0 && step.top5_logits[chosen] - step.top5_logits[taken] <= 0.5;
}

function speed(index, reference, run, departsAtNearTie) {
  const generated = run.ids.length;
  return {
    index,
    prompt: reference.messages.at(-1).content,
    promptTokens: run.promptTokens,
    generatedTokens: generated,
    prefillMs: round(run.prefillMs),
    decodeMs: round(run.decodeMs),
    decodeTokensPerSecond: round((generated - 1) / (run.decodeMs / 1000)),
    totalTokensPerSecond: round(generated / ((run.prefillMs + run.decodeMs) / 1000)),
    matchesFixture: departsAtNearTie === null,
    departsAtNearTie,
  };
}

function positiveInteger(name, text, minimum) {
  const value = Number(text);
  if (!Number.isInteger(value) || value < minimum) {
    throw new Error(`--${name} must be an integer >= ${minimum}, got '${text}'`);
  }

  return value;
}

function round(value) {
  return Math.round(value * 1000) / 1000;
}
