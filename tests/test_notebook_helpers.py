"""The helpers of ``lstm_helpers.notebook`` that chapters use to show package code."""

import pytest

from lstm_helpers import losses
from lstm_helpers.notebook import source_lines


def test_source_lines_cuts_from_first_to_last_inclusive():
    core = source_lines(losses.reduce_losses, 'if reduction == "mean"', 'if reduction == "sum"')
    lines = core.splitlines()
    assert lines[0].strip() == 'if reduction == "mean":'
    assert lines[1].strip().startswith("return losses.sum() / denominator")
    assert lines[-1].strip() == 'if reduction == "sum":'
    assert len(lines) == 3


def test_source_lines_of_the_chapter_5_core_exist():
    core = source_lines(losses.index_target_loss, "counted = y != ignore_index",
                        "result = reduce_losses(nll")
    assert "denominator = w_y.sum()" in core
    assert len(core.splitlines()) <= 12


@pytest.mark.parametrize(("first", "last"), [("no such line", "return"), ("counted =", "zzz")])
def test_source_lines_missing_marker_fails_clearly(first, last):
    with pytest.raises(ValueError, match="index_target_loss: no line with"):
        source_lines(losses.index_target_loss, first, last)
