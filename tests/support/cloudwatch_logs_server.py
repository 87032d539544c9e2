#!/usr/bin/python3
"""A loopback CloudWatch Logs endpoint for granary's tests (stdlib only): FilterLogEvents.

The AWS JSON 1.1 protocol as the API reference describes it (docs.aws.amazon.com/
AmazonCloudWatchLogs/latest/APIReference/API_FilterLogEvents.html): POST / with
X-Amz-Target: Logs_20140328.FilterLogEvents and Content-Type application/x-amz-json-1.1, a JSON
body {logGroupName, startTime?, endTime?, filterPattern?, nextToken?, limit?}, answered with
{events: [{logStreamName, timestamp, message, ingestionTime, eventId}], searchedLogStreams,
nextToken?}. Every request's SigV4 signature is checked (aws_sigv4.verify, service "logs").
Errors are JSON bodies {"__type", "message"} with status 400 (ResourceNotFoundException,
ThrottlingException, InvalidParameterException, ...) or what SigV4 verification says.

Events come from a JSON file: {logGroupName: [{timestamp, message, logStreamName?, ...}]}.
Answers hold at most --page-size events (small, so clients must follow nextToken); startTime
(inclusive), endTime (inclusive), limit and filterPattern are honoured. Filter patterns: terms
(bare words or "quoted phrases") that must all occur in the message, or, when every term starts
with '?', any of them; "" matches everything.

Faults: --throttle-call N (repeatable) answers the Nth FilterLogEvents call (1-based, counting
every call) with 400 ThrottlingException; --empty-first-page answers each first page (no
nextToken in the request) with no events and a nextToken, as the service does while it searches.
GET /_control/stats (unsigned) returns counters: requests, filter_calls, pages (successful
answers), events_sent, throttled, refused (signature or credential failures), not_found,
requests_seen (each call's body without nextToken).

Usage: cloudwatch_logs_server.py --events FILE --credential KEY:SECRET[:TOKEN] ... [--region R]
       [--page-size N] [--throttle-call N] [--empty-first-page]. Binds 127.0.0.1 port 0 and prints
       the port. It exits when its parent process goes away.
"""
import argparse
import base64
import http.server
import json
import os
import re
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import aws_sigv4  # noqa: E402

import loopback  # tests/support/loopback.py: the server, its port, exit with the parent

TARGET = "Logs_20140328.FilterLogEvents"
TERM_RE = re.compile(r'\??"[^"]*"|\S+')


class ApiError(Exception):
    def __init__(self, status, error_type, message):
        super().__init__(message)
        self.status, self.error_type, self.message = status, error_type, message


def matcher(pattern):
    """A predicate on messages for a filter pattern (the subset described above)."""
    terms = TERM_RE.findall(pattern or "")
    if not terms:
        return lambda message: True
    any_of = all(t.startswith("?") for t in terms)
    words = [t.lstrip("?").strip('"') for t in terms]
    if any_of:
        return lambda message: any(w in message for w in words)
    return lambda message: all(w in message for w in words)


class State:
    def __init__(self, args):
        self.lock = threading.Lock()
        self.region = args.region
        self.page_size = args.page_size
        self.throttle_calls = set(args.throttle_call)
        self.empty_first_page = args.empty_first_page
        self.credentials = aws_sigv4.parse_credentials(args.credential)
        with open(args.events) as f:
            groups = json.load(f)
        self.groups = {}
        for name, events in groups.items():
            ordered = sorted(events, key=lambda e: e["timestamp"])
            for n, e in enumerate(ordered):
                e.setdefault("logStreamName", "2026/01/01/[$LATEST]0123456789abcdef")
                e.setdefault("ingestionTime", e["timestamp"] + 100)
                e.setdefault("eventId", "%056d" % n)
            self.groups[name] = ordered
        self.stats = {"requests": 0, "filter_calls": 0, "pages": 0, "events_sent": 0, "throttled": 0,
                      "refused": 0, "not_found": 0, "requests_seen": []}


def encode_token(position, empty_served):
    return base64.b64encode(json.dumps({"position": position, "empty": empty_served}).encode()).decode()


