"""Every counter of accel, in one place.

Python-side counters live in STATS (a plain object with one attribute per counter, cheap to bump); C-side ones
(frames seen, code objects registered, executable-memory bytes) are read from accel._core when asked.
`snapshot()` merges both into the dict that `accel.stats()` returns.  Keys that a later tier fills stay 0
until that tier exists, so scripts can rely on them.
"""

from __future__ import annotations

import os
import sys
from collections import Counter

from accel._builtins import BUILTINS as __builtins__  # type: ignore[no-redef]  # noqa: E402,F401 private builtins, see accel/_builtins.py

TYPE_CHECKING = False  # (typing is not imported at start-up; see accel/config.py)
if TYPE_CHECKING:
    from typing import Any, TextIO


class Stats:
    def __init__(self) -> None:
        self.functions_compiled = 0        # code objects the compiler finished (IR built, code emitted)
        self.functions_tier1 = 0
        self.functions_tier2 = 0
        self.functions_excluded = 0        # hot code whose module is excluded
        self.compiles_deferred = 0         # automatic compiles put off by the compile budget
        self.compile_failures: Counter[str] = Counter()  # reason -> count; those functions stay interpreted
        self.compile_skipped: Counter[str] = Counter()   # not compiled by design (module bodies...), by reason
        self.fallbacks: Counter[str] = Counter()         # compiled code handing frames back, by reason
        self.bjit_code_bytes = 0
        self.bjit_compile_seconds = 0.0
        # tier-1 pieces of code (a head, a block, a whole function) placed from templates (bjit/templates.py),
        # generated directly because an instruction had no template, or never tried (generators, counting)
        self.bjit_pieces_templated = 0
        self.bjit_pieces_fallback = 0
        self.bjit_pieces_direct = 0
        self.bjit_templates_made = 0
        self.bjit_templates_loaded = 0     # read from the template file (earlier processes'), on demand: snapshot()
        self.bjit_template_seconds = 0.0   # spent making templates (part of bjit_compile_seconds)
        self.bjit_template_failures: Counter[str] = Counter()  # "OPNAME: reason" -> keys that have no template
        self.bjit_instructions = 0         # IR instructions turned into machine code
        self.bjit_blocks_compiled = 0      # blocks compiled on their own, when first reached (a block at a time)
        # (C counters, merged in by snapshot(): bjit_blocks_placed_in_c, of bjit_blocks_compiled those placed by
        # csrc/bjit_lazy_place.c without Python; bjit_heads_placed_in_c, functions' heads it placed;
        # bjit_blocks_to_python, why the others were not, by reason)
        self.bjit_far_calls = 0            # 1 once code landed out of direct-call reach of C (calls via registers)
        self.block_failures: Counter[str] = Counter()  # such blocks that could not be: the interpreter runs them
        self.bjit_unsupported_sites: Counter[str] = Counter()  # opname -> compiled sites that hand back
        self.ic_hits = 0
        self.ic_misses = 0
        self.ic_inline_hits_counted = True  # False: ic_hits lacks the inline checks' hits (not counting)
        self.llvm_compile_seconds = 0.0
        self.cache_hits = 0
        self.cache_misses = 0
        self.ir_build_seconds = 0.0
        self.ir_instructions = 0
        self.ir_bytes = 0

    def reset(self) -> None:
        self.__init__()  # type: ignore[misc]


STATS = Stats()


def snapshot() -> dict[str, Any]:
    """All counters as a plain dict (C counters included when the shim is loaded)."""
    out: dict[str, Any] = {}
    core = sys.modules.get("accel._core")
    if core is not None:
        out.update(core.counters())
    else:
        out["code_objects_registered"] = 0
    for key, value in vars(STATS).items():
        out[key] = dict(value) if isinstance(value, Counter) else value
    out["compile_failures_total"] = sum(STATS.compile_failures.values())
    templates = sys.modules.get("accel.bjit.templates")
    if templates is not None:  # (C reads templates from the file when it needs them: counted there)
        out["bjit_templates_loaded"] = templates.CACHE.loaded
    if core is not None:
        _merge_bjit_counters(out, core.bjit_counters())
        _merge_lazy_place_counters(out, core.lazy_place_counters())
        out.update({f"osr_{k}": v for k, v in core.osr_counters().items()})
    return out


HANDBACK_REASONS = ("unsupported", "helper", "tracing", "resume", "block", "handler")  # csrc/bjit.h ACCEL_HB_*


