"""Closures: nonlocal, cells, late binding, cell deletion, class cells and super(), global."""

COUNT = 0


def make_counter():
    n = 0

    def inc(step=1):
        nonlocal n
        n += step
        return n

    def get():
        return n

    return inc, get


inc, get = make_counter()
for i in range(5):
    inc(i)
print("counter", get(), inc.__closure__[0].cell_contents, inc.__code__.co_freevars)

late = [lambda: i for i in range(4)]
early = [lambda i=i: i for i in range(4)]
print([f() for f in late], [f() for f in early])


def shared_cell():
    fs = []
    for k in range(3):

        def f():
            return k

        fs.append(f)
    k = "changed"
    return [f() for f in fs]


print(shared_cell())


def deep():
    a = 1

    def l1():
        b = 2

        def l2():
            c = 3

            def l3():
                nonlocal a, b, c
                a, b, c = a * 10, b * 10, c * 10
                return a + b + c

            r = l3()
            return r, c

        r = l2()
        return r, b

    r = l1()
    return r, a


print(deep())


def cell_deleted():
    x = 1

    def read():
        return x

    del x
    try:
        return read()
    except NameError as e:
        return f"{type(e).__name__}: {e}"


print(cell_deleted())


def bump_global():
    global COUNT
    for _ in range(10):
        COUNT += 1
    return COUNT


print(bump_global(), bump_global(), COUNT)


def arg_is_cell(a, b):
    def f():
        return a + b

    a = a * 2
    return f()


print(arg_is_cell(3, 4))


class Base:
    def greet(self):
        return f"Base.greet({type(self).__name__})"

    @classmethod
    def make(cls):
        return f"Base.make -> {cls.__name__}"


class Child(Base):
    def greet(self):
        return "Child>" + super().greet()

    @classmethod
    def make(cls):
        return "Child>" + super().make()

    def uses_class_cell(self):
        return __class__.__name__, type(self).__name__


class GrandChild(Child):
    def greet(self):
        return "GC>" + super().greet()


print(GrandChild().greet())
print(GrandChild.make())
print(GrandChild().uses_class_cell())
print(super(Child, GrandChild()).greet())


def make_adders():
    return {n: (lambda x, n=n: x + n) for n in range(3)}


print({k: f(10) for k, f in make_adders().items()})


def accumulate():
    total = []

    def add(x):
        total.append(x)
        return sum(total)

    return add


acc = accumulate()
print([acc(i) for i in range(6)])


def class_in_function(val):
    class Local:
        attr = val

        def method(self):
            return val * 2, self.attr

    return Local


L1, L2 = class_in_function(1), class_in_function("ab")
print(L1().method(), L2().method(), L1 is L2)


def closure_in_loop_hot():
    out = 0
    for i in range(200):

        def f(y, i=i):
            return y * i

        out += f(2)
    return out


print(closure_in_loop_hot())


def class_body_scope():
    x = "function"

    class C:
        x = "class"
        y = x
        z = [x for _ in range(1)]

    return C.y, C.z


print(class_body_scope())


def nonlocal_in_generator():
    state = 0

    def gen():
        nonlocal state
        for i in range(3):
            state += i
            yield state

    return list(gen()), state


print(nonlocal_in_generator())
