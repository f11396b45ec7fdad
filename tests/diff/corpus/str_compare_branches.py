"""== and != between strs branched on at once (sites CPython quickened as COMPARE_OP_STR_JUMP): tier 1 calls
_PyUnicode_Equal inline for two exact strs; a str subclass with its own __eq__, or anything else, takes the generic
compare -- a site that saw only strs may see them later."""


class Loud(str):
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    __hash__ = str.__hash__


def classify(tokens):
    out = []
    for t in tokens:
        if t == "block":
            out.append("B")
        elif t != "var":
            out.append("o")
        else:
            out.append("v")
        if not t == "x":
            out.append(".")
        while t != t:  # never
            out.append("!")
            break
    return "".join(out)


def compare_pairs(pairs):
    hits = 0
    for a, b in pairs:
        if a == b:
            hits += 1
        if a != b:
            hits += 100
    return hits


made = "".join(["bl", "ock"])  # equal to "block", another object
wide = "\u0101bc"
wider = "\U0001f600"
plain = ["block", "var", "text", made, "", "x", wide, wider] * 3
for _ in range(60):
    r = classify(plain)
print(r)
# later: a subclass whose __eq__ says yes to everything, then no strs at all
print(classify([Loud("zzz"), "var", Loud("block")]))
print(classify([1, None, 2.5, b"block", ("block",)]))

pairs = [("a", "a"), ("a", "b"), (made, "block"), ("", ""), (wide, "\u0101bc"), (wider, "\U0001f600"),
         ("ab", "abc"), ("\u0101", "a")]
for _ in range(60):
    r = compare_pairs(pairs)
print(r)
print(compare_pairs([(Loud("q"), "r"), ("r", Loud("q")), (1, 1), (1, "1"), (None, None)]))
