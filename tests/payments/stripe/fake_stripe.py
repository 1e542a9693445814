"""A local stand-in for the parts of Stripe's API that fairclaim calls, on 127.0.0.1.

It speaks Stripe's documented wire format: form-encoded POSTs with bracketed keys
(`line_items[0][price_data][currency]=eur`), `Authorization: Bearer <key>`, JSON objects back
(`checkout.session`, `refund`) and JSON errors (`{"error": {"type": ...}}`). Idempotency as
documented: the first response for an `Idempotency-Key` is saved; a retry with the same key and
the same parameters gets it back (header `Idempotent-Replayed: true`); the same key with other
parameters is a 400 `idempotency_error`.

Endpoints: POST /v1/checkout/sessions, POST /v1/checkout/sessions/{id}/expire, POST /v1/refunds.
`pay(session_id)` plays the customer paying on the hosted page and returns the objects Stripe
would then send in webhooks. `drop_responses = n` closes the connection without answering the
next n requests (after doing the work), to exercise the client's retries.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl

SESSION_LIFETIME_SECONDS = 24 * 3600  # Stripe's default Checkout Session lifetime


def decode_form(body: str) -> dict:
    """Stripe's bracket encoding back into nested dicts and lists."""
    result: dict = {}
    for key, value in parse_qsl(body, keep_blank_values=True):
        parts = key.replace("]", "").split("[")
        target = result
        for index, part in enumerate(parts):
            last = index == len(parts) - 1
            nxt = None if last else parts[index + 1]
            if isinstance(target, list):
                position = int(part)
                while len(target) <= position:
                    target.append({} if nxt is not None and not nxt.isdigit() else [])
                if last:
                    target[position] = value
                else:
                    target = target[position]
            else:
                if last:
                    target[part] = value
                else:
                    target = target.setdefault(part, [] if nxt.isdigit() else {})
    return result


