"""The report: executing notebooks, scheduling them, exporting pages and assembling the report folder."""
