#!/usr/bin/python3
"""Checks a Dockerfile for what this project requires of its images:
every FROM pinned (exact tag and @sha256 digest, directly or through an ARG
default), a final non-root numeric USER, no ADD of URLs, a .dockerignore.
Usage: dockerfile.py <Dockerfile>   (exit 1 with one line per problem)"""
import os
import re
import sys


def main(path):
    text = open(path, encoding="utf-8").read()
    # Join continuation lines, drop comments.
    lines = [l for l in re.sub(r"\\\n", " ", text).splitlines() if l.strip() and not l.lstrip().startswith("#")]
    args = {}
    problems = []
    froms, users = [], []
    for n, line in enumerate(lines, 1):
        instr, _, rest = line.strip().partition(" ")
        instr = instr.upper()
        rest = rest.strip()
        if instr == "ARG" and "=" in rest:
            k, v = rest.split("=", 1)
            args[k.strip()] = v.strip().strip('"')
        elif instr == "FROM":
            image = rest.split()[0]
            image = re.sub(r"\$\{?(\w+)\}?", lambda m: args.get(m.group(1), m.group(0)), image)
            froms.append(image)
            if "@sha256:" not in image and not re.match(r"^[a-z0-9_-]+$", image):
                problems.append(f"FROM {image}: pin the base image by digest (name:tag@sha256:...)")
            elif ":latest" in image or (":" not in image.split("@")[0] and "@" in image):
                problems.append(f"FROM {image}: name an exact tag, not latest or none")
        elif instr == "USER":
            users.append(rest)
        elif instr == "ADD" and re.search(r"https?://", rest):
            problems.append(f"ADD {rest}: do not ADD URLs (use a pinned, checksummed download in a build stage)")
    if not froms:
        problems.append("no FROM")
    if not users:
        problems.append("no USER: the image must not run as root")
    else:
        final = users[-1].split(":")[0]
        if final in ("0", "root") or not final.isdigit():
            problems.append(f"USER {users[-1]}: the final user must be a numeric non-root uid (Kubernetes runAsNonRoot checks numbers)")
    if not os.path.exists(os.path.join(os.path.dirname(path) or ".", ".dockerignore")):
        problems.append("no .dockerignore next to the Dockerfile")
    for p in problems:
        print(f"{path}: {p}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "app/Dockerfile"))
