"""Chapter 4's experiment, an application of its own: the first-input task and its training."""

import dataclasses

import pytest
import torch

from lstm_helpers import firstinput, records
from lstm_helpers.sweep import plan, run_name


def test_first_input_task():
    x, y = firstinput.first_input_task(5, 7, generator=torch.Generator().manual_seed(0))
    assert x.shape == (7, 5, 2) and y.shape == (5, 1)
    torch.testing.assert_close(y[:, 0], x[0, :, 0])
    assert torch.equal(x[:, :, 1], torch.cat([torch.ones(1, 5), torch.zeros(6, 5)]))
    assert x[:, :, 0].abs().max() <= 1


def test_train_first_input_is_seeded_and_learns_something():
    a = firstinput.train_first_input("forget_bias", steps=6, seq_len=5, eval_every=3)
    b = firstinput.train_first_input("forget_bias", steps=6, seq_len=5, eval_every=3)
    assert a == b
    assert len(a.losses) == 3 and a.final_loss == a.losses[-1]
    c = firstinput.train_first_input("scaled", factor=4.0, steps=6, seq_len=5, eval_every=3)
    assert c.scheme == "scaled(4)" and c.losses != a.losses
    short = firstinput.train_first_input("pytorch", seq_len=3, steps=150, eval_every=150)
    assert short.final_loss < 0.5 * short.initial_loss  # a 3-step memory is easy


def test_config_and_train_give_a_record():
    config = firstinput.Config(scheme="forget_bias", steps=6, seq_len=5, eval_every=3)
    rec = firstinput.train(config)
    direct = firstinput.train_first_input("forget_bias", steps=6, seq_len=5, eval_every=3,
                                          dtype=torch.float64)
    assert rec.app == "firstinput" and rec.config == dataclasses.asdict(config)
    assert [m["step"] for m in rec.metrics] == [0, 3, 6]
    assert [m["test_loss"] for m in rec.metrics] == list(direct.losses)
    assert rec.result["final_loss"] == direct.final_loss
    assert records.Record.from_json(rec.to_json()) == rec
    assert firstinput.GOAL.met(0.01) and not firstinput.GOAL.met(0.2)


@pytest.mark.parametrize("bad,match", [({"scheme": "he"}, "scheme"), ({"dtype": "half"}, "dtype"),
                                       ({"steps": 0}, "steps")])
def test_config_rejects_bad_values(bad, match):
    with pytest.raises((ValueError, TypeError), match=match):
        firstinput.Config(**bad)


def test_a_sweep_plans_schemes_times_seeds():
    configs = plan(firstinput.Config, ["scheme=pytorch,xavier"], [0, 1])
    assert [run_name(c) for c in configs] == ["default_seed0", "default_seed1",
                                              "scheme=xavier_seed0", "scheme=xavier_seed1"]


def test_the_shipped_sweep_is_the_chapters_grid_and_summary():
    """Chapter 4 reads its 18 runs from this sweep: 6 schemes x seeds 0-2, float64, the
    default budget, made by the two commands it lists, and its summary is what they give."""
    from lstm_helpers.experiment import summarise

    sweep = records.shipped_sweep("firstinput", "sweep")
    assert len(sweep["commands"]) == 2
    assert all(c.startswith("python -m lstm_helpers.sweep firstinput --seeds 0-2 --set scheme=")
               for c in sweep["commands"])
    assert len(sweep["records"]) == 18
    for name, record in sweep["records"].items():
        config = firstinput.Config(**record.config)
        assert run_name(config) == name and record.command in sweep["commands"]
        # only the scheme, its factor and the seed vary
        assert dataclasses.replace(config, scheme="pytorch", factor=None, seed=0) == \
            firstinput.Config(), name
        assert record.result["final_loss"] == record.metrics[-1]["test_loss"]
        assert [m["step"] for m in record.metrics] == [*range(0, 250, 25), 250]
    for group in sweep["groups"].values():
        assert group["seeds"] == [0, 1, 2]
        assert group["summary"] == summarise(group["values"], firstinput.GOAL)
    runs = firstinput.recorded_runs()
    assert list(runs) == list(firstinput.FIRST_INPUT_CONFIGS)
    scaled = runs[("scaled", 4.0)][1]
    assert scaled == firstinput.TrainingResult.from_record(
        sweep["records"]["factor=4.0_scheme=scaled_seed1"])
    assert scaled.scheme == "scaled(4)" and scaled.final_loss < firstinput.GOAL.threshold


def test_recorded_runs_and_shipped_sweeps_name_what_is_missing():
    with pytest.raises(ValueError, match="has no run 'default_seed7'"):
        firstinput.recorded_runs(seeds=(0, 7))
    with pytest.raises(ValueError, match="no shipped firstinput sweep named 'nope'.*'sweep'"):
        records.shipped_sweep("firstinput", "nope")
