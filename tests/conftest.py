"""Shared fixtures: a clean environment for subprocesses, and accel installed in-process for one test."""

from __future__ import annotations

import os
import subprocess
import sys
import types
from collections.abc import Iterator

import pytest


def clean_env(**extra: str) -> dict[str, str]:
    """os.environ without any ACCEL* variable, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ACCEL")}
    env["PYTHONHASHSEED"] = "0"
    env.update(extra)
    return env


def module_codes(modules: list[str]) -> list[types.CodeType]:
    """Every code object of the named modules' source (compiled afresh, so nothing has run or quickened them),
    nested ones included, module bodies first."""
    out = []
    for name in modules:
        module = __import__(name, fromlist=["_"])
        with open(module.__file__) as f:
            stack = [compile(f.read(), module.__file__, "exec")]
        while stack:
            code = stack.pop()
            stack.extend(k for k in code.co_consts if isinstance(k, types.CodeType))
            out.append(code)
    return out


def run_python(args: list[str], env: dict[str, str] | None = None, cwd: str | None = None,
               timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, *args], env=env if env is not None else clean_env(), cwd=cwd,
                          capture_output=True, text=True, timeout=timeout)


@pytest.fixture
def installed() -> Iterator[None]:
    """accel installed with the given defaults for the duration of one test, then removed."""
    import accel

    was_enabled = accel.enabled()
    yield
    accel.uninstall()
    if was_enabled:
        accel.install()
