"""The comparer, on notebooks built in code with nbformat."""

from __future__ import annotations

import base64
import dataclasses
import io
import struct
import zlib
from typing import Any

import pytest
from nbformat import NotebookNode
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from harden.errors import ConfigError
from harden.reproducer.compare import (
    CellComparison,
    CompareOptions,
    OutputDiff,
    cells_expected_to_raise,
    compare_notebooks,
    differing_cells,
    first_difference,
    has_stored_outputs,
    reproduced,
)
from harden.reproducer.compare_media import html_text, image_size
from harden.reproducer.compare_text import split_warnings, texts_equivalent, unified_diff

# --- builders -------------------------------------------------------------------------


def stdout(text: str) -> NotebookNode:
    return new_output("stream", name="stdout", text=text)


def stderr(text: str) -> NotebookNode:
    return new_output("stream", name="stderr", text=text)


def result(text: str, **data: str) -> NotebookNode:
    return new_output("execute_result", data={"text/plain": text, **data}, execution_count=1)


def display(data: dict[str, Any]) -> NotebookNode:
    return new_output("display_data", data=data)


def error(ename: str, evalue: str) -> NotebookNode:
    return new_output("error", ename=ename, evalue=evalue, traceback=[f"Traceback {ename} ..."])


def code(*outputs: NotebookNode, tags: tuple[str, ...] = (), run: bool = True) -> NotebookNode:
    cell = new_code_cell("x", outputs=list(outputs), execution_count=1 if run else None)
    if tags:
        cell.metadata["tags"] = list(tags)
    return cell


def notebook(*cells: NotebookNode) -> NotebookNode:
    return new_notebook(cells=list(cells))


