"""Python written for this book (not from the standard library), to look inside the model:
the units are traced over :data:`PROBE` (every syntax feature varies in it) and the widget
colours the short :data:`SNIPPETS`."""

__all__ = ["PROBE", "SNIPPETS"]

SNIPPETS = {
    "nested call": '''result = process(load(path, mode="r"), [item.strip() for item in lines],
                 options={"verbose": True, "depth": (1, 2)})
''',
    "strings and comments": '''def greet(name):
    # say hello, politely
    message = "Hello, " + name + "! How are you today?"
    print(message)  # the greeting
    return 'done'
''',
    "indentation": '''class Counter:
    def __init__(self):
        self.count = 0

    def add(self, values):
        for value in values:
            if value > 0:
                self.count += value
            else:
                break
        return self.count
''',
    "docstring": '''def area(width, height):
    """Return the area of a rectangle.

    Both sides must be positive numbers, in the same unit.
    """
    if width <= 0 or height <= 0:
        raise ValueError(f"sides must be positive, got {width} and {height}")
    return width * height
''',
}

PROBE = '''import os
import sys


def read_config(path, defaults=None):
    """Read a simple key = value file into a dictionary.

    Lines that start with a hash are comments; blank lines are skipped.
    """
    config = dict(defaults or {})
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue  # a comment or an empty line
            if "=" not in line:
                raise ValueError("line %d of %s has no '=': %r" % (number, path, line))
            key, value = (part.strip() for part in line.split("=", 1))
            config[key] = value
    return config


class Inventory:
    """Items and their counts, with a few helpers."""

    def __init__(self, items=()):
        self.counts = {}
        for name, count in items:
            self.add(name, count)

    def add(self, name, count=1):
        if count < 0:
            raise ValueError(f"count must not be negative, got {count}")
        self.counts[name] = self.counts.get(name, 0) + count

    def remove(self, name, count=1):
        left = self.counts.get(name, 0) - count
        if left < 0:
            raise KeyError("not enough %s: have %d, asked for %d" % (
                name, self.counts.get(name, 0), count))
        if left:
            self.counts[name] = left
        else:
            del self.counts[name]

    def report(self, width=20):
        lines = []
        for name in sorted(self.counts):
            lines.append(f"{name:<{width}} {self.counts[name]:>5}")
        return "\\n".join(lines)


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    if len(argv) != 1:
        print("usage: inventory CONFIG", file=sys.stderr)
        return 2
    config = read_config(argv[0], defaults={"width": "20"})
    items = [(key, int(value)) for key, value in config.items() if value.isdigit()]
    stock = Inventory(items)
    print(stock.report(width=int(config["width"])))
    return 0


if __name__ == "__main__":
    sys.exit(main(os.environ.get("INVENTORY_ARGS", "").split() or None))
'''
