"""Claims and cases: facts, fee statements, notices, evidence captures, the hash-chained log."""
