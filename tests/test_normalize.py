"""The normalisers, one by one, on text taken from real notebook outputs."""

from __future__ import annotations

import pytest

from harden.errors import ConfigError
from harden.reproducer.normalize import (
    BUILTIN_NORMALIZERS,
    DEFAULT_NORMALIZERS,
    FunctionNormalizer,
    Normalizer,
    RegexNormalizer,
    apply_normalizers,
    build_normalizers,
    normalizer_from_config,
)


def norm(name: str, text: str) -> str:
    return BUILTIN_NORMALIZERS[name].apply(text)


def test_every_builtin_is_named_documented_and_a_normalizer() -> None:
    names = [n.name for n in DEFAULT_NORMALIZERS]
    assert len(names) == len(set(names))
    assert list(BUILTIN_NORMALIZERS)[: len(names)] == names
    assert list(BUILTIN_NORMALIZERS)[len(names) :] == ["pandas2-value-counts"]  # opt-in
    for normalizer in BUILTIN_NORMALIZERS.values():
        assert isinstance(normalizer, Normalizer)
        assert normalizer.description.strip()
        assert normalizer.apply("") == ""


def test_builtins_leave_ordinary_output_alone() -> None:
    text = "accuracy: 0.9731\n   a  b\n0  1  4\n1  2  5\nshape (150, 4) on 2024-05-01\n"
    assert apply_normalizers(text, DEFAULT_NORMALIZERS) == text


# --- one test per built-in ---------------------------------------------------------


def test_ansi_escape() -> None:
    assert norm("ansi-escape", "\x1b[0;31mValueError\x1b[0m: bad") == "ValueError: bad"


def test_carriage_return_keeps_final_state_of_each_line() -> None:
    merged = (
        "\r  0%|          | 0/10 [00:00<?, ?it/s]"
        "\r100%|██████████| 10/10 [00:00<00:00, 98.03it/s]"
        "\r100%|██████████| 10/10 [00:00<00:00, 96.78it/s]\n"
        "done\r\n"
    )
    assert norm("carriage-return", merged) == (
        "100%|██████████| 10/10 [00:00<00:00, 96.78it/s]\ndone\n"
    )
    assert norm("carriage-return", "progress\r") == "progress"


def test_progress_bar_masks_bar_times_and_rate_but_keeps_counts() -> None:
    line = "100%|██████████| 10/10 [00:00<00:00, 96.78it/s]"
    assert norm("progress-bar", line) == "100%|…| 10/10 […]"
    other_run = "100%|██████████| 10/10 [00:01<00:00,  9.51it/s]"
    assert norm("progress-bar", other_run) == norm("progress-bar", line)
    assert norm(
        "progress-bar",
        "train:  40%|####      | 4/10 [01:02<01:33,  1.52s/it, loss=0.5]",
    ) == ("train:  40%|…| 4/10 […, loss=0.5]")
    assert norm("progress-bar", "10it [00:01, 9.5it/s]") == "10it […]"
    # a different count is still visible
    assert "9/10" in norm("progress-bar", " 90%|█████████ | 9/10 [00:00<00:00, 96.78it/s]")


def test_tqdm_stderr_from_two_runs_normalises_to_the_same_text() -> None:
    run_1 = "\r  0%|          | 0/10 [00:00<?, ?it/s]\r100%|██████████| 10/10 [00:00<00:00, 98.03it/s]\n"
    run_2 = (
        "\r  0%|          | 0/10 [00:00<?, ?it/s]\r 60%|██████    | 6/10 [00:00<00:00, 55.1it/s]"
        "\r100%|██████████| 10/10 [00:00<00:00, 61.12it/s]\n"
    )
    assert apply_normalizers(run_1, DEFAULT_NORMALIZERS) == apply_normalizers(
        run_2, DEFAULT_NORMALIZERS
    )


def test_ipykernel_path_in_a_pandas_warning() -> None:
    stderr = (
        "/tmp/ipykernel_4242/1234567.py:3: SettingWithCopyWarning: \n"
        "A value is trying to be set on a copy of a slice from a DataFrame.\n"
        "Try using .loc[row_indexer,col_indexer] = value instead\n\n"
        "See the caveats in the documentation: https://pandas.pydata.org/pandas-docs/"
        "stable/user_guide/indexing.html#returning-a-view-versus-a-copy\n"
        "  sub['c'] = 1\n"
    )
    out = norm("ipykernel-path", stderr)
    assert out.startswith("<ipykernel>:3: SettingWithCopyWarning: \n")
    assert "https://pandas.pydata.org" in out
    assert norm(
        "ipykernel-path", "/tmp/ipykernel_5161/2583792921.py:1: FutureWarning: careful"
    ) == ("<ipykernel>:1: FutureWarning: careful")
    windows = r"C:\Users\bob\AppData\Local\Temp\ipykernel_1234\567.py:3: UserWarning: x"
    assert norm("ipykernel-path", windows) == "<ipykernel>:3: UserWarning: x"
    mac = "/var/folders/x1/abc_def/T/ipykernel_77/99.py:2: FutureWarning: y"
    assert norm("ipykernel-path", mac) == "<ipykernel>:2: FutureWarning: y"


