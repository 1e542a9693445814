"""Framework-free discovery: crawler, WARC reader, page-context extraction, batch scans.

Must not import Django. Public entry points (import from their modules; nothing heavy is
imported here so `fairclaim --help` stays fast):

- fetch.fetch(url, *, limits, allow_loopback, resolver, ...) -> FetchResult   (all outbound HTTP)
- submitted.fetch_page_sightings(page_url, image_url=None, *, ...) -> list[SightingRecord]
- crawl.scan_pages(urls, CrawlOptions, *, counts=None) -> Iterator[SightingRecord]  (child process)
- warc.read_warc(path, *, counts=None, limits=...) -> Iterator[SightingRecord]
- batch.plan_scan / run_scan / run_scan_in_process                            (`fairclaim scan`)
- providers.TinEyeProvider / GoogleVisionProvider(api_key, base_url=...).search(...)
- context.extract_page(html, page_url) -> PageContext                          (pure)
  (helpers: links.py absolute URLs/srcset, imprint.py notice recipient, imagemeta.py EXIF/IPTC/XMP)
- crawl.py options/settings/child process; spider.py the Scrapy spider; crawl_guards.py the
  address-policy resolver and middlewares inside Scrapy
- records.SightingRecord (to_json/from_dict), ScanCounts; errors.DiscoveryError and subclasses
"""
