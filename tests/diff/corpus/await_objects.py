"""`await` of objects with __await__ (GET_AWAITABLE) in coroutines hot enough to run in machine code, driven by
send() without an event loop: __await__ as a generator, returning an iterator, suspending once; and each TypeError
(__await__ returning a coroutine, a non-iterator, raising), plus an object that cannot be awaited at all."""


class Ready:
    def __init__(self, value):
        self.value = value

    def __await__(self):
        return iter(())  # finishes at once: the await's value is None

    def __repr__(self):
        return f"Ready({self.value})"


class Suspends:
    def __init__(self, value):
        self.value = value

    def __await__(self):
        got = yield ("suspended", self.value)
        return (self.value, got)


class ReturnsCoroutine:
    def __await__(self):
        return inner()


class ReturnsNonIterator:
    def __await__(self):
        return 42


class Raises:
    def __await__(self):
        raise LookupError("from __await__")


async def inner():
    return "inner"


async def user(k):
    out = [await Ready(k)]
    out.append(await Suspends(k))
    for bad in (ReturnsCoroutine(), ReturnsNonIterator(), Raises(), 5):
        try:
            await bad
        except (TypeError, LookupError) as e:
            out.append((type(e).__name__, str(e)))
    return out


def drive(coro):
    trail = []
    value = None
    while True:
        try:
            trail.append(coro.send(value))
            value = len(trail)
        except StopIteration as stop:
            return trail, stop.value


for k in range(80):
    result = drive(user(k))
    if k in (0, 79):
        print(k, result)
