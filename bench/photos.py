"""The real photos the benchmarks use: the demo's photo folder (`FAIRCLAIM_DEMO_PHOTOS`, README)."""

from fairclaim.settings import FAIRCLAIM_DEMO_PHOTOS as PHOTOS

__all__ = ["PHOTOS"]
