"""Coverage analysis on the village layer: distances, metrics, hotspots (no UI code)."""
