#!/usr/bin/python3
"""A loopback AWS Lambda Runtime API (2018-06-01) for granary's runtime tests (stdlib only).

Follows docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html:
  GET  /2018-06-01/runtime/invocation/next            the next event, with the headers
       Lambda-Runtime-Aws-Request-Id, Lambda-Runtime-Deadline-Ms,
       Lambda-Runtime-Invoked-Function-Arn, Lambda-Runtime-Trace-Id; blocks while none is queued
  POST /2018-06-01/runtime/invocation/{id}/response   202; the answer
  POST /2018-06-01/runtime/invocation/{id}/error      202; {errorMessage, errorType}
  POST /2018-06-01/runtime/init/error                  202; start-up failed
As strict as Lambda: an answer for an unknown request id, a second answer, or a `next` while
an invocation is still unanswered is refused (400) and counted as a violation.

Usage: lambda_runtime_server.py --events FILE. FILE holds a JSON array of
{"event": {...}, "timeout_ms": N} (or {"raw": "text"} for a body that is not JSON). Binds
127.0.0.1 port 0 and prints the port. GET /_control/state answers JSON: served, answered,
answers {request_id: {"kind": "response"|"error", "body", "error_type", "late", "index"}},
init_error, violations. POST /_control/enqueue adds events (the same array form).
It exits when its parent process goes away.
"""
import argparse
import http.server
import json
import os
import threading
import time
import uuid

import loopback  # tests/support/loopback.py: the server, its port, exit with the parent

ARN = "arn:aws:lambda:us-east-1:123456789012:function:granary-test"


class State:
    def __init__(self, events):
        self.lock = threading.Condition()
        self.queue = list(events)
        self.served = 0
        self.pending = {}  # request id -> (index, deadline_ms)
        self.answers = {}
        self.init_error = None
        self.violations = []


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    state = None

    def log_message(self, fmt, *args):
        pass

    def send_json(self, status, obj, headers=None):
        body = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def read_body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def do_GET(self):
        st = self.state
        if self.path == "/_control/state":
            with st.lock:
                return self.send_json(200, {"served": st.served, "answered": len(st.answers), "queued": len(st.queue),
                                            "answers": st.answers, "init_error": st.init_error,
                                            "violations": st.violations})
        if self.path != "/2018-06-01/runtime/invocation/next":
            return self.send_json(404, {"errorMessage": "unknown path " + self.path, "errorType": "NotFound"})
        with st.lock:
            if st.pending:
                st.violations.append("next while invocation(s) %s are unanswered" % sorted(st.pending))
            while not st.queue:
                st.lock.wait(1.0)
            item = st.queue.pop(0)
            index = st.served
            st.served += 1
            request_id = str(uuid.uuid4())
            deadline_ms = int(time.time() * 1000) + int(item.get("timeout_ms", 60000))
            st.pending[request_id] = (index, deadline_ms)
        body = item["raw"].encode() if "raw" in item else json.dumps(item["event"]).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Lambda-Runtime-Aws-Request-Id", request_id)
        self.send_header("Lambda-Runtime-Deadline-Ms", str(deadline_ms))
        self.send_header("Lambda-Runtime-Invoked-Function-Arn", ARN)
        self.send_header("Lambda-Runtime-Trace-Id", "Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent=9a9197af755a6419;Sampled=1")
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        st = self.state
        body = self.read_body()
        parts = self.path.split("/")
        if self.path == "/_control/enqueue":
            with st.lock:
                st.queue.extend(json.loads(body))
                st.lock.notify_all()
            return self.send_json(200, {"queued": len(st.queue)})
        if self.path == "/2018-06-01/runtime/init/error":
            with st.lock:
                st.init_error = {"body": json.loads(body or b"{}"),
                                 "error_type": self.headers.get("Lambda-Runtime-Function-Error-Type")}
            return self.send_json(202, {"status": "OK"})
        # /2018-06-01/runtime/invocation/{id}/response|error
        if len(parts) != 6 or parts[1:4] != ["2018-06-01", "runtime", "invocation"] or parts[5] not in ("response", "error"):
            return self.send_json(404, {"errorMessage": "unknown path " + self.path, "errorType": "NotFound"})
        request_id, kind = parts[4], parts[5]
        with st.lock:
            if request_id not in st.pending:
                st.violations.append("%s for unknown or answered request %s" % (kind, request_id))
                return self.send_json(400, {"errorMessage": "Invalid request ID", "errorType": "InvalidRequestID"})
            index, deadline_ms = st.pending.pop(request_id)
            try:
                parsed = json.loads(body)
            except ValueError:
                st.violations.append("%s of %s is not JSON" % (kind, request_id))
                parsed = body.decode(errors="replace")
            st.answers[request_id] = {"kind": kind, "index": index, "body": parsed,
                                      "error_type": self.headers.get("Lambda-Runtime-Function-Error-Type"),
                                      "late": int(time.time() * 1000) > deadline_ms}
        self.send_json(202, {"status": "OK"})


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", required=True)
    args = parser.parse_args()
    with open(args.events) as f:
        Handler.state = State(json.load(f))
    loopback.serve(Handler)


if __name__ == "__main__":
    main()
