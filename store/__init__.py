"""The scenario store and the site library: GeoPackage files in the user data directory
(``$SAFETYNET_HOME``, else the platform user data dir), written atomically, versioned and
conflict-aware. :mod:`store.scenarios` keeps what-if scenarios."""
from __future__ import annotations

from store._errors import (ScenarioConflict, ScenarioError, ScenarioFileError, ScenarioNotFound,
                           StoreError, StoreLockTimeout)
from store._paths import ENV_HOME, home_dir, layers_dir, store_dir, validate_name
from store.scenarios import (ScenarioInfo, delete_scenario, duplicate_scenario,
                             export_scenario, file_name, import_scenario, list_scenarios,
                             load_scenario, quarantine_corrupt, read_scenario_file,
                             save_scenario, scenario_path)

__all__ = ["ENV_HOME", "ScenarioConflict", "ScenarioError", "ScenarioFileError",
           "ScenarioInfo", "ScenarioNotFound", "StoreError", "StoreLockTimeout",
           "delete_scenario", "duplicate_scenario", "export_scenario", "file_name", "home_dir",
           "import_scenario", "layers_dir", "list_scenarios", "load_scenario",
           "quarantine_corrupt", "read_scenario_file", "save_scenario", "scenario_path",
           "store_dir", "validate_name"]
