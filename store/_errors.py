"""Errors of the scenario store and the site library (the CLI turns them into messages and
exit code 1; bad arguments are ``ValueError`` and exit code 2)."""
from __future__ import annotations

__all__ = ["LayerConflict", "LayerError", "LayerFileError", "LayerNotFound",
           "ScenarioConflict", "ScenarioError", "ScenarioFileError", "ScenarioNotFound",
           "StoreError", "StoreLockTimeout"]


class StoreError(Exception):
    """Base class of every store error."""


class ScenarioError(StoreError):
    """Base class of scenario store errors."""


class ScenarioNotFound(ScenarioError, LookupError):
    """No scenario of that name in the store."""


class ScenarioConflict(ScenarioError):
    """The stored version is not the one the save (or delete) was based on."""


class ScenarioFileError(ScenarioError, ValueError):
    """A file that is not a readable scenario GeoPackage (corrupted, truncated, foreign)."""


class LayerError(StoreError):
    """Base class of site-library errors."""


class LayerNotFound(LayerError, LookupError):
    """No layer (or no kept version) of that name in the library."""


class LayerConflict(LayerError):
    """The stored version is not the one the import, rollback or delete was based on."""


class LayerFileError(LayerError, ValueError):
    """A library file that is not a readable layer GeoPackage."""


class StoreLockTimeout(ScenarioError, LayerError):
    """Another process held the store lock too long."""
