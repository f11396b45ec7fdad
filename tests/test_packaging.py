"""The startup hook: installed into site-packages, inert without ACCEL, process-wide with ACCEL=1."""

from __future__ import annotations

import os
import site
import subprocess
import sysconfig

from tests.conftest import clean_env, run_python


def test_pth_file_is_in_site_packages():
    dirs = [sysconfig.get_path("purelib"), *site.getsitepackages()]
    assert any(os.path.exists(os.path.join(d, "accel.pth")) for d in dirs), dirs


def test_without_accel_nothing_is_imported():
    proc = run_python(["-c", "import sys; print(sorted(m for m in sys.modules if m.startswith('accel')))"])
    assert proc.stdout.strip() == "[]"


def test_accel_1_turns_it_on_for_the_process():
    proc = run_python(["-c", "import accel; print(accel.enabled())"], env=clean_env(ACCEL="1"))
    assert proc.stdout.strip() == "True", proc.stderr
    proc = run_python(["-c", "import accel; print(accel.enabled())"], env=clean_env(ACCEL="0"))
    assert proc.stdout.strip() == "False", proc.stderr


def test_accel_1_pip_version():
    proc = run_python(["-m", "pip", "--version"], env=clean_env(ACCEL="1", ACCEL_BJIT_THRESHOLD="0"))
    assert proc.returncode == 0 and proc.stdout.startswith("pip "), proc.stderr
    assert proc.stderr == ""


def test_accel_1_venv_with_pip(tmp_path):
    env = clean_env(ACCEL="1", ACCEL_BJIT_THRESHOLD="0")
    proc = run_python(["-m", "venv", str(tmp_path / "venv")], env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    pip = subprocess.run([str(tmp_path / "venv" / "bin" / "python"), "-m", "pip", "--version"], env=env,
                         capture_output=True, text=True)
    assert pip.returncode == 0 and pip.stdout.startswith("pip ")
