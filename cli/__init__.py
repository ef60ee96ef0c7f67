"""The ``safetynet`` command line. Each ``cli/cmd_*.py`` module adds one subcommand through
``register(subparsers)``; the subcommand's handler returns the process exit code."""
from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from pathlib import Path

from geo.paths import ENV_VAR


def add_common_options(parser: argparse.ArgumentParser) -> None:
    """--data-dir and --json, shared by every subcommand."""
    parser.add_argument("--data-dir", default=None,
                        help=f"data directory (default: ${ENV_VAR}, else ../shared/data)")
    parser.add_argument("--json", action="store_true", help="machine-readable JSON output")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="safetynet",
        description="桃園市社會安全網資源涵蓋分析 / Taoyuan safety-net coverage analyser")
    sub = parser.add_subparsers(dest="command", required=True)
    for info in sorted(pkgutil.iter_modules([str(Path(__file__).parent)]), key=lambda m: m.name):
        if info.name.startswith("cmd_"):
            importlib.import_module(f"cli.{info.name}").register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except (FileNotFoundError, ValueError, KeyError) as exc:
        print(f"safetynet {args.command}: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
