"""The recipient's portal (reference + access code) and the public checks of notices and keys."""
