"""The chapter 1 widget: every control over its whole range, results in HTML widgets."""

import html
import itertools

import ipywidgets as widgets
import pytest
import torch

from lstm_helpers.shapes import explain_broadcast, explain_matmul, format_shape
from lstm_helpers.widgets.shapes import (
    EXAMPLES,
    OPERATIONS,
    ShapeExplorer,
    examples_table,
    parse_shape,
    torch_says,
)


def shown(w: ShapeExplorer) -> tuple[str, str, str]:
    return w.aligned.value, w.result.value, w.steps.value


def text(value: str) -> str:
    return html.unescape(value)


def test_results_live_in_html_widgets_not_output():
    w = ShapeExplorer()
    for child in (w.aligned, w.result, w.steps):
        assert isinstance(child, widgets.HTML)

    def walk(box):
        for child in box.children:
            assert not isinstance(child, widgets.Output)
            if isinstance(child, widgets.Box):
                walk(child)

    walk(w)
    assert "(5, 3) + (3,) -> (5, 3)" in text(w.result.value)
    assert "torch.Size([5, 3])" in text(w.result.value)


def test_every_example_option():
    w = ShapeExplorer()
    seen = set()
    options = [value for _, value in w.example.options]
    assert options[0] is None and len(options) == len(EXAMPLES) + 1
    for value in options[1:]:
        w.example.value = value
        a_text, op, b_text = value
        assert (w.shape_a.value, w.operation.value, w.shape_b.value) == value
        a, b = parse_shape(a_text), parse_shape(b_text)
        result = text(w.result.value)
        assert "PyTorch says" in result
        truth = torch_says(op, a, b)
        assert truth in result
        if truth.startswith("RuntimeError"):
            assert "Error:" in result
        else:
            assert f"-> {format_shape(eval(truth))}" in result  # torch.Size([...]) -> shape
            assert f"{format_shape(a)} {op} {format_shape(b)}" in result
        seen.add(shown(w))
    assert len(seen) == len(EXAMPLES)  # every example shows something different
    w.example.value = None  # back to the placeholder: nothing breaks, nothing changes
    assert shown(w) in seen


def test_every_operation_changes_the_result():
    for b, expected in [
        ("3", {"+": "(5, 3)", "*": "(5, 3)", "@": "(5,)"}),
        ("3, 1", {"+": "error", "*": "error", "@": "(5, 1)"}),
    ]:
        w = ShapeExplorer(shape_a="5, 3", shape_b=b)
        results = {}
        for op in OPERATIONS:
            w.operation.value = op
            results[op] = shown(w)
            assert f"(5, 3) {op} {format_shape(parse_shape(b))} -> {expected[op]}" in text(
                results[op][1]
            )
        assert len({r[1] for r in results.values()}) == 3
    assert "Hadamard" in OPERATIONS["*"]


TEXTS = ["5, 3", "(5, 3)", "[5,3]", "5x3", "torch.Size([5, 3])", "3", "3,", "", "()", "0, 3",
         "1", "2, 1, 3", "4", "abc", "5, -1", "5.5", "3, 1"]  # fmt: skip


@pytest.mark.parametrize("op", list(OPERATIONS))
def test_free_text_over_many_inputs(op):
    w = ShapeExplorer(operation=op)
    for a_text, b_text in itertools.product(TEXTS[::2], TEXTS[1::2]):
        w.shape_a.value = a_text
        w.shape_b.value = b_text
        aligned, result, steps = shown(w)
        try:
            a, b = parse_shape(a_text), parse_shape(b_text)
        except (TypeError, ValueError) as err:
            assert "Error:" in result and str(err) in text(result)
            continue
        explain = explain_matmul if op == "@" else explain_broadcast
        try:
            r = explain(a, b)
        except ValueError as err:
            assert "Error:" in result and str(err) in text(result)
            assert torch_says(op, a, b).startswith("RuntimeError")
        else:
            assert f"-> {format_shape(r.shape)}" in text(result)
            assert all(s in text(steps) for s in r.steps)
            assert f"result: <b>{format_shape(r.shape)}</b>" in aligned
            assert torch_says(op, a, b) == str(r.shape)


def test_text_changes_change_the_display():
    w = ShapeExplorer()
    before = shown(w)
    w.shape_b.value = "4"
    failing = shown(w)
    assert failing != before
    assert "Error:" in failing[1] and "background:#f8d7da" in failing[0]  # mismatch shaded
    assert "The size of tensor a (3) must match the size of tensor b (4)" in failing[1]
    w.shape_b.value = "not a shape"
    assert "could not read" in text(w.result.value)
    w.shape_b.value = "3"
    assert shown(w) == before


def test_matmul_view_marks_promotion_and_batch():
    w = ShapeExplorer(shape_a="2, 5, 3", operation="@", shape_b="3")
    aligned = w.aligned.value
    assert "batch" in aligned and "rows" in aligned and "cols" in aligned
    assert "font-style:italic" in aligned  # the 1 appended to b
    assert "(2, 5, 3) @ (3,) -> (2, 5)" in text(w.result.value)
    w.shape_b.value = "4"
    assert "b&#x27;s only dimension has size 4" in w.result.value
    w.shape_a.value = ""
    assert "0-d" in w.result.value


def test_parse_shape():
    assert parse_shape("5, 3") == torch.Size([5, 3])
    assert parse_shape(" (5 , 3) ") == torch.Size([5, 3])
    assert parse_shape("5x3") == torch.Size([5, 3])
    assert parse_shape("torch.Size([2, 3, 4])") == torch.Size([2, 3, 4])
    assert parse_shape("") == torch.Size([])
    assert parse_shape("()") == torch.Size([])
    with pytest.raises(ValueError, match="could not read 'a'"):
        parse_shape("a, 3")
    with pytest.raises(ValueError, match=">= 0"):
        parse_shape("-2")
    with pytest.raises(TypeError):
        parse_shape((5, 3))


def test_huge_shapes_use_meta_tensors():
    # a terabyte tensor: PyTorch's answer is computed on the meta device, without memory
    w = ShapeExplorer(shape_a="100000, 100000, 100", shape_b="100", operation="@")
    assert "(100000, 100000)" in text(w.result.value)
    assert "torch.Size([100000, 100000])" in w.result.value


def test_examples_table_matches_the_explorer():
    table = text(examples_table())
    assert table.count("<tr>") == len(EXAMPLES) + 1
    for a_text, op, b_text, _note in EXAMPLES:
        a, b = parse_shape(a_text), parse_shape(b_text)
        assert torch_says(op, a, b) in table
    assert "(3, 3)" in table  # the classic surprise
    assert table.count(">error<") == sum(
        torch_says(op, parse_shape(a), parse_shape(b)).startswith("RuntimeError")
        for a, op, b, _ in EXAMPLES
    )
