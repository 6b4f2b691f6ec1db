"""Rule detectors: the group norms that need no model. Each module checks one rule."""
