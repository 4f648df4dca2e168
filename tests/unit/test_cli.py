"""The command line: clear one-line errors and the documented exit codes."""

from __future__ import annotations

import subprocess
import sys
from importlib.metadata import version

import pytest

from planning.cli import main


def test_an_unwritable_output_folder_is_an_error_not_a_traceback(tmp_path, capsys):
    blocker = tmp_path / "plans"
    blocker.write_text("a file where the plans folder should be")
    code = main(
        [
            "run", "--extract", str(tmp_path / "extract"), "--as-of", "2026-11-23",
            "--out", str(blocker), "--warehouse", str(tmp_path / "w.duckdb"),
        ]
    )  # fmt: skip
    assert code == 1
    assert capsys.readouterr().err.startswith("error: ")


def test_a_malformed_as_of_date_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["run", "--extract", "data/sample", "--as-of", "25/11/2026"])
    assert exit_info.value.code == 2
    assert "not a date in YYYY-MM-DD form" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("arguments", "missing"),
    [
        (["run", "--extract", "data/sample"], "--as-of"),
        (["run", "--as-of", "2026-11-23"], "--extract"),
        (["validate"], "--extract"),
    ],
)
def test_run_and_validate_plan_nothing_by_default(arguments, missing, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(arguments)
    assert exit_info.value.code == 2
    assert f"the following arguments are required: {missing}" in capsys.readouterr().err


def test_setting_flags_show_their_variable_and_default(capsys):
    with pytest.raises(SystemExit):
        main(["run", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "(PLANNER_HORIZON_DAYS; default 182)" in text
    assert "(PLANNER_WAREHOUSE; default warehouse/planner.duckdb in the project)" in text
    assert "``" not in text


def test_generate_writes_the_requested_number_of_skus(tmp_path, capsys):
    assert (
        main(
            [
                "generate",
                "--skus",
                "150",
                "--seed",
                "1",
                "--out",
                str(tmp_path),
                "--as-of",
                "2026-11-23",
            ]
        )
        == 0
    )
    assert "skus 150" in capsys.readouterr().out
    assert (tmp_path / "manifest.json").exists()


def test_version_prints_the_installed_version_without_loading_the_planner():
    # run in a fresh interpreter: which modules --version loads is the point
    probe = (
        "import sys\n"
        "from planning.cli import main\n"
        "try:\n"
        "    main(['--version'])\n"
        "except SystemExit as done:\n"
        "    heavy = [m for m in ('polars', 'duckdb', 'numba', 'great_expectations', 'ortools')"
        " if m in sys.modules]\n"
        "    print('exit', done.code, 'loaded', heavy)\n"
    )
    shown = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert shown == [f"planner {version('planning')}", "exit 0 loaded []"]