def _merge_bjit_counters(out: dict[str, Any], counters: dict[str, Any]) -> None:
    """Tier-1 exits: frames returned from machine code, exceptions and where they were handled, and
    hand-backs by reason and opcode ("unsupported:RAISE_VARARGS"), which go into `fallbacks`."""
    import dis

    out["bjit_returns"] = counters["returns"]
    out["bjit_yields"] = counters["yields"]
    out["bjit_errors"] = counters["errors"]
    out["bjit_handbacks"] = counters["handbacks"]
    # exceptions raised in machine code (bjit_errors), by where the trampoline's unwinding took them
    for key in ("exc_caught_jit", "exc_caught_interp", "exc_left", "exc_to_interp"):
        out[f"bjit_{key}"] = counters[key]
    out["ic_hits"] += counters["ic_hits"]
    out["ic_misses"] += counters["ic_misses"]
    out["ic_inline_hits_counted"] = bool(counters["counting"])
    out["fast_ops"] = counters["fast_ops"]
    for key in ("ic_slot_hits", "ic_helper_hits", "ic_shared_hits", "ic_rewrites", "ic_slots_written",
                "ic_evictions", "ic_regions", "ic_bytes", "ic_megamorphic"):
        out[key] = counters[key]
    out["insn_jit"] = counters["insn_jit"]
    out["insn_interp"] = counters["insn_interp"]
    fallbacks = dict(out["fallbacks"])
    for (reason, opcode), count in counters["handback_sites"].items():
        key = HANDBACK_REASONS[reason] + (f":{dis.opname[opcode]}" if opcode else "")
        fallbacks[key] = fallbacks.get(key, 0) + count
    out["fallbacks"] = fallbacks


def _merge_lazy_place_counters(out: dict[str, Any], counters: dict[str, Any]) -> None:
    """Heads and blocks placed by csrc/bjit_lazy_place.c count as tier-1 code generation like those Python
    places (a head's time is counted by the Python compiler, which asked for it)."""
    import dis

    out["bjit_blocks_placed_in_c"] = counters["blocks"]
    out["bjit_heads_placed_in_c"] = counters["heads"]
    out["bjit_plans_built_in_c"] = counters["plans_built"]  # (functions compiled without their IR: bjit_plan.c)
    out["bjit_plans_declined"] = counters["plans_declined"]
    out["bjit_plan_instructions"] = counters["plan_instructions"]
    out["bjit_blocks_to_python"] = {k: v for k, v in counters["declined"].items() if v}
    out["bjit_blocks_compiled"] += counters["blocks"]
    out["bjit_pieces_templated"] += counters["blocks"] + counters["heads"]
    out["bjit_instructions"] += counters["instructions"]
    out["bjit_code_bytes"] += counters["bytes"]
    out["bjit_compile_seconds"] += counters["seconds"]
    sites = dict(out["bjit_unsupported_sites"])
    for opcode, count in counters["handback_sites"].items():
        sites[dis.opname[opcode]] = sites.get(dis.opname[opcode], 0) + count
    out["bjit_unsupported_sites"] = sites


def _hit_rate(data: dict[str, Any]) -> str:
    if not data.get("ic_inline_hits_counted", True):
        return "hits of the inline checks counted only with ACCEL_COUNT_INSTRUCTIONS=1"
    total = data["ic_hits"] + data["ic_misses"]
    return f"hit rate {100 * data['ic_hits'] / total:.2f}%" if total else "no lookups"


