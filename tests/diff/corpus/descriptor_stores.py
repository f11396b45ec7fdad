"""STORE_ATTR to data descriptors, called directly from the site's entry: a property with a setter, a read-only
property (its AttributeError), a C getset (ElementTree's Element.text and .tail), a readonly member -- and the
changes that must end the entry: the property replaced by another, then deleted (the instance's own attribute from
then on)."""

import xml.etree.ElementTree as ET


class Temperature:
    def __init__(self):
        self._c = 0.0

    @property
    def celsius(self):
        return self._c

    @celsius.setter
    def celsius(self, value):
        self._c = round(float(value), 2)

    @property
    def kelvin(self):
        return self._c + 273.15


def set_temp(t, v):
    t.celsius = v
    return t.celsius


def set_readonly(t):
    try:
        t.kelvin = 1
    except AttributeError as e:
        return str(e)


def set_text(el, i):
    el.text = "text %d" % i
    el.tail = None if i % 2 else "tail"
    return el.text, el.tail


def set_member(obj):
    try:
        obj.start = 5
    except AttributeError as e:
        return str(e)


out = []
t = Temperature()
el = ET.Element("p")
for i in range(200):
    out.append((set_temp(t, i / 3), set_readonly(t), set_text(el, i), set_member(range(3))))
    if i == 100:
        Temperature.celsius = property(lambda self: self._c, lambda self, v: setattr(self, "_c", -v))
    if i == 150:
        del Temperature.celsius  # a plain instance attribute from now on
print(out[:2], out[100:103], out[150:153], out[-1], sep="\n")
print(ET.tostring(el))
