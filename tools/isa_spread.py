"""Measure how far a computation's numbers move between instruction sets.

The stored outputs of the book must hold on every reader's CPU (docs/contributing.md,
"Numbers that hold on every machine"). This runs a function of the package in fresh Python
processes, natively and under pinned-down instruction sets (the variables are read when
PyTorch starts, so each run is its own process), and reports, for every number the function
returns, the largest relative difference from the native run. With ``--out`` it writes all
values, the spread and the command into a JSON record that a chapter can show.

    .venv/bin/python tools/isa_spread.py lstm_helpers.firstinput:first_input_finals \
        --out lstm_helpers/data/spread/first_input_spread.json

The function takes no arguments and returns a flat ``{name: float}`` dict.
"""

import argparse
import json
import os
import subprocess
import sys

ISAS = {
    "native": {},
    "avx2": {"ATEN_CPU_CAPABILITY": "avx2", "ONEDNN_MAX_CPU_ISA": "AVX2",
             "MKL_ENABLE_INSTRUCTIONS": "AVX2"},
    "default": {"ATEN_CPU_CAPABILITY": "default", "ONEDNN_MAX_CPU_ISA": "SSE41",
                "MKL_ENABLE_INSTRUCTIONS": "SSE4_2"},
}

CHILD = """
import importlib, json, sys, torch
torch.set_num_threads(1)
module, name = sys.argv[1].split(":")
print(json.dumps(getattr(importlib.import_module(module), name)()))
"""


def run(target: str, isa: str) -> dict[str, float]:
    env = {k: v for k, v in os.environ.items() if k not in ISAS["default"]}
    env.update(ISAS[isa], OMP_NUM_THREADS="1", PYTHONHASHSEED="0")
    out = subprocess.run([sys.executable, "-c", CHILD, target], env=env, check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def spread(values: dict[str, dict[str, float]]) -> dict[str, float]:
    """Largest relative difference from the native value, per name."""
    native = values["native"]
    return {
        k: max(abs(v[k] - native[k]) / max(abs(native[k]), 1e-300) for v in values.values())
        for k in native
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("target", help="module:function returning {name: float}")
    parser.add_argument("--out", help="write the values and spreads to this JSON file")
    args = parser.parse_args(argv)
    values = {isa: run(args.target, isa) for isa in ISAS}
    rel = spread(values)
    for k, s in rel.items():
        print(f"{k:<40} native {values['native'][k]:<12.6g} max relative spread {s:.1e}")
    if args.out:
        record = {
            "command": f"python tools/isa_spread.py {args.target} --out {args.out}",
            "isas": ISAS,
            "values": values,
            "relative_spread": rel,
        }
        with open(args.out, "w") as f:
            json.dump(record, f, indent=1, sort_keys=True)
            f.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
