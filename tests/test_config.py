from __future__ import annotations

import pytest

from accel import config
from tests.conftest import clean_env, run_python


def test_defaults_agree_with_option_table():
    cfg = config.Config()
    for option in config.OPTIONS:
        if option.name != "cache_dir":
            assert getattr(cfg, option.name) == option.default, option.name
    assert set(cfg.as_dict()) == set(config.OPTIONS_BY_NAME)


def test_environment_values_are_parsed():
    cfg = config.from_environ({
        "ACCEL": "yes", "ACCEL_BJIT_THRESHOLD": "0", "ACCEL_LLVM_THRESHOLD": "7", "ACCEL_MAX_TIER": "1",
        "ACCEL_INCLUDE": "myapp, other.*", "ACCEL_EXCLUDE": "myapp.slow", "ACCEL_STATS": "on",
        "ACCEL_LOG": "debug", "ACCEL_CACHE_DIR": "~/x",
    })
    assert cfg.enabled and cfg.stats
    assert (cfg.bjit_threshold, cfg.llvm_threshold, cfg.max_tier, cfg.log) == (0, 7, 1, 2)
    assert cfg.include == ("myapp", "other.*") and cfg.exclude == ("myapp.slow",)
    assert cfg.cache_dir.endswith("/x") and not cfg.cache_dir.startswith("~")


@pytest.mark.parametrize("var,value,field,default", [
    ("ACCEL_BJIT_THRESHOLD", "abc", "bjit_threshold", 25),
    ("ACCEL_BJIT_THRESHOLD", "-3", "bjit_threshold", 25),
    ("ACCEL_MAX_TIER", "7", "max_tier", 2),
    ("ACCEL_STATS", "maybe", "stats", False),
    ("ACCEL_LOG", "loud", "log", 0),
])
def test_bad_value_warns_once_and_uses_default(capsys, var, value, field, default):
    config._warned.clear()
    cfg = config.from_environ({var: value})
    assert getattr(cfg, field) == default
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert var in err and repr(value) in err and repr(default) in err


def test_unknown_variable_warns(capsys):
    config._warned.clear()
    config.from_environ({"ACCEL_TRESHOLD": "3"})
    assert "ACCEL_TRESHOLD" in capsys.readouterr().err


def test_bad_value_in_a_real_process_runs_on_with_one_warning():
    proc = run_python(["-c", "import accel; print(accel.enabled(), accel.current_config().bjit_threshold)"],
                      env=clean_env(ACCEL="1", ACCEL_BJIT_THRESHOLD="abc"))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "True 25"
    assert proc.stderr.count("ACCEL_BJIT_THRESHOLD") == 1 and "Traceback" not in proc.stderr


def test_bad_accel_value_means_off_with_a_warning():
    proc = run_python(["-c", "import sys; print('accel._core' in sys.modules)"], env=clean_env(ACCEL="perhaps"))
    assert proc.returncode == 0
    assert proc.stdout.strip() == "False"
    assert "ACCEL='perhaps'" in proc.stderr and "Traceback" not in proc.stderr


def test_with_options_checks_names_and_values():
    cfg = config.Config()
    assert cfg.with_options(bjit_threshold=0, stats=True, include=["a"]).include == ("a",)
    assert cfg.with_options(bjit_threshold="5").bjit_threshold == 5
    with pytest.raises(TypeError, match="unknown option"):
        cfg.with_options(bjit_treshold=0)
    with pytest.raises(ValueError, match="bjit_threshold"):
        cfg.with_options(bjit_threshold=-1)
    with pytest.raises(ValueError, match="stats"):
        cfg.with_options(stats="sometimes")


def test_options_table_lists_every_variable():
    table = config.options_table()
    for option in config.OPTIONS:
        assert f"`{option.env}`" in table


def test_readme_options_table_is_current():
    import pathlib

    readme = (pathlib.Path(__file__).parent.parent / "README.md").read_text()
    assert config.options_table() in readme, "regenerate the README table with `python -m accel --options`"


@pytest.mark.parametrize("var,value,field", [
    ("ACCEL_INCLUDE", "", "include"),
    ("ACCEL_INCLUDE", " , ", "include"),
    ("ACCEL_EXCLUDE", "", "exclude"),
    ("ACCEL_LAZY_BLOCKS", "", "lazy_blocks"),
    ("ACCEL_STATS", " ", "stats"),
    ("ACCEL_STATS_FILE", "", "stats_file"),
    ("ACCEL_CACHE_DIR", " ", "cache_dir"),
    ("ACCEL_BJIT_THRESHOLD", "", "bjit_threshold"),
    ("ACCEL_LOG", "", "log"),
])
def test_empty_value_means_the_default_with_one_warning(capsys, var, value, field):
    config._warned.clear()
    cfg = config.from_environ({var: value})
    assert getattr(cfg, field) == getattr(config.Config(), field)
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("accel: warning: ")
    assert f"{var}={value!r}" in err and "using the default" in err


def test_empty_include_says_every_module(capsys):
    config._warned.clear()
    assert config.from_environ({"ACCEL_INCLUDE": ""}).include is None
    assert "ACCEL_INCLUDE='' is empty; using the default (every module)" in capsys.readouterr().err


def test_empty_include_in_a_real_process_compiles_as_the_default():
    source = ("import accel\n"
              "def f(x):\n    return x + 1\n"
              "for i in range(100):\n    f(i)\n"
              "print(accel.current_config().include, accel.tier(f))\n")
    proc = run_python(["-c", source], env=clean_env(ACCEL="1", ACCEL_INCLUDE="", ACCEL_COMPILE_BUDGET="0"))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["None", "1"]
    assert proc.stderr.count("\n") == 1 and "ACCEL_INCLUDE=''" in proc.stderr and "Traceback" not in proc.stderr


@pytest.mark.parametrize("value", ["", " ", "garbage", "-1", "1e999", "nan", "\u00e9\u00e9"])
def test_every_variable_with_a_bad_value_warns_once_each_and_runs(value, tmp_path):
    env = clean_env(ACCEL="1", **{o.env: value for o in config.OPTIONS if o.env != "ACCEL"})
    proc = run_python(["-c", "import accel; print(accel.enabled())"], env=env, cwd=str(tmp_path))  # (stats file)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "True"
    assert "Traceback" not in proc.stderr
    for option in config.OPTIONS:
        assert proc.stderr.count(f"{option.env}=") <= 1, (option.env, proc.stderr)


def test_api_include_naming_no_module_is_an_error():
    cfg = config.Config()
    for bad in ("", " , ", [], [""]):
        with pytest.raises(ValueError, match="include"):
            cfg.with_options(include=bad)
    assert cfg.with_options(include=[" myapp "]).include == ("myapp",)
    assert cfg.with_options(exclude=[]).exclude == ()
