"""Exact figures: quantities, aggregation, year-over-year. No I/O, no rendering."""
