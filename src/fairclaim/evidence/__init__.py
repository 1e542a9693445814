"""Evidence capture, WARC/WACZ packaging, manifests, signing and verification."""
