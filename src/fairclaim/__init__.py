"""fairclaim: find unlicensed uses of photographs and resolve each case fairly."""

__version__ = "0.1.0"
