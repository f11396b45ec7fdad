"""sys.settrace switched on mid-run (after functions are hot); trace events printed; then switched off."""

import sys


def add(a, b):
    c = a + b
    return c


def loop(n):
    t = 0
    for i in range(n):
        t = add(t, i)
    return t


def raises():
    try:
        raise ValueError("traced")
    except ValueError:
        return "handled"


def gen(n):
    for i in range(n):
        yield i


for _ in range(200):
    loop(10)
print("warm", loop(10))

events = []


def tracer(frame, event, arg):
    name = frame.f_code.co_name
    if name in ("add", "loop", "raises", "gen"):
        rel = frame.f_lineno - frame.f_code.co_firstlineno
        shown = arg if event == "return" else (arg[0].__name__ if event == "exception" else None)
        events.append((name, event, rel, shown))
        return tracer
    return None


sys.settrace(tracer)
r1 = loop(3)
r2 = raises()
r3 = list(gen(2))
sys.settrace(None)
print(r1, r2, r3)
for e in events:
    print(e)
print("events", len(events))

calls = []


def profiler(frame, event, arg):
    if event in ("call", "return") and frame.f_code.co_name == "add":
        calls.append((event, frame.f_locals.get("a"), frame.f_locals.get("b")))


sys.setprofile(profiler)
loop(4)
sys.setprofile(None)
print(calls)

line_counts = {}


def line_tracer(frame, event, arg):
    if frame.f_code.co_name != "loop":
        return None

    def local(frame, event, arg):
        if event == "line":
            rel = frame.f_lineno - frame.f_code.co_firstlineno
            line_counts[rel] = line_counts.get(rel, 0) + 1
        return local

    return local


sys.settrace(line_tracer)
loop(5)
sys.settrace(None)
print(sorted(line_counts.items()))


def f_trace_lines_off(frame, event, arg):
    if frame.f_code.co_name == "loop":
        frame.f_trace_lines = False
        events2.append(event)
        return lambda fr, ev, a: events2.append(ev)
    return None


events2 = []
sys.settrace(f_trace_lines_off)
loop(3)
sys.settrace(None)
print(events2)
print("after trace", loop(100), sys.gettrace())


def set_local_via_trace():
    x = 1
    x = x + 1
    return x


def modify(frame, event, arg):
    if frame.f_code.co_name == "set_local_via_trace":
        return modify_line
    return None


def modify_line(frame, event, arg):
    if event == "return":
        events3.append(("ret", arg))
    return modify_line


events3 = []
sys.settrace(modify)
print(set_local_via_trace())
sys.settrace(None)
print(events3)
