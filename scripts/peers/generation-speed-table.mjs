// Sets the runs of scripts/bench-generation.sh side by side: reads RUNS/ours-<r>.json and RUNS/peer-<r>.json (the JSON of
// `mlnet-rewards-experiments generation-speed --json` and of ort-node-generate.mjs), RUNS/machine.json (the command, CPU, load) and
// the fixture's recorded Python timings, and prints a Markdown page with per-prompt medians and ratios ours / peer.
//
// node generation-speed-table.mjs --runs DIR --fixture FILE [--kept]   (--kept: DIR stays, so the page names it)
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string' },
    fixture: { type: 'string' },
    kept: { type: 'boolean', default: false },
  },
});
if (!args.runs || !args.fixture) {
  throw new Error('--runs and --fixture are required');
}

const read = (file) => JSON.parse(readFileSync(join(args.runs, file), 'utf8'));
const repetitions = readdirSync(args.runs).filter((f) => /^ours-\d+\.json$/.test(f)).map((f) => Number(f.match(/\d+/)[0])).sort((a, b) => a - b);
if (repetitions.length === 0) {
  throw new Error(`no ours-<r>.json in ${args.runs}`);
}

const ours = repetitions.map((r) => read(`ours-${r}.json`));
const peer = repetitions.map((r) => read(`peer-${r}.json`));
const machine = read('machine.json');
const fixtureFile = JSON.parse(readFileSync(args.fixture, 'utf8'));
const fixture = fixtureFile.generations;

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};
const f = (value, digits = 1) => value.toFixed(digits);
// Each repetition ran ours and the peer back to back, so the ratio is taken within a repetition, then the median.
const pairedRatio = (pick) => median(repetitions.map((_, i) => pick(ours[i]) / pick(peer[i])));

const lines = [];
const out = (line = '') => lines.push(line);
out(`<!-- written by: ${machine.command} -->`);
out('# Generation speed: our runner against ONNX Runtime driven from Node.js');
out();
const timed = ours[0].prompts;
const stops = timed.filter((p, i) => fixture[i].steps.at(-1).token === fixtureFile.eos_token_id).length;
out(`Greedy decoding of ${timed.length === fixture.length ? 'all' : timed.length === 1 ? 'the first of the' : `the first ${timed.length} of the`} ${fixture.length} fixture prompts of \`../shared/models/SmolLM2-135M-Instruct-q4\``);
out(`(batch 1, KV cache), each decoded to the fixture's length: ${timed.map((p) => p.generatedTokens).join(', ')} new tokens (${stops} ending with \`<|im_end|>\`).`);
out('Both runners start from the fixture\'s prompt ids and both check every generated id against the fixture (a mismatch');
const departures = [...ours, ...peer].flatMap((r) => r.prompts).filter((p) => p.departsAtNearTie != null);
out(departures.length === 0
  ? 'ends the run with an error): every run below reproduced the fixture exactly.'
  : 'ends the run with an error). On this CPU some runs reproduced the fixture only up to a near tie of its logits (ONNX Runtime\'s '
    + '4-bit kernels differ by instruction set): ' + [...new Set(departures.map((p) => `prompt ${p.index} at step ${p.departsAtNearTie}`))].join(', ') + '.');
out();
const overall = (runs, key) => median(runs.map((r) => r.overall[key]));
out(`**In short**: over all prompts, ours ${f(overall(ours, 'totalTokensPerSecond'))} and the peer ${f(overall(peer, 'totalTokensPerSecond'))} total tokens/s (median), `
  + `paired ratio ours / peer ${f(pairedRatio((r) => r.overall.totalTokensPerSecond), 2)}; decoding ${f(pairedRatio((r) => r.overall.decodeTokensPerSecond), 2)}; `
  + `prefill time ${f(pairedRatio((r) => r.overall.prefillMs), 2)} (below 1: ours is faster). Measured while other processes used ${machine.others ?? 'an unrecorded amount of CPU'}.`);
out();
out('The issue asks for ONNX Runtime driven from Python. Python\'s onnxruntime could not be installed where this page was');
out('made (no access to PyPI; Debian has no onnxruntime package), so the peer is ONNX Runtime driven from another scripting');
out('runtime, Node.js, through npm\'s onnxruntime-node, the package our own native library comes from. The fixture\'s Python');
out('figure is quoted as a third column.');
out();
out(`- **ours**: ${ours[0].runner}: \`mlnet-rewards-experiments generation-speed\` (TextGenerator over CausalLanguageModel, the code path of \`generate\`).`);
out(`- **peer**: ${peer[0].runner}: \`scripts/peers/ort-node-generate.mjs\`, ONNX Runtime's native library from npm's onnxruntime-node ${peer[0].onnxRuntimeVersion} (ours runs ONNX Runtime ${ours[0].onnxRuntimeVersion} from the Microsoft.ML.OnnxRuntime NuGet package) and the same session options: ${ours[0].threads} intra-op threads, graph optimisation "all", sequential execution, memory pattern off, CPU arena on. The KV cache is fed back from \`present.*\` to \`past_key_values.*\` and the next token is an argmax over the last logits row, in JavaScript.`);
out(`- **Python ORT (fixture)**: \`tokens_per_second_python_ort\` recorded in the model folder's \`fixture.json\` by ONNX Runtime ${fixtureFile.onnxruntime} from Python, measured elsewhere when the fixture was made (2 threads, while another process used the cores, as the folder\'s README says; how it splits prefill and decoding is not recorded). For reference only: it was not measured by this command.`);
out();
out(args.kept
  ? `Raw timings: \`${args.runs}\` (one JSON file per program and repetition).`
  : 'Raw timings: not kept (`bash scripts/bench-generation.sh --runs DIR` keeps one JSON file per program and repetition in DIR).');
