"""Money for cases: instalments, providers (Stripe, bank transfer), settlement and payouts."""
