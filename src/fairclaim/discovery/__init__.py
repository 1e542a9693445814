"""Framework-free discovery: crawler, WARC reader, page-context extraction, batch scans.

Must not import Django.
"""
