"""A real library at work: the standard library's pure-Python TOML parser (tomllib) reading a generated
configuration file of a few hundred tables, many times -- the kind of code accel is for (string handling,
small functions, dicts and lists), none of it written for a JIT."""

import sys
import tomllib


def document(services: int) -> str:
    parts = ['title = "fleet"', 'version = "1.4.2"', ""]
    for i in range(services):
        parts += [
            f"[service.s{i}]",
            f'name = "service-{i}"',
            f"port = {8000 + i}",
            f"enabled = {'true' if i % 3 else 'false'}",
            f"weights = [{i}, {i * 2}, {i * 3}, 4.5]",
            f'tags = ["web", "zone-{i % 5}", "tier-{i % 2}"]',
            f"limits = {{ cpu = {i % 8 + 1}, memory = \"{256 * (i % 4 + 1)}M\" }}",
            f"started = 2024-0{i % 9 + 1}-1{i % 9}T10:2{i % 10}:00Z",
            "",
        ]
    return "\n".join(parts)


def main(rounds: int) -> None:
    text = document(300)
    total = 0
    for _ in range(rounds):
        config = tomllib.loads(text)
        total += sum(s["port"] for s in config["service"].values())
    print(f"{rounds} parses of {len(text)} characters; checksum {total}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 40)
