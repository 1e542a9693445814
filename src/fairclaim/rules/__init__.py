"""Framework-free domain rules: case states, fees, limitation, the claim linter.

Nothing here imports Django or does I/O; callers pass plain values, including `today`/`now`.
"""
