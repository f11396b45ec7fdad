"""Executable memory: allocation, writing, running, freeing, and W^X at every point."""

from __future__ import annotations

import ctypes

import pytest

from accel.runtime import core
from tests.conftest import run_python

RETURN_42 = bytes.fromhex("b82a000000c3")  # mov eax, 42; ret


def _mappings_containing(address: int) -> str:
    with open("/proc/self/maps") as fh:
        for line in fh:
            span, perms = line.split()[:2]
            lo, hi = (int(x, 16) for x in span.split("-"))
            if lo <= address < hi:
                return perms
    raise AssertionError(f"{address:#x} is not mapped")


def _writable_and_executable() -> list[str]:
    with open("/proc/self/maps") as fh:
        return [line for line in fh if "w" in line.split()[1] and "x" in line.split()[1]]


def test_written_code_runs_and_pages_are_never_wx():
    c = core()
    address = c.arena_alloc(len(RETURN_42))
    c.arena_write(address, RETURN_42)
    assert ctypes.CFUNCTYPE(ctypes.c_int)(address)() == 42
    assert _mappings_containing(address).startswith("r-x")
    assert not [m for m in _writable_and_executable() if "accel" in m]
    c.arena_write(address + 1, (7).to_bytes(4, "little"))  # patch the immediate while it is executable
    assert ctypes.CFUNCTYPE(ctypes.c_int)(address)() == 7
    c.arena_free(address, len(RETURN_42))


def test_free_reuses_memory_and_counts_bytes():
    c = core()
    before = c.counters()
    a = c.arena_alloc(100)
    b = c.arena_alloc(100)
    assert b - a >= 100 and a % 16 == 0 and b % 16 == 0
    mid = c.counters()
    assert mid["arena_used_bytes"] - before["arena_used_bytes"] == 224  # 2 x 112 (16-byte aligned)
    c.arena_free(a, 100)
    assert c.arena_alloc(100) == a  # first fit takes the hole back
    c.arena_free(a, 100)
    c.arena_free(b, 100)
    after = c.counters()
    assert after["arena_used_bytes"] == before["arena_used_bytes"]
    assert after["arena_frees"] - before["arena_frees"] == 3


def test_big_allocation_gets_its_own_chunk_and_bad_addresses_are_refused():
    c = core()
    big = c.arena_alloc(3 << 20)
    c.arena_write(big + (3 << 20) - len(RETURN_42), RETURN_42)
    assert ctypes.CFUNCTYPE(ctypes.c_int)(big + (3 << 20) - len(RETURN_42))() == 42
    c.arena_free(big, 3 << 20)
    with pytest.raises(ValueError):
        c.arena_write(0x1000, b"x")
    with pytest.raises(ValueError):
        c.arena_free(0x1000, 16)


def test_flip_mode_fallback_keeps_wx():
    prog = """
import ctypes
from accel.runtime import core
c = core()
c.arena_force_flip_mode()
a = c.arena_alloc(16)
c.arena_write(a, bytes.fromhex("b82a000000c3"))
print(ctypes.CFUNCTYPE(ctypes.c_int)(a)(), c.counters()["arena_dual_mapped"])
print(sum(1 for l in open("/proc/self/maps") if "w" in l.split()[1] and "x" in l.split()[1]))
"""
    proc = run_python(["-c", prog])
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["42", "0", "0"]


def test_code_written_after_fork_stays_in_its_own_process():
    """Dual-mapped chunks are shared pages: without unsharing them at fork, a write by the child (new code, a
    patched jump) would change the parent's machine code at the same address."""
    prog = """
import ctypes, os
from accel.runtime import core
c = core()
a = c.arena_alloc(16)
c.arena_write(a, bytes.fromhex("b82a000000c3"))      # mov eax, 42; ret
pid = os.fork()
if pid == 0:
    c.arena_write(a, bytes.fromhex("b807000000c3"))  # the child's own code: mov eax, 7; ret
    os._exit(0 if ctypes.CFUNCTYPE(ctypes.c_int)(a)() == 7 else 1)
_, status = os.waitpid(pid, 0)
print(ctypes.CFUNCTYPE(ctypes.c_int)(a)(), os.waitstatus_to_exitcode(status))
"""
    proc = run_python(["-c", prog])
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["42", "0"]
