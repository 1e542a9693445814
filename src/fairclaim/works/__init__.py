"""The works registry: photos, rights metadata, copyright registrations, the licence ledger."""
