"""The scenario store and the site library: GeoPackage files in the user data directory
(``$SAFETYNET_HOME``, else the platform user data dir), written atomically, versioned and
conflict-aware. :mod:`store.scenarios` keeps what-if scenarios, :mod:`store.layers` the
planner's imported site layers (with history), :mod:`store.layer_export` exports them."""
from __future__ import annotations

from store._errors import (LayerConflict, LayerError, LayerFileError, LayerNotFound,
                           ScenarioConflict, ScenarioError, ScenarioFileError, ScenarioNotFound,
                           StoreError, StoreLockTimeout)
from store._paths import ENV_HOME, home_dir, layers_dir, store_dir, validate_name
from store.layer_export import EXPORT_FORMATS, export_format, export_layer
from store.layers import (HISTORY_LIMIT, Layer, LayerInfo, delete_layer, layer_history,
                          layer_path, layer_versions, library_sites, list_layers, load_layer,
                          rollback_layer, save_layer)
from store.scenarios import (ScenarioInfo, delete_scenario, duplicate_scenario,
                             export_scenario, file_name, import_scenario, list_scenarios,
                             load_scenario, quarantine_corrupt, read_scenario_file,
                             save_scenario, scenario_path)

__all__ = ["ENV_HOME", "EXPORT_FORMATS", "HISTORY_LIMIT", "Layer", "LayerConflict",
           "LayerError", "LayerFileError", "LayerInfo", "LayerNotFound", "ScenarioConflict",
           "ScenarioError", "ScenarioFileError", "ScenarioInfo", "ScenarioNotFound",
           "StoreError", "StoreLockTimeout", "delete_layer", "delete_scenario",
           "duplicate_scenario", "export_format", "export_layer", "export_scenario",
           "file_name", "home_dir", "import_scenario", "layer_history", "layer_path",
           "layer_versions", "layers_dir", "library_sites", "list_layers", "list_scenarios",
           "load_layer", "load_scenario", "quarantine_corrupt", "read_scenario_file",
           "rollback_layer", "save_layer", "save_scenario", "scenario_path", "store_dir",
           "validate_name"]