def test_temp_path() -> None:
    assert norm("temp-path", "/tmp/tmpgdmnl61z\n/tmp/tmpezcvoebb/out.csv\n") == (
        "<tmpdir>\n<tmpdir>/out.csv\n"
    )
    assert norm("temp-path", "/var/folders/xy/ab12_cd34/T/tmpk2j3h4l5/x.csv") == "<tmpdir>/x.csv"
    assert norm("temp-path", "/private/var/folders/xy/ab12/T/data.csv") == "<tmp>/data.csv"
    assert norm("temp-path", "/tmp/pytest-of-ci/pytest-12/test_run0/nb.ipynb") == (
        "<tmp>/test_run0/nb.ipynb"
    )
    assert norm("temp-path", r"C:\Users\bob\AppData\Local\Temp\tmpa1b2c3d4\x") == r"<tmpdir>\x"
    # a fixed file in /tmp is not random: kept
    assert norm("temp-path", "/tmp/data.csv") == "/tmp/data.csv"


def test_warning_path_masks_installation_path_and_line() -> None:
    site = (
        "/home/u/.venv/lib/python3.11/site-packages/sklearn/linear_model/_logistic.py:469: "
        "ConvergenceWarning: lbfgs failed to converge (status=1):"
    )
    assert norm("warning-path", site) == (
        "<site-packages>/sklearn/linear_model/_logistic.py:<line>: "
        "ConvergenceWarning: lbfgs failed to converge (status=1):"
    )
    other_env = "/opt/conda/lib/python3.11/site-packages/sklearn/linear_model/_logistic.py:460: ConvergenceWarning: lbfgs failed to converge (status=1):"
    assert norm("warning-path", other_env) == norm("warning-path", site)
    assert norm(
        "warning-path",
        "/usr/lib/python3.11/importlib/__init__.py:126: DeprecationWarning: x",
    ) == ("<stdlib>/importlib/__init__.py:<line>: DeprecationWarning: x")
    assert norm("warning-path", "/home/alice/proj/helper.py:12: UserWarning: y") == (
        "<path>/helper.py:<line>: UserWarning: y"
    )
    assert norm(
        "warning-path",
        r"C:\Py\Lib\site-packages\pandas\core\frame.py:9: FutureWarning: z",
    ) == ("<site-packages>/pandas/core/frame.py:<line>: FutureWarning: z")
    # not a warning header: left alone
    assert norm("warning-path", "/data/x.py:12: reading") == "/data/x.py:12: reading"


def test_memory_address() -> None:
    text = "<__main__.Foo object at 0x7f6e99044350> <object object at 0x7f6ec80e9010>"
    assert norm("memory-address", text) == "<__main__.Foo object at 0x…> <object object at 0x…>"
    assert norm("memory-address", "[<matplotlib.lines.Line2D at 0x7f6e9240a350>]") == (
        "[<matplotlib.lines.Line2D at 0x…>]"
    )
    assert norm("memory-address", "flags 0xff") == "flags 0xff"  # short hex: data


def test_object_id() -> None:
    assert norm("object-id", "Node(id=140234567890123, user_id=1234567890123)") == (
        "Node(id=<id>, user_id=1234567890123)"
    )
    assert norm("object-id", "id: 140234567890123") == "id: <id>"
    assert norm("object-id", "id=42") == "id=42"


def test_timestamp_masks_clock_values_but_not_bare_dates() -> None:
    assert norm("timestamp", "2026-11-28 22:42:59.537204\n") == "<timestamp>\n"
    assert norm("timestamp", "Timestamp('2024-05-01 12:34:56.789')") == "Timestamp('<timestamp>')"
    assert norm("timestamp", "2024-05-01T12:34:56+02:00 start") == "<timestamp> start"
    assert norm("timestamp", "datetime.datetime(2026, 11, 28, 22, 42, 59, 537506)") == (
        "datetime.datetime(<timestamp>)"
    )
    assert norm("timestamp", "Wed May  1 12:34:56 2024") == "<timestamp>"
    assert norm("timestamp", "started at 12:34:56.789") == "started at <time>"
    assert norm("timestamp", "2024-05-01,sales,12") == "2024-05-01,sales,12"
    assert norm("timestamp", "ratio 3:2") == "ratio 3:2"


def test_timestamp_keeps_dates_held_as_timestamps() -> None:
    """Midnight and a datetime repr without microseconds are data, not a clock."""
    for data in (
        "datetime.datetime(2011, 7, 6, 0, 0)",
        "[datetime.datetime(2015, 7, 4, 9, 30, 5)]",
        "Timestamp('2011-07-06 00:00:00')",
        "0   2011-07-06\n1   2011-07-06 00:00:00",
        "Timedelta('0 days 00:00:00')",
    ):
        assert norm("timestamp", data) == data


