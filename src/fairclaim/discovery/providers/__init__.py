"""Reverse-image-search providers: one adapter interface (base.py), one module per service.

Each adapter speaks the service's documented HTTP API through discovery's fetch(), so the address
policy, timeouts and size caps apply to provider calls too. API keys come from the caller.
"""

from fairclaim.discovery.providers.base import ProviderHit, ReverseImageSearchProvider
from fairclaim.discovery.providers.google_vision import GoogleVisionProvider
from fairclaim.discovery.providers.tineye import TinEyeProvider

PROVIDERS = {p.name: p for p in (TinEyeProvider, GoogleVisionProvider)}

__all__ = [
    "PROVIDERS",
    "GoogleVisionProvider",
    "ProviderHit",
    "ReverseImageSearchProvider",
    "TinEyeProvider",
]
