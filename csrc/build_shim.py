"""cffi build script for accel's C shim: `accel._shim`, compiled from the .c files beside this one.

setup.py names it in `cffi_modules`; `python csrc/build_shim.py` builds it in place for hacking. The flags give
the shim CPython's internal headers (frames, code objects), which the PEP 523 hook needs; see shared notes.
"""

from __future__ import annotations

import os

from cffi import FFI

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCES = ["code_state.c", "eval_hook.c", "code_arena.c", "module.c", "bjit_entry.c", "bjit_ops.c", "bjit_numeric.c",
           "site_cache.c", "site_fill.c", "class_attrs.c", "inline_cache.c", "bjit_blocks.c", "bjit_exceptions.c",
           "bjit_lazy.c", "osr.c", "bjit_place.c", "bjit_lazy_place.c", "bjit_plan.c", "bjit_template_file.c"]



def make_builder(absolute_paths: bool = False) -> FFI:
    # setuptools wants paths relative to the project root; cffi's own compile() changes directory first.
    def path(p: str) -> str:
        return p if absolute_paths else os.path.relpath(p)

    builder = FFI()
    builder.cdef("int accel_shim_attach(void);")
    builder.set_source(
        "accel._shim",
        '#include "accel.h"\n',
        sources=[path(os.path.join(HERE, s)) for s in SOURCES],
        include_dirs=[path(HERE)],
        define_macros=[("Py_BUILD_CORE", "1"), ("_CFFI_NO_LIMITED_API", None)],
        py_limited_api=False,
        extra_compile_args=["-O2", "-std=gnu11", "-Wall", "-Wno-unused-function"],
    )
    return builder


ffibuilder = make_builder()

if __name__ == "__main__":
    # In-place build for hacking: leaves accel/_shim*.so next to the sources.
    out = make_builder(absolute_paths=True).compile(tmpdir=os.path.join(HERE, "..", "build", "cffi"))
    os.replace(out, os.path.join(HERE, "..", "accel", os.path.basename(out)))