def test_duration_ipython_time_and_timeit() -> None:
    time_out = "CPU times: user 137 µs, sys: 13 µs, total: 150 µs\nWall time: 153 µs\n"
    assert norm("duration", time_out) == (
        "CPU times: user <duration>, sys: <duration>, total: <duration>\nWall time: <duration>\n"
    )
    assert norm("duration", "Wall time: 1.2 s") == "Wall time: <duration>"
    timeit_1 = "1.23 s ± 4.5 ms per loop (mean ± std. dev. of 7 runs, 1 loop each)\n"
    timeit_2 = (
        "The slowest run took 5.23 times longer than the fastest. This could mean that "
        "an intermediate result is being cached.\n"
        "585 ns ± 19.5 ns per loop (mean ± std. dev. of 7 runs, 1,000,000 loops each)\n"
    )
    expected = "<duration> ± <duration> per loop (mean ± std. dev. of 7 runs, <n> loops each)\n"
    assert norm("duration", timeit_1) == expected
    assert norm("duration", timeit_2) == expected


def test_duration_rates_and_free_text() -> None:
    assert norm("duration", "took 3.2s; done in 0.53 s; elapsed: 1.2s") == (
        "took <duration>; done in <duration>; elapsed: <duration>"
    )
    assert norm("duration", "12.3 it/s and 1.5s/it") == "<rate> and <rate>"
    assert norm(
        "duration",
        "[Parallel(n_jobs=2)]: Done  10 out of  10 | elapsed:    0.1s finished",
    ) == ("[Parallel(n_jobs=2)]: Done  10 out of  10 | elapsed:    <duration> finished")
    assert norm(
        "duration",
        "10/10 [==============================] - 0s 2ms/step - loss: 0.5432",
    ) == ("10/10 [==============================] - <duration> <duration>/step - loss: 0.5432")
    # numbers that are not durations stay
    assert (
        norm("duration", "found in 5 samples; 3 seconds later")
        == "found in 5 samples; 3 seconds later"
    )


def test_trailing_whitespace() -> None:
    assert norm("trailing-whitespace", "a  \nb\t\n   c") == "a\nb\n   c"


# --- user normalisers and configuration -----------------------------------------------


def test_regex_normalizer_from_config() -> None:
    normalizer = normalizer_from_config(
        {"name": "run-id", "pattern": r"run-[0-9a-f]{8}", "replace": "run-<id>"}
    )
    assert isinstance(normalizer, RegexNormalizer)
    assert isinstance(normalizer, Normalizer)
    assert normalizer.apply("saved to run-1a2b3c4d/model.pkl") == "saved to run-<id>/model.pkl"
    assert normalizer.description


def test_regex_normalizer_groups_and_multiline() -> None:
    normalizer = RegexNormalizer("host", r"^host: (\w+)$", r"host: <\1>")
    assert normalizer.apply("host: alpha\nhost: beta") == "host: <alpha>\nhost: <beta>"


@pytest.mark.parametrize(
    ("entry", "fragment"),
    [
        ({"name": "bad", "pattern": "(unclosed", "replace": ""}, "invalid"),
        ({"name": "bad", "pattern": "a", "replace": r"\3"}, "invalid"),
        ({"name": "bad", "pattern": "a"}, "missing key 'replace'"),
        ({"name": "bad", "pattern": "a", "replace": "", "flags": "i"}, "unknown key"),
        ({"name": "bad", "pattern": 3, "replace": ""}, "must be a string"),
        ({"name": " ", "pattern": "a", "replace": ""}, "must not be empty"),
        (["name", "pattern"], "must be a table"),
    ],
)
def test_invalid_config_is_a_config_error(entry: object, fragment: str) -> None:
    with pytest.raises(ConfigError, match=fragment):
        normalizer_from_config(entry)  # type: ignore[arg-type]


def test_build_normalizers_disables_and_adds() -> None:
    chosen = build_normalizers(
        disable=["timestamp"],
        custom=[{"name": "seed", "pattern": r"seed=\d+", "replace": "seed=N"}],
    )
    names = [n.name for n in chosen]
    assert "timestamp" not in names
    assert names[-1] == "seed"
    assert apply_normalizers("at 12:34:56 seed=42", chosen) == "at 12:34:56 seed=N"
    with pytest.raises(ConfigError, match="unknown normaliser"):
        build_normalizers(disable=["timestamps"])
    with pytest.raises(ConfigError, match="defined twice"):
        build_normalizers(custom=[{"name": "timestamp", "pattern": "x", "replace": ""}])


def test_function_normalizer_is_a_normalizer() -> None:
    upper = FunctionNormalizer("upper", "upper-cases", str.upper)
    assert isinstance(upper, Normalizer)
    assert apply_normalizers("abc", (upper,)) == "ABC"