out();
out(`Machine: ${machine.cpu}, ${machine.cores} cores; load average (1, 5, 15 min) ${machine.loadStart} at the start and ${machine.loadEnd} at the end (this benchmark alone keeps about 2 threads busy); other processes used ${machine.others ?? 'an unrecorded amount of CPU'} while it ran; ${machine.date}.`);
out();
out(`${repetitions.length} repetition${repetitions.length === 1 ? '' : 's'}, interleaved: each repetition runs both programs once (odd repetitions ours first, even ones the peer first); each program loads the model, ${ours[0].warmup === 0 ? 'runs no warm-up' : `decodes every timed prompt ${ours[0].warmup === 1 ? 'once' : `${ours[0].warmup} times`} untimed as a warm-up`}, then times each prompt once. (A warm-up of a whole pass matters for ours: in a process's first few dozen model calls .NET's tiered JIT recompiles hot framework methods in a background thread that competes with ONNX Runtime's two threads; a warm-up of only the first prompt left that slowdown on the next prompt timed.) Figures are medians over the repetitions; ratios are the median of the per-repetition ratios ours / peer (> 1: ours is faster for tokens/s; < 1: ours is faster for prefill ms).`);
out();
out('| prompt | prompt tokens | new tokens | prefill ms: ours | peer | ours / peer | decode tokens/s: ours | peer | ours / peer | total tokens/s: ours | peer | ours / peer | Python ORT tokens/s (fixture) |');
out('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const [i, prompt] of ours[0].prompts.entries()) {
  const o = (run) => run.prompts[i];
  out(`| ${prompt.prompt} | ${prompt.promptTokens} | ${prompt.generatedTokens} | `
    + `${f(median(ours.map((r) => o(r).prefillMs)))} | ${f(median(peer.map((r) => o(r).prefillMs)))} | ${f(pairedRatio((r) => o(r).prefillMs), 2)} | `
    + `${f(median(ours.map((r) => o(r).decodeTokensPerSecond)))} | ${f(median(peer.map((r) => o(r).decodeTokensPerSecond)))} | ${f(pairedRatio((r) => o(r).decodeTokensPerSecond), 2)} | `
    + `${f(median(ours.map((r) => o(r).totalTokensPerSecond)))} | ${f(median(peer.map((r) => o(r).totalTokensPerSecond)))} | ${f(pairedRatio((r) => o(r).totalTokensPerSecond), 2)} | `
    + `${f(fixture[i].tokens_per_second_python_ort)} |`);
}

const all = (run) => run.overall;
const fixtureOverall = fixture.slice(0, ours[0].prompts.length).map((g) => g.tokens_per_second_python_ort);
out(`| **all prompts** | | ${all(ours[0]).generatedTokens} | `
  + `${f(median(ours.map((r) => all(r).prefillMs)))} | ${f(median(peer.map((r) => all(r).prefillMs)))} | ${f(pairedRatio((r) => all(r).prefillMs), 2)} | `
  + `${f(median(ours.map((r) => all(r).decodeTokensPerSecond)))} | ${f(median(peer.map((r) => all(r).decodeTokensPerSecond)))} | ${f(pairedRatio((r) => all(r).decodeTokensPerSecond), 2)} | `
  + `${f(median(ours.map((r) => all(r).totalTokensPerSecond)))} | ${f(median(peer.map((r) => all(r).totalTokensPerSecond)))} | ${f(pairedRatio((r) => all(r).totalTokensPerSecond), 2)} | `
  + `${Math.min(...fixtureOverall) === Math.max(...fixtureOverall) ? f(fixtureOverall[0]) : `${f(Math.min(...fixtureOverall))}-${f(Math.max(...fixtureOverall))}`} |`);
out();
const jit = ours.map((run) => run.prompts.reduce((sum, p) => sum + (p.jitMs ?? 0), 0));
out(`.NET JIT compilation during ours' timed prompts (all prompts of a repetition): median ${f(median(jit))} ms, at most ${f(Math.max(...jit))} ms.`);
out();
out('Prefill ms: the prompt\'s run, which also yields the first new token. Decode tokens/s: the tokens after the first over the time after the prompt\'s run (one model call each). Total tokens/s: all new tokens over the whole generation. The "all prompts" row adds the timed prompts up (tokens over time) within a repetition.');
out();
out('Every repetition (all prompts, total tokens/s; the order they ran in):');
out();
out('| repetition | first | ours | peer | ours / peer | ours model load ms | peer model load ms |');
out('| ---: | --- | ---: | ---: | ---: | ---: | ---: |');
for (const [i, r] of repetitions.entries()) {
  out(`| ${r} | ${r % 2 ? 'ours' : 'peer'} | ${f(all(ours[i]).totalTokensPerSecond)} | ${f(all(peer[i]).totalTokensPerSecond)} | ${f(all(ours[i]).totalTokensPerSecond / all(peer[i]).totalTokensPerSecond, 2)} | ${f(ours[i].loadMs, 0)} | ${f(peer[i].loadMs, 0)} |`);
}

out();
out('The machine is shared: a run during which another process takes one of the cores leaves ONNX Runtime\'s intra-op threads waiting for each other and runs far slower; when that happens to only one program of a repetition, the last table shows an outlying ratio. Paired ratios and medians are meant to absorb such repetitions; the CPU time of other processes above says how busy the machine was.');
out();
out(`Rerun: \`${machine.command}\` (installs the Node.js peer into ~/.cache/mlnet-rewards/node-peer on first use; this run's timed part took ${machine.seconds ?? '?'} s). GenARM's overhead per token is measured by \`generation-bench\` (docs/generation.md).`);
console.log(lines.join('\n'));
