"""Where the data lives: the committed boundaries and the (external) data directory."""
from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
BOUNDARIES_DIR = PROJECT_ROOT / "data" / "boundaries"
ENV_VAR = "SAFETYNET_DATA_DIR"
DEFAULT_DATA_DIR = PROJECT_ROOT.parent / "shared" / "data"

# What a data directory may hold, with the official dataset each file comes from.
EXPECTED_LAYOUT = {
    "population/": "village population, MOI 內政部戶政司 ODRP014 「村里戶數、單一年齡人口」 layout "
                   "(CSV, columns 年月, 村里代碼, 區域, 村里, 戶數, 人口, 男性人口, 女性人口, 未滿15歲, "
                   "15-64歲, 超過64歲), data.gov.tw dataset ODRP014",
    "services/family_service_centres.geojson": "家庭服務中心 points (MOHW 社會福利服務中心 list), "
                                               "GeoJSON with properties name, service_area",
    "services/community_mental_health_centres.geojson": "社區心理衛生中心 points (MOHW data.gov.tw 165355), "
                                                        "GeoJSON with properties name, address",
    "roads/*.graphml": "optional OSMnx drivable road graph (GraphML) for network distances",
}


def resolve_data_dir(data_dir: str | os.PathLike | None = None) -> Path | None:
    """Return the data directory: the argument, else ``$SAFETYNET_DATA_DIR``, else
    ``../shared/data`` beside the project. ``None`` when none of them exists.

    An explicitly given directory that does not exist raises ``FileNotFoundError``
    (a typo must not silently fall back to other data).
    """
    if data_dir is not None:
        path = Path(data_dir).expanduser()
        if not path.is_dir():
            raise FileNotFoundError(f"data directory not found: {path}")
        return path.resolve()
    env = os.environ.get(ENV_VAR)
    if env:
        path = Path(env).expanduser()
        if not path.is_dir():
            raise FileNotFoundError(f"${ENV_VAR} points to a missing directory: {path}")
        return path.resolve()
    return DEFAULT_DATA_DIR.resolve() if DEFAULT_DATA_DIR.is_dir() else None


def missing_data_help() -> str:
    """Human-readable instructions for a run without any data directory (zh-TW + English)."""
    lines = [
        "找不到資料目錄 / no data directory found.",
        f"Pass --data-dir DIR or set ${ENV_VAR}; the default is {DEFAULT_DATA_DIR}.",
        "The directory may contain:",
    ]
    lines += [f"  {name:48s} {what}" for name, what in EXPECTED_LAYOUT.items()]
    return "\n".join(lines)