def decode_token(token):
    try:
        data = json.loads(base64.b64decode(token.encode(), validate=True))
        return int(data["position"])
    except Exception:
        raise ApiError(400, "InvalidParameterException", "The specified nextToken is invalid.")


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    state: State = None

    def log_message(self, fmt, *args):  # keep test output quiet
        pass

    def do_GET(self):
        if self.path == "/_control/stats":
            with self.state.lock:
                return self.reply(200, self.state.stats)
        self.handle_api()

    def do_POST(self):
        self.handle_api()

    def reply(self, status, body, error_type=None):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/x-amz-json-1.1")
        self.send_header("x-amzn-RequestId", "00000000-0000-0000-0000-000000000000")
        if error_type:
            self.send_header("x-amzn-ErrorType", error_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def handle_api(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        with self.state.lock:
            self.state.stats["requests"] += 1
        try:
            try:
                aws_sigv4.verify(self.command, self.path, self.headers, body, self.state.credentials,
                                 self.state.region, "logs")
            except aws_sigv4.SigV4Error as e:
                with self.state.lock:
                    self.state.stats["refused"] += 1
                raise ApiError(e.status, e.error_type, e.message)
            if self.command != "POST" or self.path != "/":
                raise ApiError(400, "UnknownOperationException", "only POST / is served")
            if self.headers.get("Content-Type", "").split(";")[0].strip() != "application/x-amz-json-1.1":
                raise ApiError(400, "SerializationException", "Content-Type must be application/x-amz-json-1.1")
            target = self.headers.get("X-Amz-Target")
            if target != TARGET:
                raise ApiError(400, "UnknownOperationException", f"unknown operation {target}")
            try:
                request = json.loads(body or b"{}")
            except ValueError:
                raise ApiError(400, "SerializationException", "the body is not JSON")
            self.reply(200, self.filter_log_events(request))
        except ApiError as e:
            self.reply(e.status, {"__type": e.error_type, "message": e.message}, e.error_type)

    def filter_log_events(self, request):
        state = self.state
        with state.lock:
            state.stats["filter_calls"] += 1
            call = state.stats["filter_calls"]
            if "nextToken" not in request:
                state.stats["requests_seen"].append(dict(request))
        if call in state.throttle_calls:
            with state.lock:
                state.stats["throttled"] += 1
            raise ApiError(400, "ThrottlingException", "Rate exceeded")
        name = request.get("logGroupName")
        if not isinstance(name, str) or not name:
            raise ApiError(400, "InvalidParameterException", "logGroupName is required")
        if name not in state.groups:
            with state.lock:
                state.stats["not_found"] += 1
            raise ApiError(400, "ResourceNotFoundException", "The specified log group does not exist.")
        limit = request.get("limit", 10000)
        if not isinstance(limit, int) or not 1 <= limit <= 10000:
            raise ApiError(400, "InvalidParameterException", "limit must be between 1 and 10000")
        start = request.get("startTime", 0)
        end = request.get("endTime")
        match = matcher(request.get("filterPattern", ""))
        selected = [e for e in state.groups[name]
                    if e["timestamp"] >= start and (end is None or e["timestamp"] <= end) and match(e["message"])]
        if "nextToken" in request:
            position = decode_token(request["nextToken"])
        elif state.empty_first_page:
            with state.lock:
                state.stats["pages"] += 1
            return {"events": [], "searchedLogStreams": [], "nextToken": encode_token(0, True)}
        else:
            position = 0
        size = min(limit, state.page_size)
        page = selected[position:position + size]
        answer = {"events": [dict(e) for e in page], "searchedLogStreams": []}
        if position + size < len(selected):
            answer["nextToken"] = encode_token(position + size, False)
        with state.lock:
            state.stats["pages"] += 1
            state.stats["events_sent"] += len(page)
        return answer


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", required=True, help="JSON file: {logGroupName: [events]}")
    parser.add_argument("--credential", action="append", default=[], help="KEY:SECRET[:SESSION_TOKEN]")
    parser.add_argument("--region", default="us-east-1")
    parser.add_argument("--page-size", type=int, default=3, help="most events per answer")
    parser.add_argument("--throttle-call", type=int, action="append", default=[],
                        help="answer the Nth FilterLogEvents call with ThrottlingException")
    parser.add_argument("--empty-first-page", action="store_true")
    args = parser.parse_args()
    Handler.state = State(args)
    loopback.serve(Handler)


if __name__ == "__main__":
    main()
