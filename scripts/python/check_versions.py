"""The local pod, the tests and the benchmark run what the image ships.

Compares the minor versions of the packages app/requirements.txt pins (Django,
psycopg, redis-py, gunicorn) with the ones this interpreter imports (Debian
13's, from scripts/python/env.sh) and exits 1 naming each difference.

    python3 scripts/python/check_versions.py [requirements.txt]
"""

import importlib
import pathlib
import re
import sys

# Distribution name in requirements.txt -> import name.
CHECKED = {"Django": "django", "psycopg": "psycopg", "redis": "redis", "gunicorn": "gunicorn"}
PIN = re.compile(r"^([A-Za-z0-9_.-]+)(\[[^\]]*\])?==([0-9][^\s;#]*)")


def pins(text):
    """The exact pins (name -> version) of a requirements file's text."""
    out = {}
    for line in text.splitlines():
        m = PIN.match(line.strip())
        if m:
            out[m.group(1)] = m.group(3)
    return out


def minor(version):
    return ".".join(version.split(".")[:2])


def mismatches(pinned, installed):
    """Lines naming each checked package whose minor versions differ or that is missing."""
    out = []
    for dist in CHECKED:
        want, have = pinned.get(dist), installed.get(dist)
        if want is None:
            out.append(f"{dist}: not pinned in requirements.txt")
        elif have is None:
            out.append(f"{dist}: the image pins {want}, nothing importable here")
        elif minor(want) != minor(have):
            out.append(f"{dist}: the image pins {want}, this machine runs {have} (minor {minor(have)} != {minor(want)})")
    return out


def installed_versions():
    out = {}
    for dist, module in CHECKED.items():
        try:
            mod = importlib.import_module(module)
        except ImportError:
            continue
        out[dist] = mod.get_version() if module == "django" else mod.__version__
    return out


def main(argv):
    path = pathlib.Path(argv[1] if len(argv) > 1 else pathlib.Path(__file__).resolve().parents[2] / "app" / "requirements.txt")
    installed = installed_versions()
    problems = mismatches(pins(path.read_text()), installed)
    for p in problems:
        print(f"check_versions: {p}", file=sys.stderr)
    if not problems:
        print("check_versions: same minor versions as the image: " + ", ".join(f"{d} {v}" for d, v in sorted(installed.items())))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
