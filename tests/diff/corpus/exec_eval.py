"""exec/eval/compile of dynamically built code, namespaces, generated functions and classes."""

src_lines = ["def gen_{i}(x):", "    return x * {i} + {j}"]
ns = {}
for i in range(5):
    code = "\n".join(line.format(i=i, j=i * i) for line in src_lines)
    exec(code, ns)
print(sorted(k for k in ns if k.startswith("gen_")), [ns[f"gen_{i}"](10) for i in range(5)])
print(eval("1 + 2 * 3"), eval("x * y", {"x": 6}, {"y": 7}), eval("[i * i for i in range(5)]"))
expr = "+".join(str(i) for i in range(101))
print(eval(expr), eval(compile(expr, "<expr>", "eval")))
co = compile("for i in range(3):\n    acc.append(i * k)\n", "<loop>", "exec")
for k in (1, 10):
    acc = []
    exec(co, {"acc": acc, "k": k})
    print(acc)
local_ns = {}
exec("a = 1\nb = a + 1\ndef f():\n    return a + b\n", {}, local_ns)
print(sorted(local_ns))
try:
    local_ns["f"]()
except NameError as e:
    print("NameError:", e)
g = {}
exec("a = 1\nb = a + 1\ndef f():\n    return a + b\n", g)
print(g["f"]())
try:
    eval("1 +")
except SyntaxError as e:
    print("SyntaxError:", e.msg, e.lineno, e.offset)
try:
    exec("def broken(:\n    pass")
except SyntaxError as e:
    print("SyntaxError:", e.msg, e.lineno)
try:
    exec("raise KeyError('from exec')")
except KeyError as e:
    print("KeyError:", e)
cls_src = """
class Dyn:
    def __init__(self, v):
        self.v = v
    def __repr__(self):
        return f"Dyn({self.v})"
    def double(self):
        return Dyn(self.v * 2)
"""
cns = {}
exec(cls_src, cns)
Dyn = cns["Dyn"]
print(Dyn(3).double().double(), Dyn.__module__ if hasattr(Dyn, "__module__") else None)


def exec_in_function():
    x = 5
    exec("x = 99; y = 1")
    loc = locals()
    return x, loc.get("y")


print(exec_in_function())


def eval_sees_locals():
    a, b = 3, 4
    return eval("a * b"), eval("(lambda: a)()") if False else "skip"


print(eval_sees_locals())
ops = ["+", "-", "*", "//", "%", "**", "<<", ">>", "&", "|", "^"]
for op in ops:
    fn = eval(f"lambda a, b: a {op} b")
    print(op, [fn(a, b) for a, b in [(7, 3), (-7, 3), (12, 2)]])
tmpl = "def fact(n):\n    r = 1\n    for i in range(2, n + 1):\n        r *= i\n    return r\n"
fns = {}
exec(tmpl, fns)
print([fns["fact"](n) for n in range(12)])
code_obj = compile("print('compiled with filename', __name__)", "virtual.py", "exec")
exec(code_obj, {"__name__": "virtual"})
print(code_obj.co_filename, code_obj.co_name)
import sys  # noqa: E402
import traceback  # noqa: E402

try:
    exec(compile("def boom():\n    return 1 / 0\nboom()\n", "<generated>", "exec"), {})
except ZeroDivisionError:
    traceback.print_exc(file=sys.stdout)
builtins_view = eval("__builtins__", {})
print(type(builtins_view).__name__, eval("len('abc')", {"__builtins__": {"len": len}}))
try:
    eval("open", {"__builtins__": {}})
except NameError as e:
    print("NameError:", e)
nested = "exec(\"result = eval('2 ** 10')\", g2)"
g2 = {}
exec(nested, {"g2": g2})
print(g2["result"])
