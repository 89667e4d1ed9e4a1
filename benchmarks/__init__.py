"""Throughput and render-time benchmarks; run ``python -m benchmarks.run`` (see README.md)."""
