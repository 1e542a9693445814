"""Figures, charts, filtered lists and exports for rights holders and case managers."""
