"""Presentation: charts, tables for reading, the quota book, the scenario explorer."""
