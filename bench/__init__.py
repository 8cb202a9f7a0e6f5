"""The benchmark: `python -m bench.run` (see README, "Performance"). A script, not a test."""