class FakeStripe:
    def __init__(self, api_key: str):
        self.api_key = api_key
        self.sessions: dict[str, dict] = {}
        self.intents: dict[str, dict] = {}  # payment intent id -> {"amount", "refunded", ...}
        self.refunds: dict[str, dict] = {}
        self.requests: list[dict] = []
        self.saved: dict[
            str, tuple[str, dict, int, dict]
        ] = {}  # key -> (path, params, status, body)
        self.drop_responses = 0
        self.lock = threading.Lock()
        self.ids = itertools.count(1)
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def reset(self):
        with self.lock:
            self.sessions.clear()
            self.intents.clear()
            self.refunds.clear()
            self.requests.clear()
            self.saved.clear()
            self.drop_responses = 0

    def _id(self, prefix: str) -> str:
        return f"{prefix}_test_{next(self.ids):08d}"

    # -- what the customer does on Stripe's page -------------------------------------------

    def pay(self, session_id: str, amount: int | None = None) -> tuple[dict, dict, dict]:
        """Complete the session; returns (session, payment_intent, charge) as Stripe has them."""
        with self.lock:
            session = self.sessions[session_id]
            intent_id, charge_id = self._id("pi"), self._id("ch")
            paid = session["amount_total"] if amount is None else amount
            session.update(
                status="complete",
                payment_status="paid",
                payment_intent=intent_id,
                amount_total=paid,
            )
            intent = {
                "id": intent_id,
                "object": "payment_intent",
                "amount": paid,
                "amount_received": paid,
                "currency": session["currency"],
                "status": "succeeded",
                "latest_charge": charge_id,
                "metadata": dict(session["payment_intent_data"].get("metadata", {})),
            }
            charge = {
                "id": charge_id,
                "object": "charge",
                "amount": paid,
                "amount_refunded": 0,
                "currency": session["currency"],
                "payment_intent": intent_id,
                "refunded": False,
                "paid": True,
                "status": "succeeded",
                "metadata": {},
            }
            self.intents[intent_id] = {"intent": intent, "charge": charge}
            public = {k: v for k, v in session.items() if k != "payment_intent_data"}
            return dict(public), dict(intent), dict(charge)

    def refund_everything(self, intent_id: str) -> dict:
        """A refund made in Stripe's dashboard; returns the charge as charge.refunded sends it."""
        with self.lock:
            record = self.intents[intent_id]
            record["charge"].update(amount_refunded=record["charge"]["amount"], refunded=True)
            return dict(record["charge"])

    def dispute(self, intent_id: str, status: str, reason: str = "fraudulent") -> dict:
        """The card holder's bank disputes the charge; returns the dispute object as
        charge.dispute.closed sends it (status "lost" or "won")."""
        with self.lock:
            charge = self.intents[intent_id]["charge"]
            charge.update(disputed=True)
            return {
                "id": self._id("dp"),
                "object": "dispute",
                "amount": charge["amount"],
                "currency": charge["currency"],
                "charge": charge["id"],
                "payment_intent": intent_id,
                "reason": reason,
                "status": status,
                "metadata": {},
            }

    # -- API -------------------------------------------------------------------------------

    def _create_session(self, params: dict) -> tuple[int, dict]:
        item = params["line_items"][0]
        price = item["price_data"]
        session_id = self._id("cs")
        session = {
            "id": session_id,
            "object": "checkout.session",
            "mode": params.get("mode"),
            "status": "open",
            "payment_status": "unpaid",
            "amount_total": int(price["unit_amount"]) * int(item.get("quantity", 1)),
            "currency": price["currency"],
            "client_reference_id": params.get("client_reference_id"),
            "metadata": params.get("metadata", {}),
            "payment_intent": None,
            "success_url": params.get("success_url"),
            "cancel_url": params.get("cancel_url"),
            "expires_at": int(time.time()) + SESSION_LIFETIME_SECONDS,
            "url": f"https://checkout.stripe.com/c/pay/{session_id}",
            "livemode": False,
            "payment_intent_data": params.get("payment_intent_data", {}),
        }
        self.sessions[session_id] = session
        return 200, {k: v for k, v in session.items() if k != "payment_intent_data"}

    def _expire(self, session_id: str) -> tuple[int, dict]:
        session = self.sessions.get(session_id)
        if session is None:
            return 404, _error("invalid_request_error", f"No such checkout.session: {session_id}")
        if session["status"] != "open":
            return 400, _error(
                "invalid_request_error", f"Only open sessions can be expired ({session['status']})"
            )
        session["status"] = "expired"
        return 200, {k: v for k, v in session.items() if k != "payment_intent_data"}

    def _refund(self, params: dict) -> tuple[int, dict]:
        record = self.intents.get(params.get("payment_intent", ""))
        if record is None:
            return 400, _error("invalid_request_error", "No such payment_intent")
        charge = record["charge"]
        amount = int(params.get("amount", charge["amount"] - charge["amount_refunded"]))
        if amount <= 0 or charge["amount_refunded"] + amount > charge["amount"]:
            return 400, _error(
                "invalid_request_error", "Refund amount is greater than unrefunded amount"
            )
        charge["amount_refunded"] += amount
        charge["refunded"] = charge["amount_refunded"] == charge["amount"]
        refund = {
            "id": self._id("re"),
            "object": "refund",
            "amount": amount,
            "currency": charge["currency"],
            "charge": charge["id"],
            "payment_intent": params["payment_intent"],
            "status": "succeeded",
            "metadata": params.get("metadata", {}),
        }
        self.refunds[refund["id"]] = refund
        return 200, refund

    def _dispatch(self, path: str, params: dict) -> tuple[int, dict]:
        if path == "/v1/checkout/sessions":
            return self._create_session(params)
        if path.startswith("/v1/checkout/sessions/") and path.endswith("/expire"):
            return self._expire(path.split("/")[4])
        if path == "/v1/refunds":
            return self._refund(params)
        return 404, _error("invalid_request_error", f"Unrecognized request URL (POST: {path})")

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode()
                params = decode_form(body)
                key = self.headers.get("Idempotency-Key")
                replayed = False
                with fake.lock:
                    fake.requests.append({"path": self.path, "params": params, "key": key})
                    if self.headers.get("Authorization") != f"Bearer {fake.api_key}":
                        status, out = 401, _error("invalid_request_error", "Invalid API Key")
                    elif key and key in fake.saved:
                        path, saved_params, status, out = fake.saved[key]
                        if (path, saved_params) != (self.path, params):
                            status, out = (
                                400,
                                _error(
                                    "idempotency_error",
                                    "Keys for idempotent requests can only be used with the same "
                                    "parameters they were first used with.",
                                ),
                            )
                        else:
                            replayed = True
                    else:
                        status, out = fake._dispatch(self.path, params)
                        if key:
                            fake.saved[key] = (self.path, params, status, out)
                    drop = fake.drop_responses > 0
                    if drop:
                        fake.drop_responses -= 1
                if drop:
                    self.close_connection = True
                    return  # the work is done, the answer is lost
                data = json.dumps(out).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                if key:
                    self.send_header("Idempotency-Key", key)
                if replayed:
                    self.send_header("Idempotent-Replayed", "true")
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        return Handler


def _error(kind: str, message: str) -> dict:
    return {"error": {"type": kind, "message": message}}
