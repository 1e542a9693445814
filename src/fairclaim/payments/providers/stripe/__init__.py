"""Card payments through Stripe Checkout: sessions, signed webhooks, refunds."""
