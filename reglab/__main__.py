"""Command line: ``python -m reglab doctor``."""

from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m reglab", description="reglab helpers.")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("doctor", help="report versions and devices, and whether all is ready")
    args = parser.parse_args(argv)
    if args.command == "doctor":
        from reglab.doctor import main as doctor

        return doctor()
    return 2  # unreachable: argparse rejects unknown commands


if __name__ == "__main__":
    sys.exit(main())
