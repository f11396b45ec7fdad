"""Build glue that pyproject.toml cannot express: the cffi-built C shim and the startup .pth file.

hooks/accel.pth must land in site-packages itself (the interpreter runs its import line at startup):
- regular installs (`pip install .`): build_py copies it to the root of build_lib, which becomes the wheel's root;
- editable installs (`pip install -e .`): PEP 660 editable wheels carry only what the editable strategy writes,
  so editable_wheel is extended at its step that writes extra files into the wheel's root
  (`_install_namespaces`, a setuptools-internal hook: pyproject.toml bounds the setuptools version, and
  tests/test_packaging.py checks the file is installed after both kinds of install).
"""

import os
import shutil

from setuptools import setup
from setuptools.command.build_py import build_py
from setuptools.command.editable_wheel import editable_wheel

HERE = os.path.dirname(os.path.abspath(__file__))
PTH = os.path.join("hooks", "accel.pth")


class BuildPyWithStartupHook(build_py):
    def run(self) -> None:
        super().run()
        if not getattr(self, "editable_mode", False):
            self.copy_file(PTH, os.path.join(self.build_lib, os.path.basename(PTH)))


class EditableWheelWithStartupHook(editable_wheel):
    def _install_namespaces(self, installation_dir, pth_prefix):  # noqa: ANN001 - setuptools' signature
        super()._install_namespaces(installation_dir, pth_prefix)
        shutil.copyfile(os.path.join(HERE, PTH), os.path.join(installation_dir, os.path.basename(PTH)))


setup(
    cffi_modules=["csrc/build_shim.py:ffibuilder"],
    cmdclass={"build_py": BuildPyWithStartupHook, "editable_wheel": EditableWheelWithStartupHook},
)
