"""Framework-free image matching: fingerprints, candidate index, geometric verification, reports.

Must not import Django.
"""
