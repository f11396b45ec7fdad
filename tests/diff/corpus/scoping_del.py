"""del of locals, UnboundLocalError, NameError, global/nonlocal, shadowing, del in loops."""

g = "global g"


def unbound_before_assign():
    try:
        print(g)  # noqa: F823
    except UnboundLocalError as e:
        print("UnboundLocalError:", e)
    g = "local"  # noqa: F841


unbound_before_assign()


def del_then_use(flag):
    x = 10
    if flag:
        del x
    try:
        return x * 2
    except UnboundLocalError as e:
        return f"UnboundLocalError: {e}"


print(del_then_use(False), del_then_use(True))


def del_in_loop():
    out = []
    for i in range(6):
        v = i * i
        if i % 2:
            del v
        try:
            out.append(v)
        except UnboundLocalError:
            out.append("unbound")
    return out


print(del_in_loop())


def conditional_assign(n):
    for i in range(n):
        last = i
    return last


print(conditional_assign(5))
try:
    conditional_assign(0)
except UnboundLocalError as e:
    print("UnboundLocalError:", e)


def name_error():
    return not_defined_anywhere  # noqa: F821


try:
    name_error()
except NameError as e:
    print("NameError:", e, e.name)
counter = 0


def use_global():
    global counter, created_later
    counter += 5
    created_later = counter * 2
    return counter


print(use_global(), use_global(), counter, created_later)  # noqa: F821


def del_global():
    global created_later
    del created_later


del_global()
try:
    print(created_later)  # noqa: F821
except NameError as e:
    print("NameError:", e)


def outer():
    v = "outer v"
    log = []

    def middle():
        def inner():
            nonlocal v
            log.append(v)
            v = "changed by inner"

        inner()
        log.append(v)

    middle()
    log.append(v)
    return log


print(outer())


def shadow_builtin():
    len = 3  # noqa: F841
    return len


def shadow_then_del():
    len = lambda x: "local len"  # noqa: E731
    a = len("ab")
    del len
    try:
        b = len("ab")
    except UnboundLocalError as e:
        b = f"UnboundLocalError: {e}"
    return a, b


print(shadow_builtin(), shadow_then_del())


def exc_name_unbound():
    try:
        raise ValueError
    except ValueError as err:
        pass
    try:
        return err  # noqa: F821
    except (NameError, UnboundLocalError) as e:
        return type(e).__name__


print(exc_name_unbound())


def del_item_attr_slice():
    data = list(range(10))
    del data[0], data[-1], data[2:4]
    d = {"a": 1, "b": 2}
    del d["a"]

    class O:
        pass

    o = O()
    o.x = 1
    del o.x
    return data, d, hasattr(o, "x")


print(del_item_attr_slice())


def loop_var_after_loop():
    for i in range(3):
        pass
    comp = [j for j in range(3)]
    try:
        return i, comp, j  # noqa: F821
    except NameError as e:
        return i, comp, str(e)


print(loop_var_after_loop())
x = 1
for _ in range(3):
    x += 1
del x
try:
    x  # noqa: B018
except NameError as e:
    print("module-level NameError:", e)


def walrus_scope():
    [y := k for k in range(3)]
    return y


print(walrus_scope())


def deep_nonlocal_counter():
    count = 0

    def a():
        def b():
            def c():
                nonlocal count
                count += 1

            for _ in range(10):
                c()

        b()
        b()

    a()
    return count


print(deep_nonlocal_counter())


def delete_cellvar_then_inner():
    x = 1

    def read():
        return x

    first = read()
    del x
    try:
        return first, read()
    except NameError as e:
        return first, str(e)


print(delete_cellvar_then_inner())
