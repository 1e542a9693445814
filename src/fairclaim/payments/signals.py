"""Signals the payments app sends for apps above it (webhooks) without importing them.

`payout_run_finalised` is sent inside the transaction that makes a payout run final (after the
run is marked final, before the commit), with `run` (the PayoutRun, now final) and `now`.
Receivers that queue work must do so on commit, so a run that is rolled back announces nothing.
"""

from django.dispatch import Signal

payout_run_finalised = Signal()
