"""Rename a key of the Copier answers file and keep its value.

Copier runs this script as a migration before an update, in the project
directory, so the update reads the owner's answer under the question's new
name instead of falling back to its default. The script is idempotent: without
the old key, or with the new key already present, it changes nothing.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import yaml


def rename_key(text: str, old: str, new: str) -> str | None:
    """Return text with the top-level key old renamed to new, or None if unchanged.

    The rename edits the key's own line, so the file keeps its comments and
    layout, and the result is parsed again to check that only the name changed.
    """
    answers = yaml.safe_load(text)
    if not isinstance(answers, dict) or old not in answers or new in answers:
        return None

    pattern = re.compile(rf"^{re.escape(old)}(?=\s*:)", re.MULTILINE)
    renamed, count = pattern.subn(new, text)
    if count != 1:
        message = f"found {count} top-level lines for the key {old!r}, expected 1"
        raise ValueError(message)

    expected = {new if key == old else key: value for key, value in answers.items()}
    if yaml.safe_load(renamed) != expected:
        message = f"renaming {old!r} to {new!r} changed more than the key"
        raise ValueError(message)
    return renamed


def _parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("old", help="key that earlier template versions wrote")
    parser.add_argument("new", help="key that the current template version reads")
    parser.add_argument(
        "--answers-file",
        type=Path,
        default=Path(".copier-answers.yml"),
        help="answers file, relative to the working directory "
        "(default: .copier-answers.yml)",
    )
    return parser.parse_args(argv)


def main(argv: list[str]) -> int:
    """Rename the key in the answers file; return 1 if the file is unusable."""
    args = _parse_args(argv)
    path: Path = args.answers_file
    try:
        text = path.read_text(encoding="utf-8")
        renamed = rename_key(text, args.old, args.new)
    except (OSError, ValueError, yaml.YAMLError) as error:
        print(
            f"Failed to rename the answer {args.old!r} to {args.new!r} in {path}: "
            f"{error}. Rename it by hand, commit, and run the update again.",
            file=sys.stderr,
        )
        return 1

    if renamed is None:
        print(
            f"Answer {args.old!r} not renamed in {path}: the old key is absent "
            f"or {args.new!r} is already there.",
            file=sys.stderr,
        )
        return 0
    path.write_text(renamed, encoding="utf-8")
    print(
        f"Renamed the answer {args.old!r} to {args.new!r} in {path}.", file=sys.stderr
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
