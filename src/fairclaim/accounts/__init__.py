"""Organisations, users, roles, sign-in and throttles: the base app the other apps stand on."""