def png(width: int, height: int, shade: int = 0) -> str:
    """A real greyscale PNG, base64-encoded, built without any imaging library."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + bytes([shade]) * width for _ in range(height))
    raw = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )
    return base64.b64encode(raw).decode()


def compare_pair(ref_cell: NotebookNode, act_cell: NotebookNode, **options: Any) -> CellComparison:
    (comparison,) = compare_notebooks(
        notebook(ref_cell), notebook(act_cell), CompareOptions(**options)
    )
    return comparison


# --- the cases from the issue ---------------------------------------------------------


def test_identical_notebooks_are_the_same() -> None:
    nb = notebook(
        new_markdown_cell("# Title"),
        code(stdout("hello\n"), result("42")),
        code(
            display(
                {
                    "text/plain": "<Figure size 640x480 with 1 Axes>",
                    "image/png": png(4, 3),
                }
            )
        ),
    )
    comparisons = compare_notebooks(nb, nb)
    assert [c.status for c in comparisons] == ["same", "same"]
    assert [c.cell_index for c in comparisons] == [1, 2]
    assert reproduced(comparisons)
    assert first_difference(comparisons) is None


def test_float_noise_within_tolerance_is_the_same() -> None:
    comparison = compare_pair(code(stdout("loss 1.0\n")), code(stdout("loss 1.0000000001\n")))
    assert comparison.status == "same"
    comparison = compare_pair(
        code(result("array([0.3       , 0.33333333, 2.        ])")),
        code(result("array([0.30000000000000004, 0.3333333333333333, 2.        ])")),
    )
    assert comparison.status == "same"


def test_a_real_numeric_change_differs_with_a_diff_showing_both() -> None:
    comparison = compare_pair(code(stdout("loss 1.0\n")), code(stdout("loss 1.1\n")))
    assert comparison.status == "differs"
    (diff,) = comparison.diffs
    assert (diff.kind, diff.severity, diff.output_index) == ("stdout", "error", 0)
    assert (diff.expected, diff.actual) == ("loss 1.0\n", "loss 1.1\n")
    assert "- loss 1.0" in diff.unified_diff
    assert "+ loss 1.1" in diff.unified_diff
    assert "?        ^" in diff.unified_diff  # the changed digit is marked


def test_tolerance_is_configurable() -> None:
    ref, act = code(stdout("1.0\n")), code(stdout("1.001\n"))
    assert compare_pair(ref, act).status == "differs"
    assert compare_pair(ref, act, rel_tol=1e-2).status == "same"


def test_integers_are_compared_exactly() -> None:
    comparison = compare_pair(
        code(stdout("rows: 12345678901\n")), code(stdout("rows: 12345678902\n"))
    )
    assert comparison.status == "differs"


def test_stream_chunks_split_differently_are_the_same() -> None:
    ref = code(stdout("epoch 1\nepoch 2\n"), stderr("note\n"), stdout("done\n"))
    act = code(
        stdout("epo"),
        stdout("ch 1\n"),
        stdout("epoch 2\ndone\n"),
        stderr("no"),
        stderr("te\n"),
    )
    assert compare_pair(ref, act).status == "same"


def test_memory_address_is_the_same() -> None:
    ref = code(result("<__main__.Foo at 0x7f6e99586250>"))
    act = code(result("<__main__.Foo at 0x7f2a11002fa0>"))
    assert compare_pair(ref, act).status == "same"


def test_hand_edited_output_differs() -> None:
    ref = code(stdout("accuracy: 0.97 (edited for the paper)\n"))
    act = code(stdout("accuracy: 0.93\n"))
    comparison = compare_pair(ref, act)
    assert comparison.status == "differs"
    assert comparison.diffs[0].message == "stdout differs"


def test_changed_image_size_is_info_not_a_failure() -> None:
    ref = code(
        display(
            {
                "image/png": png(64, 48),
                "text/plain": "<Figure size 640x480 with 1 Axes>",
            }
        )
    )
    act = code(
        display(
            {
                "image/png": png(80, 60),
                "text/plain": "<Figure size 800x600 with 1 Axes>",
            }
        )
    )
    comparison = compare_pair(ref, act)
    assert comparison.status == "info"
    (diff,) = comparison.diffs
    assert (diff.kind, diff.severity) == ("image", "info")
    assert (diff.expected, diff.actual) == ("image/png 64x48", "image/png 80x60")
    assert reproduced((comparison,))
    assert compare_pair(ref, act, image_severity="error").status == "differs"
    assert compare_pair(ref, act, image_mode="ignore").status == "same"


def test_same_size_image_with_other_pixels_is_the_same_by_size_and_info_by_perception() -> None:
    pytest.importorskip("PIL")
    ref = code(display({"image/png": png(16, 16, shade=0)}))
    act = code(display({"image/png": png(16, 16, shade=255)}))
    assert compare_pair(ref, act).status == "same"
    comparison = compare_pair(ref, act, image_mode="perceptual")
    assert comparison.status == "info"
    assert "mean pixel difference 100.0%" in comparison.diffs[0].message
    near = code(display({"image/png": png(16, 16, shade=1)}))
    assert compare_pair(ref, near, image_mode="perceptual").status == "same"


def test_tagged_nondeterministic_cell_is_skipped() -> None:
    ref = code(stdout("0.1234\n"), tags=("harden-nondeterministic",))
    act = code(stdout("0.9876\n"), tags=("harden-nondeterministic",))
    comparison = compare_pair(ref, act)
    assert comparison.status == "skipped"
    assert "harden-nondeterministic" in comparison.reason
    assert reproduced((comparison,))


def test_papermill_cells_are_ignored_and_indices_refer_to_the_input() -> None:
    reference = notebook(
        new_markdown_cell("# Title"), code(stdout("a = 1\n")), code(stdout("b = 2\n"))
    )
    banner = new_markdown_cell('<span style="color:red">An Exception was encountered</span>')
    banner.metadata["tags"] = ["papermill-error-cell-tag"]
    injected = code(tags=("injected-parameters",))
    injected.source = "a = 5"
    actual = notebook(
        banner,
        new_markdown_cell("# Title"),
        code(stdout("a = 1\n")),
        injected,
        code(stdout("b = 2\n")),
    )
    for cell in actual.cells:
        cell.id = f"new-{id(cell)}"  # ids that do not match: aligned by position
    comparisons = compare_notebooks(reference, actual)
    assert [(c.cell_index, c.status, c.actual_index) for c in comparisons] == [
        (1, "same", 2),
        (2, "same", 4),
    ]


def test_cells_are_aligned_by_id() -> None:
    first, second = code(stdout("one\n")), code(stdout("two\n"))
    reference = notebook(first, second)
    actual = notebook(*(NotebookNode(dict(cell)) for cell in (second, first)))
    comparisons = compare_notebooks(reference, actual)
    assert [(c.cell_id, c.status, c.actual_index) for c in comparisons] == [
        (first.id, "same", 1),
        (second.id, "same", 0),
    ]


def test_expected_error_same_exception_class() -> None:
    ref = code(stdout("before\n"), error("ZeroDivisionError", "division by zero"))
    act = code(stdout("before\n"), error("ZeroDivisionError", "division by zero"))
    comparison = compare_pair(ref, act)
    assert comparison.status == "expected-error"
    assert reproduced((comparison,))
    assert "same exception class" in comparison.reason


def test_expected_error_with_a_changed_message_is_still_expected() -> None:
    ref = code(error("KeyError", "'price'"))
    act = code(error("KeyError", "'cost'"))
    comparison = compare_pair(ref, act)
    assert comparison.status == "expected-error"
    assert [(d.kind, d.severity) for d in comparison.diffs] == [("error", "info")]


def test_expected_error_by_tag() -> None:
    ref = code(tags=("raises-exception",))
    act = code(error("ValueError", "bad"), tags=("raises-exception",))
    comparison = compare_pair(ref, act)
    assert comparison.status == "expected-error"
    assert comparison.reason == "tagged raises-exception"


def test_unexpected_errors_differ() -> None:
    different = compare_pair(code(error("KeyError", "'a'")), code(error("ValueError", "bad")))
    assert different.status == "differs"
    assert different.diffs[0].unified_diff.count("KeyError") == 1
    new = compare_pair(code(stdout("ok\n")), code(stdout("ok\n"), error("ValueError", "bad")))
    assert new.status == "differs"
    assert new.diffs[0].message == "raised in the actual run"
    gone = compare_pair(code(error("ValueError", "bad")), code(stdout("fine\n")))
    assert gone.status == "differs"


def test_error_traceback_is_ignored_and_evalue_normalised() -> None:
    ref = code(error("ValueError", "<Foo object at 0x7f00aa11bb22> is invalid"))
    act = code(error("ValueError", "<Foo object at 0x7f99cc33dd44> is invalid"))
    act.outputs[0].traceback = ["completely", "different", "frames"]
    comparison = compare_pair(ref, act)
    assert comparison.status == "expected-error"
    assert comparison.diffs == ()


def test_dataframe_html_vs_text_are_equivalent() -> None:
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame({"price": [1.5, 2.25, 3.0], "item": ["a", "b", "c"]})
    frame.index.name = "row"
    ref = code(new_output("execute_result", data={"text/html": frame.to_html()}, execution_count=1))
    act = code(result(frame.to_string()))
    assert compare_pair(ref, act).status == "same"
    assert compare_pair(act, ref).status == "same"
    changed = frame.assign(price=[1.5, 2.5, 3.0])
    act_changed = code(result(changed.to_string()))
    comparison = compare_pair(ref, act_changed)
    assert comparison.status == "differs"
    assert "- 1 2.25 b\n+ 1 2.5 b" in comparison.diffs[0].unified_diff


def test_dataframe_html_differing_only_in_formatting_is_the_same() -> None:
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame({"a": [1, 2], "b": [0.5, 0.25]})
    ref = code(result(frame.to_string(), **{"text/html": frame._repr_html_()}))
    reformatted = frame.to_html(border=0, classes="tight").replace("\n", "")
    act = code(result(frame.to_string(), **{"text/html": f"<div>{reformatted}</div>"}))
    assert compare_pair(ref, act).status == "same"


def test_styler_random_ids_do_not_matter() -> None:
    ref = '<style>#T_abc12_row0 {color: red}</style><table id="T_abc12"><tr><td id="T_abc12_row0">1.5</td></tr></table>'
    act = '<style>#T_ff99e_row0 {color: red}</style><table id="T_ff99e"><tr><td id="T_ff99e_row0">1.5</td></tr></table>'
    comparison = compare_pair(
        code(result("<Styler at 0x7f00aa11bb22>", **{"text/html": ref})),
        code(result("<Styler at 0x7f99cc33dd44>", **{"text/html": act})),
    )
    assert comparison.status == "same"


# --- more behaviour the runner relies on ----------------------------------------------


def test_warnings_on_stderr_are_info_other_stderr_counts() -> None:
    warning = "/tmp/ipykernel_4242/1234567.py:3: FutureWarning: use .loc\n  df['b'] = 1\n"
    ref = code(stdout("ok\n"))
    act = code(stdout("ok\n"), stderr(warning))
    comparison = compare_pair(ref, act)
    assert comparison.status == "info"
    assert [(d.kind, d.severity) for d in comparison.diffs] == [("warnings", "info")]
    same_warning_other_pid = warning.replace("4242", "977").replace("1234567", "7654321")
    assert (
        compare_pair(code(stderr(warning)), code(stderr(same_warning_other_pid))).status == "same"
    )
    logged = compare_pair(ref, code(stdout("ok\n"), stderr("ERROR:root:model diverged\n")))
    assert logged.status == "differs"
    assert logged.diffs[0].kind == "stderr"
    relaxed = compare_pair(
        ref,
        code(stdout("ok\n"), stderr("ERROR:root:model diverged\n")),
        compare_stderr=False,
    )
    assert relaxed.status == "info"


def test_tqdm_progress_on_stderr_is_the_same() -> None:
    ref = code(stderr("100%|██████████| 10/10 [00:01<00:00,  9.51it/s]\n"))
    act = code(
        stderr("\r  0%|          | 0/10 [00:00<?, ?it/s]"),
        stderr("\r100%|██████████| 10/10 [00:00<00:00, 98.03it/s]"),
        stderr("\n"),
    )
    assert compare_pair(ref, act).status == "same"


def test_timestamps_and_timings_are_the_same() -> None:
    ref = code(stdout("started 2024-05-01 12:34:56.789\nWall time: 1.2 s\n"))
    act = code(stdout("started 2026-11-28 22:42:59.537204\nWall time: 153 µs\n"))
    assert compare_pair(ref, act).status == "same"


def test_missing_and_extra_outputs() -> None:
    missing = compare_pair(code(result("42")), code())
    assert missing.status == "differs"
    assert (missing.diffs[0].kind, missing.diffs[0].message) == (
        "execute_result",
        "output missing from the actual run",
    )
    extra_plot = compare_pair(
        code(), code(display({"image/png": png(2, 2), "text/plain": "<Figure>"}))
    )
    assert extra_plot.status == "info"


def test_cells_not_run_are_skipped_with_a_reason() -> None:
    never_saved = compare_pair(code(run=False), code(stdout("x\n")))
    assert (never_saved.status, never_saved.reason) == (
        "skipped",
        "no stored output (the cell was not run when saved)",
    )
    not_run = compare_pair(code(stdout("x\n")), code(run=False))
    assert (not_run.status, not_run.reason) == (
        "skipped",
        "not executed in the actual run",
    )


def test_cell_missing_from_actual_differs() -> None:
    comparisons = compare_notebooks(notebook(code(), code(stdout("b\n"))), notebook(code()))
    assert [c.status for c in comparisons] == ["same", "differs"]
    assert comparisons[1].diffs[0].kind == "cell"
    assert differing_cells(comparisons) == (comparisons[1],)
    assert first_difference(comparisons) is comparisons[1]


def test_long_diffs_are_capped() -> None:
    ref = code(stdout("".join(f"line {i}\n" for i in range(500))))
    act = code(stdout("".join(f"row {i}\n" for i in range(500))))
    diff = compare_pair(ref, act, max_diff_lines=20).diffs[0].unified_diff
    assert len(diff.splitlines()) == 21
    assert diff.endswith("more diff lines)")


def test_results_are_frozen_values() -> None:
    comparison = compare_pair(code(stdout("a\n")), code(stdout("b\n")))
    with pytest.raises(dataclasses.FrozenInstanceError):
        comparison.status = "same"  # type: ignore[misc]
    assert isinstance(comparison.diffs[0], OutputDiff)
    assert dataclasses.asdict(comparison)["diffs"][0]["kind"] == "stdout"


@pytest.mark.parametrize(
    "options",
    [
        {"rel_tol": -1.0},
        {"image_mode": "pixels"},
        {"image_severity": "warning"},
        {"max_diff_lines": 1},
    ],
)
def test_invalid_options_are_config_errors(options: dict[str, Any]) -> None:
    with pytest.raises(ConfigError):
        CompareOptions(**options)


def test_has_stored_outputs() -> None:
    assert has_stored_outputs(notebook(code(stdout("x"))))
    assert not has_stored_outputs(notebook(new_markdown_cell("m"), code(run=False)))
    # saved cleared: execution counts kept, no outputs; there is nothing to compare
    assert not has_stored_outputs(notebook(code(), code()))


# --- the pieces underneath ------------------------------------------------------------


def test_texts_equivalent_compares_structure_exactly() -> None:
    assert texts_equivalent("[1. 2.]", "[1.0000000001 2.        ]", 1e-6, 1e-12)
    assert not texts_equivalent("a b", "ab", 1e-6, 1e-12)
    assert not texts_equivalent("x = 1.0", "y = 1.0", 1e-6, 1e-12)
    assert texts_equivalent("-1e-13", "1e-13", 1e-6, 1e-12)  # within abs_tol
    assert not texts_equivalent("version 1.2.3", "version 1.2.4", 1.0, 1.0)


def test_unified_diff_marks_changes() -> None:
    diff = unified_diff("a\nscore 0.91\nc\n", "a\nscore 0.87\nc\n", max_lines=50)
    assert diff.splitlines() == [
        "--- expected",
        "+++ actual",
        "@@ -1,3 +1,3 @@",
        "  a",
        "- score 0.91",
        "+ score 0.87",
        "?         ^^",
        "  c",
    ]


def test_image_size_from_headers() -> None:
    assert image_size("image/png", png(7, 5)) == (7, 5)
    assert image_size("image/svg+xml", '<svg xmlns="x" width="460.8pt" height="345.6pt">') == (
        461,
        346,
    )
    gif = base64.b64encode(b"GIF89a" + struct.pack("<HH", 12, 9) + b"\x00" * 8).decode()
    assert image_size("image/gif", gif) == (12, 9)
    assert image_size("image/png", "not base64 at all!") is None


def test_image_size_jpeg() -> None:
    image = pytest.importorskip("PIL.Image")
    buffer = io.BytesIO()
    image.new("RGB", (33, 21)).save(buffer, format="JPEG")
    assert image_size("image/jpeg", base64.b64encode(buffer.getvalue()).decode()) == (
        33,
        21,
    )


def test_html_text_drops_styles_and_keeps_cells() -> None:
    html = "<div><style>.x{}</style><p>Title</p><table><tr><th></th><th>a</th></tr><tr><th>0</th><td> 1.5 </td></tr></table></div>"
    assert html_text(html) == "Title\n  a\n0  1.5"
    assert html_text(html, tables_only=True) == "  a\n0  1.5"


def test_raises_exception_tag_is_read_from_the_reference_only() -> None:
    # a runner may tag the executed copy so nbclient carries on: that must not
    # excuse a different exception class than the stored one
    ref = code(error("KeyError", "'a'"))
    act = code(error("ValueError", "bad"), tags=("raises-exception",))
    assert compare_pair(ref, act).status == "differs"


def test_cells_expected_to_raise() -> None:
    nb = notebook(
        new_markdown_cell("m"),
        code(error("ZeroDivisionError", "division by zero")),
        code(stdout("fine\n")),
        code(tags=("raises-exception",)),
    )
    assert cells_expected_to_raise(nb) == (1, 3)


def test_split_warnings_separates_a_multiline_pandas_warning() -> None:
    text = (
        "INFO:train:start\n"
        "/tmp/ipykernel_4242/1234567.py:3: SettingWithCopyWarning: \n"
        "A value is trying to be set on a copy of a slice from a DataFrame.\n"
        "Try using .loc[row_indexer,col_indexer] = value instead\n\n"
        "See the caveats in the documentation: https://pandas.pydata.org/\n"
        "  sub['c'] = 1\n"
        "INFO:train:done\n"
    )
    other, warnings = split_warnings(text)
    assert other == "INFO:train:start\nINFO:train:done\n"
    assert warnings.startswith("/tmp/ipykernel_4242/1234567.py:3: SettingWithCopyWarning")
    assert warnings.endswith("  sub['c'] = 1\n")


def test_other_mime_types_and_widgets() -> None:
    ref = code(display({"application/json": {"a": 1, "b": [1, 2]}}))
    same = code(display({"application/json": {"b": [1, 2], "a": 1.0000000001}}))
    changed = code(display({"application/json": {"a": 2, "b": [1, 2]}}))
    assert compare_pair(ref, same).status == "same"
    assert compare_pair(ref, changed).status == "differs"
    widget = "application/vnd.jupyter.widget-view+json"
    ref_widget = code(display({widget: {"model_id": "abc"}, "text/plain": "HBox(children=(...))"}))
    act_widget = code(display({widget: {"model_id": "xyz"}, "text/plain": "HBox(children=(...))"}))
    assert compare_pair(ref_widget, act_widget).status == "same"
    only_widget = compare_pair(
        code(display({widget: {"model_id": "abc"}})),
        code(display({widget: {"model_id": "x"}})),
    )
    assert only_widget.status == "differs"
    assert only_widget.diffs[0].message == "no representation in common"


def test_plain_dict_notebooks_work_too() -> None:
    reference = {
        "cells": [
            {
                "cell_type": "code",
                "outputs": [dict(stdout("1.0\n"))],
                "execution_count": 1,
            }
        ]
    }
    actual = {
        "cells": [
            {
                "cell_type": "code",
                "outputs": [dict(stdout("1.0000000001\n"))],
                "execution_count": 1,
            }
        ]
    }
    assert [c.status for c in compare_notebooks(reference, actual)] == ["same"]
