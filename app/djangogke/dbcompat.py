"""Pick a Postgres driver Django accepts.

Django 4.2+ prefers psycopg 3 but refuses psycopg < 3.1.8 outright, and Debian
bookworm ships python3-psycopg 3.1.7. When that old psycopg 3 is installed and
psycopg2 is available, hide psycopg 3 so Django's backend falls back to
psycopg2 (its documented alternative). The image installs a current psycopg 3
from requirements.txt, so this never triggers there.
"""

import importlib.util
import sys


def prefer_supported_driver():
    if "psycopg" in sys.modules and sys.modules["psycopg"] is None:
        return  # already hidden
    try:
        import psycopg
    except ImportError:
        return
    version = tuple(int(p) for p in psycopg.__version__.split(" ")[0].split(".")[:3] if p.isdigit())
    if version >= (3, 1, 8) or importlib.util.find_spec("psycopg2") is None:
        return
    for name in [m for m in sys.modules if m == "psycopg" or m.startswith("psycopg.")]:
        del sys.modules[name]
    sys.modules["psycopg"] = None  # makes `import psycopg` raise ImportError
