"""Command line: ``python -m lstm_helpers.charlm {train,ngram,sample,manifest}``.

- ``train``: flags from :class:`~.training.Config` (``--hidden-size``, ``--max-chars``, ...);
  writes ``OUT/record.json``, ``OUT/checkpoint.pt`` (resumable: ``--resume``) and
  ``OUT/weights.pt`` (the state dict, the vocabulary and the config: what the book ships).
- ``ngram``: fits the unigram and Kneser-Ney models of every order up to ``--max-order`` on the
  training files and scores them on the validation and test files (``--out FILE``: JSON).
- ``sample``: text from the shipped model (or ``--weights FILE``).
- ``analyse``: bits per character of the LSTM and the n-gram on the test files, per group of
  characters (closing brackets, quotes, indentation, ...; ``--out FILE``: JSON).
- ``manifest``: writes this machine's manifest (``--out FILE``).
Many seeds or sizes at once: ``python -m lstm_helpers.sweep charlm --set hidden_size=128,256``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import torch

from .. import records
from ..experiment import add_config_flags, config_from_args

__all__ = ["main"]

PROG = "python -m lstm_helpers.charlm"
HELPS = {
    "hidden_size": "H of both LSTM layers",
    "batch_size": "parallel streams",
    "bptt": "window length of truncated BPTT",
    "max_chars": "training characters to read",
    "max_norm": "clip_grad_norm_ threshold; 0: none",
}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=PROG, description="Chapter 9's character-level LSTM "
                                     "on the source of Python's standard library.")
    sub = parser.add_subparsers(dest="command", required=True)
    from .training import Config

    t = sub.add_parser("train", help="train (or --resume) a model; write record, checkpoint, "
                       "weights")
    add_config_flags(t, Config, helps=HELPS)
    t.add_argument("--out", default="charlm_runs/run", help="folder for record.json, "
                   "checkpoint.pt, weights.pt (default: charlm_runs/run)")
    t.add_argument("--resume", action="store_true", help="continue from OUT/checkpoint.pt")
    t.add_argument("--threads", type=int, default=1, help="torch threads (default: 1)")
    t.add_argument("--no-progress", action="store_true", help="no progress bar")
    n = sub.add_parser("ngram", help="fit and score the n-gram baselines")
    n.add_argument("--max-order", type=int, default=12)
    n.add_argument("--out", help="write the scores to this JSON file")
    s = sub.add_parser("sample", help="sample text from a model")
    s.add_argument("--weights", help="a weights.pt written by train (default: the shipped one)")
    s.add_argument("--prompt", default="def ")
    s.add_argument("--length", type=int, default=400)
    s.add_argument("--temperature", type=float, default=0.8)
    s.add_argument("--top-k", type=int, default=0)
    s.add_argument("--seed", type=int, default=0)
    a = sub.add_parser("analyse", help="score the test files per group of characters with the "
                       "LSTM and the best n-gram")
    a.add_argument("--weights", help="a weights.pt written by train (default: the shipped one)")
    a.add_argument("--order", type=int, default=16, help="the n-gram's n (default: 16)")
    a.add_argument("--out", help="write the scores to this JSON file")
    m = sub.add_parser("manifest", help="write this machine's manifest of the corpus")
    m.add_argument("--out", required=True)
    return parser


def _train(args, argv) -> int:
    from .training import Config, train
    from .weights import save_weights

    torch.set_num_threads(args.threads)
    config = config_from_args(Config, args)
    out = Path(args.out)
    print(f"{config}\ntorch {torch.__version__}, {torch.get_num_threads()} thread(s)",
          flush=True)

    def report(e):
        print(f"{e['chars']:>11,} chars: train {e['train_bpc']:.3f} bits/char, validation "
              f"(estimate) {e['val_bpc_estimate']:.3f}, lr {e['lr']:.2e} ({e['seconds']:.0f} s)",
              flush=True)

    record = train(config, progress=not args.no_progress, checkpoint=out / "checkpoint.pt",
                   resume=args.resume, callback=report)
    record.command = records.command_line(PROG, argv)
    records.save(record, out / "record.json")
    ck = torch.load(out / "checkpoint.pt", weights_only=False)
    save_weights(out / "weights.pt", ck["model"], record.extra["vocab"], record.config)
    r = record.result
    print(f"validation {r['val_bpc']:.4f} bits/char, test {r['test_bpc']:.4f} "
          f"({record.seconds:.0f} s, {r['chars_per_second']:,} chars/s)\nwritten to {out}/")
    return 0


def _ngram(args, argv) -> int:
    from .baselines import score_ngrams

    start = time.perf_counter()
    scores = score_ngrams(max_order=args.max_order)
    scores["command"] = records.command_line(PROG, argv)
    scores["seconds"] = round(time.perf_counter() - start, 1)
    for n, s in scores["kneser_ney"].items():
        print(f"n={n:>2}: validation {s['validation']:.4f}, test {s['test']:.4f}")
    print(f"unigram: validation {scores['unigram']['validation']:.4f}, test "
          f"{scores['unigram']['test']:.4f}; best n on validation: {scores['best_order']}")
    if args.out:
        Path(args.out).write_text(json.dumps(scores, indent=1) + "\n")
    return 0


def _sample(args) -> int:
    from .sampling import sample
    from .weights import load_pretrained, load_weights

    model, vocab = load_pretrained() if args.weights is None else load_weights(args.weights)
    print(sample(model, vocab, args.prompt, args.length, temperature=args.temperature,
                 top_k=args.top_k or None, seed=args.seed))
    return 0


def _analyse(args, argv) -> int:
    from .analysis import compare_groups
    from .baselines import fit_ngram
    from .data import load_corpus
    from .model import log2_probs
    from .weights import load_pretrained, load_weights

    torch.set_num_threads(1)
    model, vocab = load_pretrained() if args.weights is None else load_weights(args.weights)
    corpus = load_corpus()
    text = corpus.text("test")
    kn, _, _ = fit_ngram(corpus, vocab, max_order=args.order)
    ngram = kn.log2_probs(vocab.encode(text).numpy(), args.order, [vocab.index["\n"]])
    lstm = log2_probs(model, vocab, text).numpy()
    groups = compare_groups(text, lstm, ngram)
    for name, g in groups.items():
        print(f"{name:>32}: {g['count']:>7,} characters, n-gram {g['ngram']:.3f}, "
              f"LSTM {g['lstm']:.3f} bits/char")
    # Python outside the standard library: this book's own package, read the same way
    package = Path(__file__).resolve().parent.parent
    files = sorted(package.rglob("*.py"))
    other = "".join(f.read_text(encoding="utf-8") for f in files)
    outside = {"files": len(files), "characters": len(other),
               "ngram": float(-kn.log2_probs(vocab.encode(other).numpy(), args.order,
                                             [vocab.index["\n"]]).mean()),
               "lstm": float(-log2_probs(model, vocab, other).mean())}
    print(f"lstm_helpers' own {len(files)} files ({len(other):,} characters): n-gram "
          f"{outside['ngram']:.3f}, LSTM {outside['lstm']:.3f} bits/char")
    if args.out:
        out = {"command": records.command_line(PROG, argv), "order": args.order,
               "corpus": corpus.report(), "groups": groups, "outside_stdlib": outside}
        Path(args.out).write_text(json.dumps(out, indent=1) + "\n")
    return 0


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    args = _parser().parse_args(argv)
    if args.command == "train":
        return _train(args, argv)
    if args.command == "ngram":
        return _ngram(args, argv)
    if args.command == "sample":
        return _sample(args)
    if args.command == "analyse":
        return _analyse(args, argv)
    from .data import build_manifest

    Path(args.out).write_text(json.dumps(build_manifest(), indent=0) + "\n")
    return 0
