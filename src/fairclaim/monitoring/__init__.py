"""Sightings and matches: what discovery finds, matched against the works, and their triage."""
