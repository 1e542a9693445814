"""Bank transfers quoting the case reference, reconciled by importing bank statements."""
