"""What every subcommand shares: the context from the arguments, output files (atomic,
never over an input), JSON printing and notes in the chosen language."""
from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

from analysis.context import AnalysisContext, load_context, road_loader
from common.checks import positive_number
from common.files import atomic_write, refuse_overwriting_inputs, refuse_writing_inside
from common.jsonable import to_jsonable
from geo.paths import missing_data_help, resolve_data_dir

__all__ = ["store_actions", "add_distance_options", "radius_from_args", "add_vintage_option", "context_from_args", "write_output",
           "check_output",
           "print_json", "note_lines", "km_to_m", "check_suffix", "fmt_km"]


def km_to_m(value: float | None, flag: str) -> float | None:
    """A --*-km argument in metres (None stays None); nan, inf, <= 0 and absurd values are
    refused naming the flag."""
    if value is None:
        return None
    return positive_number(value, flag, unit="km", minimum=0.01, maximum=200.0) * 1000.0


def add_distance_options(parser: argparse.ArgumentParser, *, what: str = "catchment"
                         ) -> None:
    """The distance options of a command: --radius-km / --radius-min (see
    :func:`radius_from_args`), --mode, --max-snap-m and the road source (--roads, --graph)."""
    parser.add_argument("--radius-km", type=float, default=None,
                        help=f"{what} radius in km (default: analysis/defaults.toml per type)")
    parser.add_argument("--radius-min", type=float, default=None,
                        help=f"{what} in road minutes (travel time; needs --mode network)")
    parser.add_argument("--mode", choices=("straight", "network"), default="straight",
                        help="straight-line (EPSG:3826) or road-network distance")
    parser.add_argument("--max-snap-m", type=float, default=500.0,
                        help="network mode: farthest a village or site may be from the roads")
    parser.add_argument("--roads", default=None,
                        help="road network for --mode network: nlsc (the city-wide 1:25,000 "
                             "roads, default), osm (the bundled 桃園區 OSM graph) or a file "
                             "(GraphML / OSM XML / line shapefile or GeoPackage)")
    parser.add_argument("--graph", default=None,
                        help="road graph file for --mode network (same as --roads FILE)")


def radius_from_args(args: argparse.Namespace) -> tuple[float | None, str]:
    """(radius in the cost's unit — metres, or seconds for --radius-min — or None for the
    type's default, weight "length" | "travel_time") from --radius-km / --radius-min."""
    if getattr(args, "max_snap_m", None) is not None:  # named by its flag, before any work
        from geo.roads.routing import MAX_SNAP_M
        positive_number(args.max_snap_m, "--max-snap-m", unit="metres", maximum=MAX_SNAP_M)
    if args.radius_min is None:
        return km_to_m(args.radius_km, "--radius-km"), "length"
    if args.radius_km is not None or args.mode != "network":
        raise ValueError("--radius-min is a road travel time: use it with --mode network and "
                         "without --radius-km")
    return positive_number(args.radius_min, "--radius-min", unit="minutes", minimum=0.1,
                           maximum=360.0) * 60.0, "travel_time"


def check_suffix(path: str, flag: str, suffixes: tuple[str, ...]) -> Path:
    """``path`` when it ends in one of ``suffixes`` (case-insensitive), else ValueError."""
    out = Path(path)
    if out.suffix.lower() not in suffixes:
        raise ValueError(f"{flag} must end in {' or '.join(suffixes)}, got {path!r}")
    return out


def context_from_args(args: argparse.Namespace, *, sites=None) -> AnalysisContext:
    """The analysis context of a command: --data-dir, --vintage, --population-file, and a
    road graph from --graph / --roads when the command has them."""
    population_file = getattr(args, "population_file", None)
    data_dir = resolve_data_dir(args.data_dir)
    if data_dir is None and population_file is None:
        raise FileNotFoundError(missing_data_help())
    ctx = load_context(data_dir, vintage=getattr(args, "vintage", None),
                       population_file=population_file, sites=sites)
    graph = getattr(args, "graph", None) or getattr(args, "roads", None)
    if graph in ("nlsc", "osm"):
        ctx.road_loader = road_loader(graph, data_dir=data_dir)
    elif graph:
        path = Path(graph)
        if not path.exists():
            raise FileNotFoundError(f"road graph not found: {path}")
        ctx.road_loader = road_loader(path, data_dir=data_dir)
    return ctx


def store_actions(parser: argparse.ArgumentParser, handler, *, store_help: str):
    """A sub-command factory for the store commands (scenario, layers): ``action(name,
    help, *positional)`` adds an action with the common options and ``--store``."""
    from cli import add_common_options
    actions = parser.add_subparsers(dest="action", required=True)

    def action(name: str, help_text: str, *names: str) -> argparse.ArgumentParser:
        a = actions.add_parser(name, help=help_text)
        for n in names:
            a.add_argument(n)
        add_common_options(a)
        a.add_argument("--store", default=None, help=store_help)
        a.set_defaults(handler=handler)
        return a
    return action


def add_vintage_option(parser: argparse.ArgumentParser) -> None:
    """--vintage: the population vintage (statistic month) with its boundaries."""
    from geo.population import DEFAULT_VINTAGE, POPULATION_VINTAGES
    parser.add_argument("--vintage", default=None, choices=sorted(POPULATION_VINTAGES),
                        help=f"population vintage with its boundaries (default "
                             f"{DEFAULT_VINTAGE}: the newest)")


def check_output(path: str | Path, args: argparse.Namespace, *, inputs: list = ()) -> None:
    """Refuse an output path that is one of ``inputs`` or lies inside what the command reads
    or keeps: the data directory in use (``--data-dir``, else ``$SAFETYNET_DATA_DIR`` or the
    default), the site library and the scenario store (their defaults under
    ``$SAFETYNET_HOME``, and ``--store`` when given). An export never overwrites them."""
    from geo.paths import resolve_data_dir
    from store._paths import layers_dir, store_dir
    refuse_overwriting_inputs(path, list(inputs))
    refuse_writing_inside(path, {
        "the data directory": resolve_data_dir(getattr(args, "data_dir", None)),
        "the site library": layers_dir(), "the scenario store": store_dir(),
        "the store given by --store": getattr(args, "store", None)})


def write_output(path: str | Path, text: str | bytes, args: argparse.Namespace, *,
                 inputs: list = ()) -> Path:
    """Write an output file atomically after :func:`check_output`."""
    check_output(path, args, inputs=inputs)
    return atomic_write(path, text)


def print_json(data: object) -> None:
    """Print JSON-safe data (NaN/inf -> null), UTF-8 text kept."""
    print(json.dumps(to_jsonable(data), ensure_ascii=False, indent=2, allow_nan=False))


def note_lines(notes, lang: str) -> list[str]:
    """The notes' texts in ``lang`` (each once, in order)."""
    seen: dict[str, None] = {}
    for n in notes:
        seen.setdefault(n.text(lang), None)
    return list(seen)


def fmt_km(metres: float) -> str:
    """Metres as "1.23 km", "—" when infinite."""
    return "—" if not math.isfinite(metres) else f"{metres / 1000:.2f} km"
