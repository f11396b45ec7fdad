"""A private copy of the builtins for accel's own modules.

The compiler runs in the middle of the user's program, possibly while it has monkeypatched `builtins.len` or
`builtins.print` (legal Python, and in the differential corpus).  accel's modules therefore look builtins up in
a snapshot taken when accel was imported: each does `from accel._builtins import BUILTINS as __builtins__` before
defining any function (CPython 3.11 gives a function the `__builtins__` of its module's globals at creation).
"""

import builtins

BUILTINS = dict(vars(builtins))
