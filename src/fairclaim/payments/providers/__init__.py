"""Payment providers, one folder each (stripe/, bank_transfer/), behind `base.PaymentProvider`.

`get_provider(method)` returns the provider configured for a payment method in the setting
`PAYMENT_PROVIDERS` ({method: dotted class path}); the defaults are below.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.module_loading import import_string

from .base import PaymentProvider, ProviderNotConfigured

DEFAULT_PROVIDERS = {
    "card": "fairclaim.payments.providers.stripe.backend.StripeProvider",
    "bank_transfer": "fairclaim.payments.providers.bank_transfer.backend.BankTransferProvider",
}


def get_provider(method: str) -> PaymentProvider:
    configured = {**DEFAULT_PROVIDERS, **getattr(settings, "PAYMENT_PROVIDERS", {})}
    try:
        path = configured[method]
    except KeyError:
        raise ProviderNotConfigured(
            f"no payment provider for method {method!r} in PAYMENT_PROVIDERS"
        ) from None
    return import_string(path)()


__all__ = ["PaymentProvider", "ProviderNotConfigured", "get_provider"]
