"""python -m accel behaves like plain python: argv, sys.path, __main__, exit codes, exceptions."""

from __future__ import annotations

import json
import sys
import textwrap

from tests.conftest import clean_env, run_python

SCRIPT = textwrap.dedent("""
    import sys, os
    print("argv", sys.argv[1:], os.path.basename(sys.argv[0]))
    print("name", __name__)
    print("path0", sys.path[0] == os.path.dirname(os.path.realpath(__file__)))
    import accel
    print("enabled", accel.enabled())
    def fib(n):
        return n if n < 2 else fib(n - 1) + fib(n - 2)
    print("fib", fib(15))
    if len(sys.argv) > 1 and sys.argv[1] == "exit":
        sys.exit(int(sys.argv[2]))
    if len(sys.argv) > 1 and sys.argv[1] == "raise":
        def deeper():
            raise ValueError("boom")
        deeper()
""")


def _script(tmp_path):
    path = tmp_path / "prog.py"
    path.write_text(SCRIPT)
    return str(path)


def test_script_runs_with_argv_and_main(tmp_path):
    proc = run_python(["-m", "accel", _script(tmp_path), "a", "--b"])
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == ["argv ['a', '--b'] prog.py", "name __main__", "path0 True",
                                        "enabled True", "fib 610"]


def test_exit_code_is_passed_through(tmp_path):
    assert run_python(["-m", "accel", _script(tmp_path), "exit", "3"]).returncode == 3


def test_uncaught_exception_looks_like_plain_python(tmp_path):
    script = _script(tmp_path)
    plain = run_python([script, "raise"])
    accel = run_python(["-m", "accel", script, "raise"])
    assert plain.returncode == accel.returncode == 1
    assert accel.stderr == plain.stderr
    assert "accel" not in accel.stderr and "runpy" not in accel.stderr


def test_dash_m_runs_a_module(tmp_path):
    (tmp_path / "mymod.py").write_text("import sys\nprint('mod', __name__, sys.argv[1:])\n")
    proc = run_python(["-m", "accel", "-m", "mymod", "x"], cwd=str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "mod __main__ ['x']"


def test_stats_options(tmp_path):
    stats_file = tmp_path / "s.json"
    proc = run_python(["-m", "accel", "--stats", "--stats-file", str(stats_file), "--threshold", "0",
                       _script(tmp_path)])
    assert proc.returncode == 0, proc.stderr
    assert "accel stats" in proc.stderr
    data = json.loads(stats_file.read_text())
    assert data["functions_compiled"] >= 2 and data["bjit_threshold"] == 0


def test_include_option_limits_compilation(tmp_path):
    stats_file = tmp_path / "s.json"
    proc = run_python(["-m", "accel", "--include", "nothing_matches", "--threshold", "0", "--stats-file",
                       str(stats_file), _script(tmp_path)])
    assert proc.returncode == 0, proc.stderr
    assert json.loads(stats_file.read_text())["functions_compiled"] == 0


def test_bad_options_give_a_usage_error_not_a_traceback(tmp_path):
    for args in (["--frobnicate", "x.py"], ["--threshold", "abc", "x.py"], [], ["-m"]):
        proc = run_python(["-m", "accel", *args])
        assert proc.returncode == 2, args
        assert "accel: error:" in proc.stderr and "Traceback" not in proc.stderr


def test_help_version_and_options_table():
    assert "usage: python -m accel" in run_python(["-m", "accel", "--help"]).stdout
    assert run_python(["-m", "accel", "--version"]).stdout.startswith("accel ")
    assert "ACCEL_BJIT_THRESHOLD" in run_python(["-m", "accel", "--options"]).stdout


def test_python_dash_m_accel_dash_m_pip_list():
    proc = run_python(["-m", "accel", "-m", "pip", "list", "--disable-pip-version-check"])
    assert proc.returncode == 0, proc.stderr
    assert "accel" in proc.stdout and sys.version_info >= (3, 11)


def test_missing_script_and_module_are_reported_like_python(tmp_path):
    missing = str(tmp_path / "missing.py")
    plain, accel = run_python([missing]), run_python(["-m", "accel", missing])
    assert (accel.returncode, accel.stderr) == (plain.returncode, plain.stderr) == (2, accel.stderr)
    plain, accel = run_python(["-m", "no_such_module_here"]), run_python(["-m", "accel", "-m", "no_such_module_here"])
    assert (accel.returncode, accel.stderr) == (plain.returncode, plain.stderr)
    (tmp_path / "imports_missing.py").write_text("import no_such_module_either\n")
    plain = run_python(["-m", "imports_missing"], cwd=str(tmp_path))
    accel = run_python(["-m", "accel", "-m", "imports_missing"], cwd=str(tmp_path))
    assert accel.returncode == plain.returncode == 1
    assert "Traceback" in accel.stderr and accel.stderr.endswith(plain.stderr.splitlines()[-1] + "\n")


def test_compare_runs_the_program_both_ways_and_reports_the_speed_up(tmp_path):
    """--compare: N runs each of plain CPython and of ACCEL=1 (the caller's ACCEL_* variables its options), the
    program's output hidden, both medians, the ratio and accel's counters; a program that fails under either is
    reported, with exit code 1."""
    script = _script(tmp_path)
    proc = run_python(["-m", "accel", "--compare", "-n", "2", script, "a"],
                      env=clean_env(ACCEL_BJIT_THRESHOLD="1", ACCEL_STARTUP_MS="0"))
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "argv" not in out  # (the program's own output is hidden)
    lines = out.splitlines()
    assert lines[0].startswith("CPython") and "median of 2" in lines[0]
    assert lines[1].startswith("accel") and lines[2].startswith("speed-up ")
    assert float(lines[2].split()[1].rstrip("x")) > 0
    assert "accel stats" in out and "functions compiled" in out
    assert "fib" not in out and int(out.split("tier 1: ")[1].split(",")[0]) >= 1  # (fib compiled: the options apply)
    failing = run_python(["-m", "accel", "--compare", "-n", "1", script, "raise"])
    assert failing.returncode == 1
    assert "cpython runs failed: ValueError: boom" in failing.stdout
    assert "accel runs failed: ValueError: boom" in failing.stdout
