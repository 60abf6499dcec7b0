"""The tools behind "numbers that hold on every machine" (docs/contributing.md)."""

import importlib.util
from pathlib import Path

import pytest
import torch

from lstm_helpers import firstinput
from lstm_helpers.notebook import load_spread, stable_or_range

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("isa_spread", ROOT / "tools" / "isa_spread.py")
isa_spread = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(isa_spread)


def _record(values: dict[str, dict[str, float]]) -> dict:
    return {"values": values, "relative_spread": isa_spread.spread(values)}


def test_spread_is_the_largest_relative_change_from_native():
    values = {"native": {"a": 2.0, "b": -1.0}, "avx2": {"a": 2.0, "b": -1.5},
              "default": {"a": 2.2, "b": -1.0}}
    assert isa_spread.spread(values) == pytest.approx({"a": 0.1, "b": 0.5})


def test_stable_number_is_printed_as_computed():
    rec = _record({"native": {"x": 0.3312}, "avx2": {"x": 0.3312}, "default": {"x": 0.3312}})
    assert stable_or_range(0.3312, "x", rec) == "0.33"


def test_unstable_number_is_replaced_by_the_measured_range():
    rec = _record({"native": {"x": 0.03}, "avx2": {"x": 0.34}, "default": {"x": 0.31}})
    # whatever this machine computed, the page shows what was measured
    assert stable_or_range(0.2, "x", rec) == "0.03-0.34*"
    assert stable_or_range(0.03, "x", rec) == "0.03-0.34*"


def test_a_small_spread_next_to_a_rounding_boundary_is_not_stable():
    rec = _record({"native": {"x": 0.3350001}, "avx2": {"x": 0.3349999},
                   "default": {"x": 0.3350001}})
    assert stable_or_range(0.3350001, "x", rec).endswith("*")


def test_unknown_names_fail_clearly():
    rec = _record({"native": {"x": 1.0}, "avx2": {"x": 1.0}, "default": {"x": 1.0}})
    with pytest.raises(KeyError, match="'y'"):
        stable_or_range(1.0, "y", rec)
    with pytest.raises(FileNotFoundError, match="no_such_record"):
        load_spread("no_such_record")


@pytest.mark.records
def test_first_input_record_still_matches_its_stable_runs():
    """Re-run the chapter 4 runs that the record calls stable and compare with it.

    The record holds each run's final loss natively and under the avx2 and default
    instruction sets. A run whose relative spread there is below 1e-3 must come back within
    ten times that spread (and 1e-9 relative at least, for runs that agreed to the last
    digit): a looser match would mean the code changed, not the CPU.
    """
    record = load_spread("first_input_spread")
    assert record["command"].startswith("python tools/isa_spread.py lstm_helpers.firstinput:")
    stable = {k: s for k, s in record["relative_spread"].items() if s < 1e-3}
    assert {"pytorch/0", "scaled(4)/0"} <= set(stable)  # the chapter's two clear cases
    for key in ("pytorch/0", "scaled(4)/0"):
        scheme, seed = key.split("/")
        factor = 4.0 if scheme == "scaled(4)" else None
        got = firstinput.train_first_input(scheme.split("(")[0], factor=factor, seed=int(seed),
                                          dtype=torch.float64).final_loss
        want = record["values"]["native"][key]
        assert got == pytest.approx(want, rel=max(10 * stable[key], 1e-9))
