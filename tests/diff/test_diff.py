"""Differential tests: every corpus program must behave identically under plain CPython and accel.

All selected programs are run once, in parallel, by a session fixture; each parametrized test then
checks its own program's result (stdout, stderr, exit code identical; accel stats show real activity).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest


def _load_runner():
    name = "accel_diff_runner"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name("runner.py"))
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


runner = _load_runner()
PROGRAMS = [p.stem for p in runner.list_programs()]


def _selected_programs(session: pytest.Session) -> list[str]:
    names = []
    for item in session.items:
        if getattr(item, "originalname", None) == "test_program" and item.path == Path(__file__):
            names.append(item.callspec.params["program"])
    return names or PROGRAMS


@pytest.fixture(scope="session")
def diff_results(request: pytest.FixtureRequest) -> dict[str, object]:
    results = runner.run_corpus(_selected_programs(request.session))
    return {r.name: r for r in results}


def test_corpus_is_not_empty() -> None:
    assert len(PROGRAMS) >= 25, f"expected at least 25 corpus programs, found {len(PROGRAMS)}"


@pytest.mark.parametrize("program", PROGRAMS)
def test_program(program: str, diff_results: dict[str, object]) -> None:
    result = diff_results.get(program)
    if result is None:  # selected in an unusual way (e.g. by node id only): run it now
        result = runner.compare_program(runner.list_programs([program])[0])
    if not result.ok:
        pytest.fail(result.report(), pytrace=False)


WHOLE_FUNCTION_PROGRAMS = ["exceptions_basic", "generators", "closures", "numeric_kernels", "polymorphic_sites",
                           "settrace_midrun", "recursion", "class_mutation"]


def test_whole_function_mode_matches_cpython() -> None:
    """ACCEL_LAZY_BLOCKS=0 (all of a function's blocks at once) stays correct too."""
    results = runner.run_corpus(WHOLE_FUNCTION_PROGRAMS, extra_env={"ACCEL_LAZY_BLOCKS": "0"})
    failed = [r.report() for r in results if not r.ok]
    assert len(results) == len(WHOLE_FUNCTION_PROGRAMS) and not failed, "\n".join(failed)


WARM_PROGRAMS = ["type_feedback_shifts", "mixed_arithmetic", "polymorphic_sites", "arith_fast_paths", "slots_members",
                 "dict_attribute_stores", "attr_cache_invalidation", "class_mutation", "identity_and_truth",
                 "coroutine_creation", "hot_polymorphic", "numeric_kernels", "monkeypatch_globals", "unbound_locals",
                 "call_sites_shifting", "builtin_sites_shifting", "unpack_sites_shifting",
                 "ic_slot_invalidation", "tracing_from_helpers"]


def test_warm_mode_matches_cpython() -> None:
    """ACCEL_BJIT_THRESHOLD=30: functions run in the interpreter first, so CPython has quickened them and tier 1
    compiles with that feedback (bjit/feedback.py: only the cases seen inline) -- then they see other types."""
    # (ACCEL_STARTUP_MS=0: these programs run for less than the start-up time compiles otherwise wait for)
    results = runner.run_corpus(WARM_PROGRAMS, extra_env={"ACCEL_BJIT_THRESHOLD": "30", "ACCEL_STARTUP_MS": "0"})
    failed = [r.report() for r in results if not r.ok]
    assert len(results) == len(WARM_PROGRAMS) and not failed, "\n".join(failed)
