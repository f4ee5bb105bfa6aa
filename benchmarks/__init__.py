"""Speed and memory figures, printed with their targets and ratios (never timed tests)."""
