"""The ``safetynet`` command line. Each ``cli/cmd_*.py`` module adds one subcommand through
``register(subparsers)``; the subcommand's handler returns the process exit code.

Exit codes: 0 success; 1 a stored item not found or changed by someone else (scenario and
layer commands); 2 bad input (file, argument, data) with a message naming what and where;
3 an unexpected internal error, reported in one line (never a traceback); 130 interrupted."""
from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from pathlib import Path

from geo.paths import ENV_VAR
from i18n import t


def add_common_options(parser: argparse.ArgumentParser) -> None:
    """--data-dir and --json, shared by every subcommand."""
    parser.add_argument("--data-dir", default=None,
                        help=f"data directory (default: ${ENV_VAR}, else ../shared/data)")
    parser.add_argument("--json", action="store_true", help="machine-readable JSON output")
    parser.add_argument("--lang", choices=("zh-TW", "en"), default="zh-TW",
                        help="language of the printed text (default zh-TW)")


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
    except KeyboardInterrupt:
        print(t("cli.interrupted", args.lang, command=args.command), file=sys.stderr)
        return 130
    except (FileNotFoundError, ValueError, KeyError, OSError) as exc:
        message = exc.args[0] if isinstance(exc, KeyError) and exc.args else exc
        print(t("cli.error", args.lang, command=args.command, message=message),
              file=sys.stderr)
        return 2
    except Exception as exc:  # noqa: BLE001 - the last line of defence: no traceback
        print(t("cli.internal_error", args.lang, command=args.command,
                kind=type(exc).__name__, message=exc), file=sys.stderr)
        return 3


if __name__ == "__main__":
    sys.exit(main())
