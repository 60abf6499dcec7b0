"""The shape every application shares: records, config flags, summaries over seeds, the sweep."""

import argparse
import dataclasses
import json
import statistics

import pytest
import torch

from lstm_helpers import experiment, records, sweep
from lstm_helpers.experiment import Goal, parse_seeds, summarise


@dataclasses.dataclass(frozen=True)
class Demo:
    hidden_size: int = 8
    lr: float = 0.01
    forget_bias: float | None = 1.0
    fused: bool = False
    name: str = "demo"
    seed: int = 0


# --- records ---------------------------------------------------------------------------------


def test_a_record_holds_what_the_standard_asks_for():
    rec = records.Record.new("demo", Demo(seed=3), command="python -m demo --seed 3")
    assert rec.seed == 3 and rec.config == dataclasses.asdict(Demo(seed=3))
    assert rec.versions["torch"] == torch.__version__
    assert set(rec.versions) == {"python", "torch", "lstm_helpers"}
    assert rec.machine["instruction_set"] == torch.backends.cpu.get_cpu_capability()
    assert rec.machine["cpu"] and rec.machine["threads"] == torch.get_num_threads()
    rec.metrics.append({"step": 0, "loss": float("inf")})
    rec.result["best"] = float("nan")
    again = records.Record.from_json(rec.to_json())
    assert again.metrics == [{"step": 0, "loss": None}]  # JSON has no inf/nan
    assert again.result == {"best": None} and again.command == rec.command


def test_save_and_load(tmp_path):
    rec = records.Record.new("demo", {"seed": 1, "lr": 0.5})
    path = records.save(rec, tmp_path / "a" / "b.json")
    assert records.load(path) == rec
    assert not list(tmp_path.rglob("*.tmp"))
    with pytest.raises(FileNotFoundError, match="no record file"):
        records.load(tmp_path / "missing.json")


def test_load_refuses_what_is_not_a_record(tmp_path):
    path = tmp_path / "old.json"
    path.write_text(json.dumps({"config": {}, "log": []}))
    with pytest.raises(ValueError, match="not a record of format"):
        records.load(path)


def test_shipped_records_are_found_through_the_package():
    names = records.shipped_names("longlag")
    assert "adding_T100_lstm" in names
    rec = records.shipped("longlag", "adding_T100_lstm")
    assert rec.app == "longlag" and rec.command.startswith("python -m lstm_helpers.longlag")
    with pytest.raises(ValueError, match="expected one of"):
        records.shipped("longlag", "no_such_run")
    assert records.shipped_names("no_such_app") == []


def test_command_line_quotes_its_arguments():
    assert records.command_line("prog", ["--set", "a=1,2", "x y"]) == "prog --set a=1,2 'x y'"


# --- summaries ---------------------------------------------------------------------------


def test_summarise_gives_median_and_range_over_seeds():
    assert summarise([3, 1, 2]) == "2 [1-3] over 3 seeds"
    assert summarise([4, 1, 2, 3]) == f"{statistics.median([1, 2, 3, 4]):g} [1-4] over 4 seeds"
    goal = Goal("solved_at")
    assert summarise([100, None, 300], goal) == (
        "200 [100-300] over 2 seeds; 2 of 3 runs met solved_at reached")
    assert summarise([None, None], goal) == (
        "no value over 2 seeds; 0 of 2 runs met solved_at reached")
    above = Goal("accuracy", 0.9, "above")
    assert summarise([0.95, 0.85], above, fmt=".2f") == (
        "0.90 [0.85-0.95] over 2 seeds; 1 of 2 runs met accuracy > 0.9")


def test_goal():
    below = Goal("loss", 1e-3)
    assert below.met(1e-3) and not below.met(2e-3) and not below.met(None)
    with pytest.raises(ValueError, match="direction"):
        Goal("loss", 1.0, "under")


@pytest.mark.parametrize("text,seeds", [("0-4", [0, 1, 2, 3, 4]), ("3", [3]),
                                        ("0,3,5", [0, 3, 5]), ("0-2,7,1", [0, 1, 2, 7])])
def test_parse_seeds(text, seeds):
    assert parse_seeds(text) == seeds


@pytest.mark.parametrize("bad", ["", "a", "3-1", "-1", "1-x"])
def test_parse_seeds_rejects(bad):
    with pytest.raises(ValueError, match="seeds must look like"):
        parse_seeds(bad)


