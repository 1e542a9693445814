"""Framework-free image matching: fingerprints, candidate index, geometric verification, reports.

Must not import Django. This module imports nothing, so `fairclaim --help` stays fast; import the
public API from its modules:

    untrusted    open_untrusted_image(data, *, max_pixels): the one opener of image bytes we
                 did not make (header only, pixel count checked first; typed errors)
    decode       decode_image(data, *, max_pixels, min_side, max_bytes, min_long_side)
                 -> DecodedImage
    errors       ImageDecodeError (EmptyImage, NotAnImage, UnsupportedImage, AnimatedImage,
                 TruncatedImage, DecompressionBomb, TooLarge, CorruptImage),
                 IndexFormatError — each with a short `.code`
    fingerprint  fingerprint_work(decoded) / fingerprint_work_bytes(data, *, max_pixels)
                 -> WorkFingerprint (.to_bytes() / .from_bytes(); .features: LocalFeatures)
    index        MatchIndex: add(id, fingerprint), remove(id), save(path), load(path),
                 pdq_candidates(...), crop_candidates(...)
    tiers        CodeTier: 256-bit codes in FAISS, flat while small, an inverted file once large
    matcher      Matcher(index, load_features).match_bytes(data) -> QueryResult
    proposals    region_proposals(rgb): boxes that may hold a picture inside a larger image
    verify       QueryImage, verify(query, work_features) -> Verification (geometry);
    pixels       pixel_agreement (the block-by-block check behind every verdict)
    report       MatchReport (.to_json()), render_report_png(report, original_rgb, found_rgb)
    store        build_index_directory(root, out) (creates or updates) and IndexDirectory(path)
                 — the CLI's on-disk index (FAISS files, id map, where the originals are)
    shards       build_sharded_index(root, out, K, client), ShardedMatcher(out, client) — a
                 sharded index on Dask with partial answers that name missing shards
    distractors  seeded hard negatives (crops, rescales, colour shifts, mosaics) for the bench
    edits        seeded edit families used by the tests and the benchmark
    cli          `fairclaim match index|query`
"""
