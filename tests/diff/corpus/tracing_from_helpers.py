"""sys.settrace switched on from Python code a helper runs (a property, __getattr__, a call, __getitem__, a
method lookup): compiled code hands the frame back after that instruction with the stack it leaves."""

import sys

events = []


def tracer(frame, event, arg):
    if frame.f_code.co_filename == __file__:
        events.append((frame.f_code.co_name, event, frame.f_lineno - FIRST))
    return tracer


def switch_on():
    if ARMED[0]:
        ARMED[0] = False
        sys.settrace(tracer)


ARMED = [False]
FIRST = 0


class Hooks:
    @property
    def prop(self):
        switch_on()
        return 10

    def __getattr__(self, name):
        switch_on()
        return len(name)

    def __getitem__(self, key):
        switch_on()
        return key * 2

    def method(self, x):
        return x + 1


class Lookup:
    @property
    def anything(self):
        switch_on()
        return lambda x: x * 3


def ident(x):
    return x


def via_property(h):
    a = h.prop
    b = ident(a + 1)
    return (a, b)


def via_getattr(h):
    a = h.missing_name
    return [a, ident(a + 1)]


def via_method_lookup(o, k):
    r = o.anything(k), ident(k)
    return r, k


def via_call(k):
    r = (k, switch_on(), ident(k + 1))
    return r


def via_subscript(h, k):
    r = h[k] + ident(h[k + 1])
    return r


cases = [
    ("property", lambda: via_property(Hooks())),
    ("getattr", lambda: via_getattr(Hooks())),
    ("method", lambda: via_method_lookup(Lookup(), 4)),
    ("call", lambda: via_call(5)),
    ("subscript", lambda: via_subscript(Hooks(), 3)),
]
FIRST = via_property.__code__.co_firstlineno
for name, run in cases:
    for _ in range(300):  # hot, tracing off
        run()
    ARMED[0] = True
    events.clear()
    result = run()
    sys.settrace(None)
    print(name, result, events)
    for _ in range(5):
        print(name, "after", run())
