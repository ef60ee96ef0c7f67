"""Re-export of the one catalogue (:mod:`i18n`) for the app's modules."""
from i18n import DEFAULT_LANG, LANGS, district_name, t, type_name, village_name  # noqa: F401
