"""`make bench`: speed and memory figures, printed with their ratios to the targets (never pass/fail)."""