def format_summary(data: dict[str, Any]) -> str:
    failures = ", ".join(f"{k}: {v}" for k, v in sorted(data["compile_failures"].items())) or "none"
    fallbacks = ", ".join(f"{k}: {v}" for k, v in sorted(data["fallbacks"].items())) or "none"
    skipped = ", ".join(f"{k}: {v}" for k, v in sorted(data["compile_skipped"].items())) or "none"
    raised = data.get("bjit_exc_left", 0) + data.get("bjit_exc_to_interp", 0)  # (frames left with an exception)
    tier1_frames = data.get("bjit_returns", 0) + data.get("bjit_yields", 0) + raised + data.get("bjit_handbacks", 0)
    lines = [
        "accel stats",
        f"  code objects registered   {data.get('code_objects_registered', 0):>10}"
        "   (each at its first run)",
        f"  frames seen by the hook   {data.get('frames_seen', 0):>10}",
        f"  functions compiled        {data['functions_compiled']:>10}"
        f"   (tier 1: {data['functions_tier1']}, tier 2: {data['functions_tier2']},"
        f" excluded when hot: {data['functions_excluded']}, put off by the budget: {data['compiles_deferred']})",
        f"  compile failures          {data['compile_failures_total']:>10}   ({failures})",
        f"  left to the interpreter   {sum(data['compile_skipped'].values()):>10}   ({skipped})",
        f"  tier-1 frames             {tier1_frames:>10}"
        f"   (returned: {data.get('bjit_returns', 0)}, yielded: {data.get('bjit_yields', 0)},"
        f" raised: {raised},"
        f" handed back: {data.get('bjit_handbacks', 0)})",
        f"  exceptions in tier 1      {data.get('bjit_errors', 0):>10}"
        f"   (caught in machine code: {data.get('bjit_exc_caught_jit', 0)},"
        f" by handlers the interpreter ran: {data.get('bjit_exc_caught_interp', 0)};"
        f" left their frame: {data.get('bjit_exc_left', 0)}; unwound by the interpreter (tracing):"
        f" {data.get('bjit_exc_to_interp', 0)})",
        f"  entered without the hook  {data.get('calls_direct', 0) + data.get('generator_resumes_direct', 0):>10}"
        f"   (calls from machine code: {data.get('calls_direct', 0)}, of them binding *args/**kwargs/keyword-only"
        f" or f(*args, **kwargs): {data.get('calls_direct_bound', 0)};"
        f" generator resumptions: {data.get('generator_resumes_direct', 0)};"
        f" generators made: {data.get('generators_made_direct', 0)},"
        f" collected by tuple/list/set/join: {data.get('generators_collected_direct', 0)})",
        f"  moved in at a loop (OSR)  {data.get('osr_entered', 0):>10}"
        f"   (pending calls: {data.get('osr_requests', 0)}, not at a loop then: {data.get('osr_not_at_loop', 0)},"
        f" put off: {data.get('osr_put_off', 0)}, declined: {data.get('osr_declined', 0)})",
        f"  fallbacks to interpreter  {sum(data['fallbacks'].values()):>10}   ({fallbacks})",
        f"  blocks compiled on demand {data['bjit_blocks_compiled']:>10}"
        f"   (after the function's head; placed by C: {data.get('bjit_blocks_placed_in_c', 0)};"
        f" could not: {sum(data['block_failures'].values())})",
        f"  IR built                  {data['ir_instructions']:>10} instructions in"
        f" {data['ir_build_seconds'] * 1e3:.1f} ms, {data['ir_bytes'] / 1024:.1f} KiB"
        f"   (functions compiled from a plan C built instead: {data.get('bjit_plans_built_in_c', 0)})",
        f"  tier-1 code generation    {data['bjit_compile_seconds']:>10.3f} s"
        f"   ({data['bjit_instructions']} IR instructions,"
        f" {data['bjit_compile_seconds'] * 1e6 / max(data['bjit_instructions'], 1):.1f} us each)",
        f"  tier-1 templates          {data['bjit_templates_made']:>10}   (made in"
        f" {data['bjit_template_seconds'] * 1e3:.1f} ms, {data['bjit_templates_loaded']} read from the cache as needed;"
        f" pieces placed from them: {data['bjit_pieces_templated']},"
        f" generated directly: {data['bjit_pieces_fallback']} without a template,"
        f" {data['bjit_pieces_direct']} not tried)",
        f"  machine code              {data['bjit_code_bytes']:>10} bytes"
        f"   (arena: {data.get('arena_used_bytes', 0)} used of {data.get('arena_mapped_bytes', 0)} mapped)",
        f"  inline caches             {data['ic_hits']:>10} hits, {data['ic_misses']} misses"
        f"   (attribute sites, {_hit_rate(data)}; hits in executable slots: {data.get('ic_slot_hits', 0)},"
        f" in the helper's entries: {data.get('ic_helper_hits', 0)} (of them in the shared table:"
        f" {data.get('ic_shared_hits', 0)}); typed fast paths of operators:"
        f" {data.get('fast_ops', 0)})",
        f"  IC regions                {data.get('ic_regions', 0):>10}   ({data.get('ic_bytes', 0)} bytes;"
        f" {data.get('ic_slots_written', 0)} slots written in {data.get('ic_rewrites', 0)} rewrites,"
        f" {data.get('ic_evictions', 0)} evicted; megamorphic sites: {data.get('ic_megamorphic', 0)})",
        f"  LLVM                      {data['llvm_compile_seconds']:>10.3f} s compiling,"
        f" cache {data['cache_hits']} hits / {data['cache_misses']} misses",
    ]
    executed = data.get("insn_jit", 0) + data.get("insn_interp", 0)
    if executed:  # only in the counting mode (ACCEL_COUNT_INSTRUCTIONS)
        lines.append(f"  instructions executed     {executed:>10}   (machine code: {data['insn_jit']},"
                     f" {100 * data['insn_jit'] / executed:.1f}%; interpreter: {data['insn_interp']})")
    return "\n".join(lines)


def print_summary(stream: TextIO | None = None) -> None:
    stream = stream or sys.stderr
    stream.write(format_summary(snapshot()) + "\n")


def write_json(path: str) -> None:
    """Write the counters to `path` as JSON, atomically (a temporary file beside it, then a rename).  A path that
    cannot be written (a folder, a missing or read-only folder, a full disk) raises OSError naming `path`, and
    leaves nothing behind."""
    import json  # (not at start-up: accel.stats is imported by every ACCEL=1 process)

    data = json.dumps(snapshot(), indent=1, sort_keys=True)  # (first: the counters are not to count our checks)
    if os.path.isdir(path):
        raise IsADirectoryError(f"{path!r} is a folder, not a file")
    tmp = f"{path}.{os.getpid()}.tmp"
    try:
        with open(tmp, "w") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except OSError as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise type(exc)(f"{path!r}: {exc.strerror or exc}") from None
