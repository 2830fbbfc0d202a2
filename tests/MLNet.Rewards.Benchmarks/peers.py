"""The peers' side of the MLNet.Rewards benchmark: PyTorch and scikit-learn on the same .npy files.

Run by the benchmark (tests/MLNet.Rewards.Benchmarks) with Debian's /usr/bin/python3; prints one JSON object on stdout.
  mlp:    a Bradley-Terry MLP D -> 1024 -> 512 -> 1 in PyTorch: AdamW, the same learning rate, weight decay, batch size,
          epochs and thread count as our side, loss softplus(-(r_c - r_r)) (= BCE of sigmoid(margin) against 1).
  linear: scikit-learn LogisticRegression(fit_intercept=False) on the difference of embeddings (every other pair flipped
          so that both classes occur; with no intercept this is exactly the Bradley-Terry model of a linear reward).
"""
import argparse
import json
import os
import pickle
import resource
import statistics
import sys
import tempfile
import time

import numpy as np


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--workload", required=True, help="folder with train_chosen.npy, train_rejected.npy, test_chosen.npy, test_rejected.npy")
    parser.add_argument("--task", choices=["mlp", "linear"], required=True)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--learning-rate", type=float, default=1e-3)
    parser.add_argument("--weight-decay", type=float, default=1e-2)
    parser.add_argument("--hidden", type=int, nargs="+", default=[1024, 512])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repetitions", type=int, default=3)
    parser.add_argument("--single-pairs", type=int, default=1000, help="pairs scored one request at a time")
    parser.add_argument("--inverse-regularization", type=float, default=1.0, help="LogisticRegression's C")
    return parser.parse_args()


def load(folder):
    return {name: np.load(os.path.join(folder, name + ".npy")) for name in ("train_chosen", "train_rejected", "test_chosen", "test_rejected")}


def accuracy(chosen_rewards, rejected_rewards):
    margin = np.asarray(chosen_rewards, dtype=np.float64) - np.asarray(rejected_rewards, dtype=np.float64)
    return float(np.mean((margin > 0) + 0.5 * (margin == 0)))


def blas_description():
    try:
        from threadpoolctl import threadpool_info
        return "; ".join(f"{p.get('internal_api')} {p.get('version')} {p.get('architecture', '')} x{p.get('num_threads')}" for p in threadpool_info())
    except ImportError:
        return "threadpoolctl not installed"


def run_mlp(args, data, result):
    import torch
    torch.set_num_threads(args.threads)
    result["peer"] = f"PyTorch {torch.__version__}"
    result["kernel"] = f"{blas_description()}; mkldnn={torch.backends.mkldnn.is_available()}; cpu capability {torch.backends.cpu.get_cpu_capability() if hasattr(torch.backends, 'cpu') else 'n/a'}"
    x_chosen = torch.from_numpy(data["train_chosen"])
    x_rejected = torch.from_numpy(data["train_rejected"])
    test_chosen = torch.from_numpy(data["test_chosen"])
    test_rejected = torch.from_numpy(data["test_rejected"])
    n, d = x_chosen.shape

    def build():
        layers, previous = [], d
        for size in args.hidden:
            layers += [torch.nn.Linear(previous, size), torch.nn.ReLU()]
            previous = size
        layers.append(torch.nn.Linear(previous, 1))
        return torch.nn.Sequential(*layers)

    times, accuracies, model = [], [], None
    for repetition in range(args.repetitions):
        torch.manual_seed(repetition)
        model = build()
        optimizer = torch.optim.AdamW(model.parameters(), lr=args.learning_rate, weight_decay=args.weight_decay)
        start = time.perf_counter()
        for _ in range(args.epochs):
            order = torch.randperm(n)
            for first in range(0, n, args.batch_size):
                batch = order[first:first + args.batch_size]
                margin = model(x_chosen[batch]).squeeze(1) - model(x_rejected[batch]).squeeze(1)
                loss = torch.nn.functional.softplus(-margin).mean()
                optimizer.zero_grad(set_to_none=True)
                loss.backward()
                optimizer.step()
        times.append(time.perf_counter() - start)
        with torch.no_grad():
            accuracies.append(accuracy(model(test_chosen).squeeze(1).numpy(), model(test_rejected).squeeze(1).numpy()))
    result["train_seconds"] = times
    result["accuracies"] = accuracies

    model.eval()
    pairs = min(args.single_pairs, test_chosen.shape[0])
    interleaved = torch.stack([test_chosen[:pairs], test_rejected[:pairs]], dim=1).reshape(2 * pairs, d).contiguous()
    single, batched = [], []
    with torch.no_grad():
        for repetition in range(-1, args.repetitions):  # -1 warms up and is not timed, as on our side
            start = time.perf_counter()
            for i in range(pairs):
                rewards = model(interleaved[2 * i:2 * i + 2])
                _ = float(rewards[0, 0] - rewards[1, 0])
            single_seconds = time.perf_counter() - start
            start = time.perf_counter()
            _ = model(x_chosen).squeeze(1) - model(x_rejected).squeeze(1)
            if repetition >= 0:
                single.append(pairs / single_seconds)
                batched.append(n / (time.perf_counter() - start))
    result["score_single_pairs_per_second"] = single
    result["score_batched_pairs_per_second"] = batched

    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "model.pt")
        torch.save(model.state_dict(), path)
        loads = []
        for repetition in range(-1, args.repetitions):  # -1 warms up and is not timed, as on our side
            start = time.perf_counter()
            loaded = build()
            loaded.load_state_dict(torch.load(path))
            if repetition >= 0:
                loads.append(time.perf_counter() - start)
    result["load_seconds"] = loads


