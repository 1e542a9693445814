"""The public REST API (/api/v1/), API keys and outgoing webhooks.

Sits above every app it serves (works, monitoring, cases, payments) and imports only downward:
views are thin shells over those apps' access functions and actions.
"""