# --- command lines from configs --------------------------------------------------------------


def _parser(**kwargs):
    parser = argparse.ArgumentParser(prog="demo", exit_on_error=False)
    experiment.add_config_flags(parser, Demo, **kwargs)
    return parser


def test_flags_come_from_the_fields():
    args = _parser(aliases={"hidden_size": ["--hidden"]}).parse_args(
        ["--hidden", "16", "--forget-bias", "none", "--fused", "true", "--lr", "0.1"])
    config = experiment.config_from_args(Demo, args)
    assert config == Demo(hidden_size=16, lr=0.1, forget_bias=None, fused=True)
    assert experiment.config_from_args(Demo, _parser().parse_args([])) == Demo()


def test_many_values_give_a_grid():
    args = _parser(many=True).parse_args(["--hidden-size", "4", "8", "--seed", "0", "1"])
    configs = experiment.configs_from_args(Demo, args)
    assert [(c.hidden_size, c.seed) for c in configs] == [(4, 0), (4, 1), (8, 0), (8, 1)]


def test_a_bad_value_names_the_field():
    args = _parser().parse_args(["--hidden-size", "2.5"])
    with pytest.raises(ValueError, match="hidden_size must be int, got '2.5'"):
        experiment.config_from_args(Demo, args)
    with pytest.raises(ValueError, match="fused must be true or false"):
        experiment.parse_value(Demo, "fused", "maybe")
    with pytest.raises(ValueError, match="has no field 'hidden'"):
        experiment.parse_value(Demo, "hidden", "3")


def test_progress_is_one_bar_that_can_be_switched_off():
    bar = experiment.progress(10, enabled=False, desc="x", unit="seq")
    bar.update(3)
    bar.close()


# --- the sweep -------------------------------------------------------------------------------


def test_plan_and_names():
    configs = sweep.plan(Demo, ["hidden_size=4,8", "forget_bias=none"], [0, 1])
    assert len(configs) == 4 and {c.forget_bias for c in configs} == {None}
    assert sweep.run_name(configs[0]) == "forget_bias=None_hidden_size=4_seed0"
    assert sweep.run_name(Demo(seed=2)) == "default_seed2"
    with pytest.raises(ValueError, match="key=v1,v2"):
        sweep.plan(Demo, ["hidden_size"], [0])


def test_unknown_app():
    with pytest.raises(ValueError, match="app must be one of"):
        sweep.load_app("nope")


def test_sweep_runs_resumes_and_summarises(tmp_path, capsys):
    argv = ["firstinput", "--seeds", "0-1", "--set", "scheme=pytorch,forget_bias",
            "--set", "steps=4", "--set", "seq_len=4", "--set", "eval_every=2",
            "--out", str(tmp_path), "--jobs", "2"]
    assert sweep.main(argv) == 0
    folder = tmp_path / "firstinput"
    written = sorted(p.name for p in folder.glob("*.json"))
    short = "eval_every=2_seq_len=4_steps=4"
    assert written == ["eval_every=2_scheme=forget_bias_seq_len=4_steps=4_seed0.json",
                       "eval_every=2_scheme=forget_bias_seq_len=4_steps=4_seed1.json",
                       f"{short}_seed0.json", f"{short}_seed1.json", "summary.json"]
    rec = records.load(folder / f"{short}_seed1.json")
    assert rec.app == "firstinput" and rec.seed == 1 and rec.config["steps"] == 4
    assert rec.command.startswith("python -m lstm_helpers.sweep firstinput --seeds 0-1")
    summary = json.loads((folder / "summary.json").read_text())
    group = summary["groups"][short]
    assert group["seeds"] == [0, 1] and len(group["values"]) == 2
    assert group["summary"] == summarise(group["values"], sweep.load_app("firstinput").GOAL)
    out = capsys.readouterr().out
    assert "4 runs: 0 done already, 4 to run" in out
    # a second call finds every record and runs nothing
    before = (folder / f"{short}_seed0.json").stat().st_mtime_ns
    assert sweep.main(argv) == 0
    assert "4 runs: 4 done already, 0 to run" in capsys.readouterr().out
    assert (folder / f"{short}_seed0.json").stat().st_mtime_ns == before


def test_sweep_rejects_a_bad_setting(tmp_path, capsys):
    assert sweep.main(["firstinput", "--set", "steps=many", "--out", str(tmp_path)]) == 2
    assert "steps must be int" in capsys.readouterr().err