def run_linear(args, data, result):
    import sklearn
    from sklearn.linear_model import LogisticRegression
    result["peer"] = f"scikit-learn {sklearn.__version__}"
    try:
        from threadpoolctl import threadpool_limits
        limits = threadpool_limits(limits=args.threads)
    except ImportError:
        limits = None
    result["kernel"] = blas_description()
    chosen, rejected = data["train_chosen"], data["train_rejected"]
    n, d = chosen.shape
    times, accuracies, model = [], [], None
    for repetition in range(args.repetitions):
        start = time.perf_counter()
        # The input a scikit-learn user builds: differences, every other one flipped, labels 1/0.
        sign = np.where(np.arange(n) % 2 == 0, 1.0, -1.0).astype(np.float32)[:, None]
        features = (chosen - rejected) * sign
        labels = (sign[:, 0] > 0).astype(np.int64)
        model = LogisticRegression(fit_intercept=False, C=args.inverse_regularization, max_iter=1000, random_state=repetition)
        model.fit(features, labels)
        times.append(time.perf_counter() - start)
        weights = model.coef_[0].astype(np.float32)
        accuracies.append(accuracy(data["test_chosen"] @ weights, data["test_rejected"] @ weights))
        result["iterations"] = int(model.n_iter_[0])
    result["train_seconds"] = times
    result["accuracies"] = accuracies

    weights = model.coef_[0].astype(np.float32)
    pairs = min(args.single_pairs, data["test_chosen"].shape[0])
    interleaved = np.ascontiguousarray(np.stack([data["test_chosen"][:pairs], data["test_rejected"][:pairs]], axis=1).reshape(2 * pairs, d))
    single, batched = [], []
    for repetition in range(-1, args.repetitions):  # -1 warms up and is not timed, as on our side
        start = time.perf_counter()
        for i in range(pairs):
            rewards = model.decision_function(interleaved[2 * i:2 * i + 2])
            _ = float(rewards[0] - rewards[1])
        single_seconds = time.perf_counter() - start
        start = time.perf_counter()
        _ = chosen @ weights - rejected @ weights
        if repetition >= 0:
            single.append(pairs / single_seconds)
            batched.append(n / (time.perf_counter() - start))
    result["score_single_pairs_per_second"] = single
    result["score_batched_pairs_per_second"] = batched

    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "model.pkl")
        with open(path, "wb") as file:
            pickle.dump(model, file)
        loads = []
        for repetition in range(-1, args.repetitions):
            start = time.perf_counter()
            with open(path, "rb") as file:
                pickle.load(file)
            if repetition >= 0:
                loads.append(time.perf_counter() - start)
    result["load_seconds"] = loads
    if limits is not None:
        limits.restore_original_limits()


def main():
    args = parse_args()
    data = load(args.workload)
    result = {"side": "peer", "task": args.task}
    (run_mlp if args.task == "mlp" else run_linear)(args, data, result)
    result["peak_rss_bytes"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    result["median_train_seconds"] = statistics.median(result["train_seconds"])
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
