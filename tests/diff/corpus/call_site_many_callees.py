"""One CALL site (CPython specialises it for Python functions) that calls more codes than its cache holds:
renderers of several node classes, defaults filling arguments, a generator function, a function whose code is
replaced while the site runs, and one that raises."""


def render_text(node, ctx):
    return f"text:{node}"


def render_var(node, ctx, upper=False):
    value = ctx.get(node, "?")
    return value.upper() if upper else value


def render_if(node, ctx):
    return "yes" if ctx.get(node) else "no"


def render_loop(node, ctx, sep=","):
    return sep.join(str(i) for i in range(node))


def render_gen(node, ctx):
    yield node
    yield ctx.get(node, 0)


def render_fail(node, ctx):
    raise KeyError(node)


def call(f, node, ctx):
    return f(node, ctx)  # the one site


def other(node, ctx):
    return ("other", node)


def main():
    ctx = {"a": "x", "b": True, 3: 4}
    renderers = [(render_text, "t"), (render_var, "a"), (render_if, "b"), (render_loop, 3), (render_gen, 3),
                 (render_var, "zz"), (render_if, "c")]
    out = []
    for round_ in range(300):
        for f, node in renderers:
            r = call(f, node, ctx)
            out.append(list(r) if not isinstance(r, (str, tuple)) else r)
        if round_ == 150:
            render_text.__code__ = other.__code__  # the same function object, another code
        if round_ % 50 == 0:
            try:
                call(render_fail, round_, ctx)
            except KeyError as e:
                out.append(("raised", e.args))
    print(len(out))
    print(out[:12])
    print(out[-12:])
    print(sorted(set(map(repr, out)))[:20])


main()
