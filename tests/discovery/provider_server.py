"""Local stand-ins for TinEye and Google Cloud Vision speaking their documented HTTP formats.

They check what the real services require (auth, parameters, body shape) and answer with the
documented JSON; anything else gets the services' documented error shapes.
"""

from __future__ import annotations

import base64
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

TINEYE_KEY = "tineye-test-key"
VISION_KEY = "vision-test-key"

TINEYE_ANSWER = {
    "stats": {
        "timestamp": "1700000000.00",
        "query_time": "0.42",
        "total_backlinks": 3,
        "total_results": 2,
        "total_stock": 0,
        "total_collection": 0,
        "total_filtered_results": 2,
    },
    "code": 200,
    "messages": [],
    "results": {
        "matches": [
            {
                "image_url": "https://img.tineye.com/result/abc",
                "domain": "blog.example",
                "score": 88.2,
                "width": 800,
                "height": 533,
                "size": 426400,
                "format": "JPEG",
                "filesize": 91234,
                "overlay": "overlay/abc/def",
                "tags": [],
                "backlinks": [
                    {
                        "url": "https://blog.example/uploads/mountain.jpg",
                        "backlink": "https://blog.example/posts/hike",
                        "crawl_date": "2025-09-14",
                        "image_name": "mountain.jpg",
                    },
                    {
                        "url": "https://blog.example/uploads/mountain-small.jpg",
                        "backlink": "https://blog.example/tags/alps",
                        "crawl_date": "2025-10-02",
                        "image_name": "mountain-small.jpg",
                    },
                ],
            },
            {
                "image_url": "https://img.tineye.com/result/ghi",
                "domain": "shop.example",
                "score": 61.0,
                "width": 400,
                "height": 266,
                "size": 106400,
                "format": "JPEG",
                "filesize": 20111,
                "overlay": "overlay/ghi/jkl",
                "tags": ["stock"],
                "backlinks": [
                    {
                        "url": "https://cdn.other.example/m.jpg",
                        "backlink": "https://shop.example/products/poster",
                        "crawl_date": "2024-12-01",
                        "image_name": "m.jpg",
                    }
                ],
            },
        ]
    },
}

VISION_ANSWER = {
    "responses": [
        {
            "webDetection": {
                "webEntities": [{"entityId": "/m/0cblv", "score": 0.9, "description": "Alps"}],
                "fullMatchingImages": [
                    {"url": "https://news.example/img/alps.jpg"},
                    {"url": "https://mirror.example/alps-copy.jpg"},
                ],
                "partialMatchingImages": [{"url": "https://blog.example/crop.jpg"}],
                "pagesWithMatchingImages": [
                    {
                        "url": "https://news.example/story",
                        "pageTitle": "Story <b>Alps</b>",
                        "score": 0.71,
                        "fullMatchingImages": [{"url": "https://news.example/img/alps.jpg"}],
                    },
                    {
                        "url": "https://blog.example/post",
                        "pageTitle": "A post",
                        "partialMatchingImages": [{"url": "https://blog.example/crop.jpg"}],
                    },
                ],
                "visuallySimilarImages": [{"url": "https://similar.example/other.jpg"}],
                "bestGuessLabels": [{"label": "alps", "languageCode": "en"}],
            }
        }
    ]
}


class ProviderHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        pass

    def answer(self, status: int, data: object) -> None:
        body = json.dumps(data).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def body(self) -> bytes:
        return self.rfile.read(int(self.headers.get("Content-Length", "0")))

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        self.server.requests.append(("GET", self.path, dict(self.headers), b""))  # type: ignore[attr-defined]
        if parts.path != "/rest/search/":
            return self.answer(404, {"code": 404, "messages": ["Not found"]})
        if self.headers.get("x-api-key") != TINEYE_KEY:
            return self.answer(401, {"code": 401, "messages": ["Invalid API key"], "results": {}})
        query = parse_qs(parts.query)
        if "image_url" not in query:
            return self.answer(400, {"code": 400, "messages": ["Missing image_url"]})
        return self.answer(200, TINEYE_ANSWER)

    def do_POST(self) -> None:
        parts = urlsplit(self.path)
        body = self.body()
        self.server.requests.append(("POST", self.path, dict(self.headers), body))  # type: ignore[attr-defined]
        if parts.path == "/rest/search/":
            if self.headers.get("x-api-key") != TINEYE_KEY:
                return self.answer(401, {"code": 401, "messages": ["Invalid API key"]})
            ctype = self.headers.get("Content-Type", "")
            if not ctype.startswith("multipart/form-data; boundary=") or (
                b'name="image_upload"' not in body
            ):
                return self.answer(400, {"code": 400, "messages": ["Missing image_upload"]})
            return self.answer(200, TINEYE_ANSWER)
        if parts.path == "/v1/images:annotate":
            if parse_qs(parts.query).get("key") != [VISION_KEY]:
                return self.answer(
                    403,
                    {
                        "error": {
                            "code": 403,
                            "status": "PERMISSION_DENIED",
                            "message": "API key not valid.",
                        }
                    },
                )
            request = json.loads(body)["requests"][0]
            assert request["features"][0]["type"] == "WEB_DETECTION"
            image = request["image"]
            if "content" in image:
                raw = base64.b64decode(image["content"])
                if not raw.startswith(b"\xff\xd8"):
                    return self.answer(
                        200, {"responses": [{"error": {"code": 3, "message": "Bad image data."}}]}
                    )
            elif not image.get("source", {}).get("imageUri"):
                return self.answer(400, {"error": {"code": 400, "message": "no image"}})
            return self.answer(200, VISION_ANSWER)
        return self.answer(404, {"error": {"code": 404, "message": "not found"}})


class ProviderServer:
    def __init__(self) -> None:
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), ProviderHandler)
        self.httpd.daemon_threads = True
        self.httpd.requests = []  # type: ignore[attr-defined]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_port}"

    @property
    def requests(self) -> list:
        return self.httpd.requests  # type: ignore[attr-defined]

    def __enter__(self) -> ProviderServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
