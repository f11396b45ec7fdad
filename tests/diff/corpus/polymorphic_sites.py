"""Attribute sites that see several receiver types (polymorphic caches) and attributes read from classes
(class attributes, staticmethods, classmethods, values whose class later gains __get__), with every kind of
change that must invalidate them."""


class Shape:
    sides = 0

    def __init__(self, size):
        self.size = size

    def area(self):
        return 0

    @staticmethod
    def unit():
        return "u"

    @classmethod
    def label(cls):
        return cls.__name__.lower()


class Square(Shape):
    sides = 4

    def area(self):
        return self.size * self.size


class Tri(Shape):
    sides = 3

    def area(self):
        return self.size * self.size // 2


class Slotted:
    __slots__ = ("size",)
    sides = 9

    def __init__(self, size):
        self.size = size

    def area(self):
        return -self.size


class WithDict(Shape):
    def __init__(self, size):
        self.__dict__["size"] = size
        self.extra = 1


class Marker:
    def __repr__(self):
        return "Marker()"


class Config:
    MODE = "fast"
    LIMIT = 10
    MARK = Marker()


def measure(shapes):
    total = 0
    sides = 0
    for s in shapes:
        total += s.area() + s.size
        sides += s.sides
    return total, sides


def grow(shapes):
    for s in shapes:
        s.size = s.size + 1


def read_config():
    return Config.MODE, repr(Config.LIMIT)[:16], Config.MARK, Shape.unit(), Square.label(), Tri.label()


def main():
    shapes = [Square(2), Tri(3), Shape(1), Slotted(5), WithDict(4), Square(1), Tri(2)]
    for round_ in range(6):
        print(round_, measure(shapes), read_config())
        grow(shapes)
        if round_ == 1:
            Square.area = lambda self: 100  # method replaced on one of the types
            Config.MODE = "slow"  # class attribute replaced
        if round_ == 2:
            Tri.sides = 30
            shapes.append(Slotted(1))
            shapes[2].__class__ = Tri  # __class__ assignment
            Config.LIMIT = property(lambda self: 1)  # a data descriptor read from the class: the property itself
        if round_ == 3:
            Marker.__get__ = lambda self, obj, cls: ("got", cls.__name__)  # the value's class gains __get__
            del Config.MODE  # now inherited from object? no: AttributeError handled below
            Config.MODE = "again"
            shapes[4].area = lambda: 7  # instance attribute shadows the method
        if round_ == 4:
            del Marker.__get__
            Shape.unit = staticmethod(lambda: "v")
            del Square.area  # falls back to Shape.area


main()

try:
    class Meta(type):
        pass

    class WithMeta(metaclass=Meta):
        x = 1

    def read(cls):
        return cls.x

    print([read(WithMeta) for _ in range(3)])
    Meta.x = property(lambda cls: "meta")  # a data descriptor on the metaclass wins
    print([read(WithMeta) for _ in range(3)])
except Exception as e:
    print(type(e).__name__, e)
