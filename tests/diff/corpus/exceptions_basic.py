"""try/except/else/finally, nesting, re-raise, finally overriding return, loops with break/continue."""


class AppError(Exception):
    def __init__(self, code, msg):
        super().__init__(msg)
        self.code = code


def classify(x):
    try:
        if x == 0:
            raise ZeroDivisionError("zero")
        if x < 0:
            raise AppError(x, "negative")
        r = 100 // x
    except ZeroDivisionError as e:
        return f"zde:{e}"
    except AppError as e:
        return f"app:{e.code}:{e}"
    else:
        return f"ok:{r}"
    finally:
        print("  finally for", x)


def finally_overrides():
    try:
        return "try"
    finally:
        return "finally"  # noqa: B012


def finally_swallows():
    for i in range(3):
        try:
            raise ValueError(i)
        finally:
            if i < 2:
                continue  # noqa: B012
            break  # noqa: B012
    return "swallowed"


def nested(n):
    log = []
    try:
        try:
            try:
                log.append("inner")
                [1, 2][n]
            except IndexError:
                log.append("index")
                raise KeyError(n) from None
            finally:
                log.append("f1")
        except KeyError as e:
            log.append(f"key {e.args}")
            raise
        finally:
            log.append("f2")
    except Exception as e:
        log.append(type(e).__name__)
    return log


def reraise_bare():
    try:
        try:
            int("nope")
        except ValueError:
            print("  caught once, re-raising")
            raise
    except ValueError as e:
        return str(e)


def exception_var_cleared():
    e = "before"
    try:
        raise RuntimeError("x")
    except RuntimeError as e:  # noqa: F841
        pass
    try:
        return e  # noqa: F821
    except UnboundLocalError as err:
        return f"UnboundLocalError: {err}"


def loop_with_exceptions(n):
    total = 0
    for i in range(n):
        try:
            if i % 3 == 0:
                raise ValueError(i)
            if i % 5 == 0:
                continue
            if i == 17:
                break
            total += i
        except ValueError as e:
            total -= e.args[0]
        finally:
            total += 1
    return total


def while_try(n):
    i = 0
    out = []
    while True:
        try:
            i += 1
            if i > n:
                break
            if i % 2:
                continue
            out.append(i)
        finally:
            out.append(-i)
    return out


for v in [5, 0, -3, 7, 250]:
    print(v, classify(v))
print(finally_overrides())
print(finally_swallows())
print(nested(0))
print(nested(5))
print(reraise_bare())
print(exception_var_cleared())
for n in (0, 1, 10, 20, 30):
    print("loop", n, loop_with_exceptions(n))
print(while_try(7))
errs = []
for thing in [1, "a", None, [1], {}, 2.5]:
    try:
        errs.append(thing + 1)
    except TypeError as e:
        errs.append(str(e))
for e in errs:
    print(e)
try:
    {}["missing"]
except LookupError as e:
    print(type(e).__name__, repr(e), e.args)
try:
    raise StopIteration(42)
except StopIteration as e:
    print("StopIteration value", e.value)
print(isinstance(AppError(1, "m"), Exception), AppError.__mro__[1].__name__)
