#!/usr/bin/python3
"""A loopback AWS Lambda Invoke endpoint for granary's orchestrator tests (stdlib only).

It follows the documented protocol (docs.aws.amazon.com/lambda/latest/api/API_Invoke.html):
  POST /2015-03-31/functions/{FunctionName}/invocations[?Qualifier=Q]
  X-Amz-Invocation-Type: RequestResponse (the default), the event as the body.
  200 + the function's answer, x-amzn-RequestId, X-Amz-Executed-Version; a function that
  failed answers 200 with X-Amz-Function-Error: Unhandled and {"errorMessage", "errorType"}.
  Errors: x-amzn-ErrorType and {"Type", "message"}: 404 ResourceNotFoundException (unknown
  function or qualifier), 403 InvalidSignatureException / UnrecognizedClientException
  (SigV4, checked in full by aws_sigv4.verify for service "lambda"), 400
  InvalidRequestContentException (a body that is no JSON), 429 TooManyRequestsException
  (Retry-After, "Reason"), 500 ServiceException, 502/503.

The function: by default it answers a granary plan-unit event ({"plan": DIR, "index": I,
...}) itself, reading DIR/units/<I>.json from the local plan and answering every job
SUCCESS after --delay seconds (so concurrency builds up), writing DIR/results/<id>.json as
the function would with --write-results. With --run-command TEMPLATE it runs TEMPLATE
({plan} and {index} replaced, shell-quoted) per invocation with the event on stdin: a JSON
object on its last stdout line is the answer; otherwise the answer is made from the
results the command wrote (e.g. `granary work {plan} --index {index}`); an exit status not
in --ok-exit-codes is an Unhandled function error (Runtime.ExitError).

Counters (GET /_control/stats): requests, invocations (answered without a function error),
per_unit ("<plan>#<index>": such invocations), by_function (the same by function), function_errors, throttled, server_errors,
dropped, truncated, auth_failures, not_found, in_flight and max_in_flight (invocation requests being
served), open_connections, max_open_connections and connections (TCP connections), handout
(events whose s3_credentials equal --expect-s3-credentials: ok, missing, wrong; the keys are
compared, never stored or printed) and handout_fields (the other fields events carried).

Faults (unsigned control endpoints, not Lambda's):
  POST /_control/fail?count=N&status=429|500|502|503&mode=status|drop|truncate[&once=1][&retry_after=S]
       fails the next N invocations (once=1: never the same unit twice, so retries succeed);
       drop closes the connection without an answer (on a reused connection libcurl resends
       the request by itself: no error shows), truncate after the headers and a part of the
       body it announced.
  POST /_control/function-error?units=3,7[&kind=Unhandled][&type=Sandbox.Timedout][&message=M]
       the function fails for those unit indices (until cleared): Sandbox.Timedout ("Task timed
       out after 3.00 seconds") or Runtime.OutOfMemory, or any type and message.
  POST /_control/clear drops pending faults and function errors.
--concurrency-limit L answers 429 (ConcurrentInvocationLimitExceeded) while L invocations run.

Usage: lambda_invoke_server.py --credential KEY:SECRET[:TOKEN] ... --function NAME ...
       [--qualifier Q ...] [--region R] [--delay S] [--write-results] [--run-command T]
       [--ok-exit-codes 0,1] [--expect-s3-credentials KEY:SECRET:TOKEN] [--concurrency-limit L]
Binds 127.0.0.1 port 0 and prints the port; exits when its parent process goes away.
"""
import argparse
import datetime
import http.server
import json
import os
import re
import shlex
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import aws_sigv4  # noqa: E402

import loopback  # tests/support/loopback.py: the server, its port, exit with the parent

INVOKE_RE = re.compile(r"^/2015-03-31/functions/(?P<name>[^/]+)/invocations$")
ACCOUNT = "123456789012"


class LambdaError(Exception):
    def __init__(self, status, error_type, message, headers=None, extra=None):
        super().__init__(message)
        self.status, self.error_type, self.message = status, error_type, message
        self.headers, self.extra = headers or {}, extra or {}


class State:
    def __init__(self, args):
        self.lock = threading.Lock()
        self.args = args
        self.credentials = aws_sigv4.parse_credentials(args.credential)
        self.functions = set(args.function)
        self.qualifiers = set(args.qualifier) | {"$LATEST"}
        self.expect_keys = None
        if args.expect_s3_credentials:
            parts = args.expect_s3_credentials.split(":", 2)
            self.expect_keys = {"accessKeyId": parts[0], "secretAccessKey": parts[1],
                                "sessionToken": parts[2] if len(parts) > 2 else ""}
        self.faults = []
        self.failed_once = set()
        self.function_errors = {}  # unit index -> (kind, type, message)
        self.per_unit = {}
        self.by_function = {}
        self.handout_fields = set()
        self.stats = {"requests": 0, "invocations": 0, "function_errors": 0, "throttled": 0, "server_errors": 0,
                      "dropped": 0, "truncated": 0, "auth_failures": 0, "not_found": 0, "in_flight": 0, "max_in_flight": 0,
                      "open_connections": 0, "max_open_connections": 0, "connections": 0,
                      "handout": {"ok": 0, "missing": 0, "wrong": 0}}

    def take_fault(self, unit_key):
        with self.lock:
            for fault in self.faults:
                if fault["once"]:
                    if (id(fault), unit_key) in self.failed_once:
                        continue
                    self.failed_once.add((id(fault), unit_key))
                fault["count"] -= 1
                if fault["count"] <= 0:
                    self.faults.remove(fault)
                return fault
        return None


def now_iso():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    state: State = None

    def log_message(self, fmt, *args):  # quiet; events are never printed anyway
        pass

    def setup(self):
        super().setup()
        s = self.state
        self.counted = True  # in open_connections
        with s.lock:
            s.stats["connections"] += 1
            s.stats["open_connections"] += 1
            s.stats["max_open_connections"] = max(s.stats["max_open_connections"], s.stats["open_connections"])

    def finish(self):
        try:
            super().finish()
        finally:
            with self.state.lock:
                if self.counted:
                    self.state.stats["open_connections"] -= 1

    def send_json(self, status, body, headers=None):
        data = json.dumps(body).encode()
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def send_lambda_error(self, e: LambdaError):
        body = {"Type": "User" if e.status < 500 else "Service", "message": e.message}
        body.update(e.extra)
        headers = {"x-amzn-RequestId": str(uuid.uuid4()), "x-amzn-ErrorType": e.error_type}
        headers.update(e.headers)
        self.send_json(e.status, body, headers)

    def do_GET(self):
        raw_path, _, raw_query = self.path.partition("?")
        if raw_path.startswith("/_control/"):
            return self.control(raw_path, raw_query)
        self.send_lambda_error(LambdaError(404, "UnknownOperationException", "Unknown operation"))

    def do_POST(self):
        raw_path, _, raw_query = self.path.partition("?")
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if raw_path.startswith("/_control/"):
            return self.control(raw_path, raw_query)
        s = self.state
        with s.lock:
            s.stats["requests"] += 1
        try:
            self.invoke(raw_path, raw_query, body)
        except LambdaError as e:
            self.send_lambda_error(e)

    def invoke(self, raw_path, raw_query, body):
        s = self.state
        m = INVOKE_RE.match(raw_path)
        if not m:
            raise LambdaError(404, "UnknownOperationException", "Unknown operation " + raw_path)
        try:
            aws_sigv4.verify(self.command, self.path, self.headers, body, s.credentials, s.args.region, "lambda")
        except aws_sigv4.SigV4Error as e:
            with s.lock:
                s.stats["auth_failures"] += 1
            raise LambdaError(e.status, e.error_type, e.message)
        name = urllib.parse.unquote(m["name"])
        query = dict(urllib.parse.parse_qsl(raw_query, keep_blank_values=True))
        qualifier = query.get("Qualifier", "$LATEST")
        if name not in s.functions or qualifier not in s.qualifiers:
            with s.lock:
                s.stats["not_found"] += 1
            arn = f"arn:aws:lambda:{s.args.region}:{ACCOUNT}:function:{name}" + (f":{qualifier}" if "Qualifier" in query else "")
            raise LambdaError(404, "ResourceNotFoundException", "Function not found: " + arn)
        # AWS defaults to RequestResponse; granary always says so, and a misspelt header would
        # go unnoticed against the default: its absence is refused here.
        invocation_type = self.headers.get("X-Amz-Invocation-Type")
        if invocation_type != "RequestResponse":
            raise LambdaError(400, "InvalidParameterValueException",
                              f"X-Amz-Invocation-Type must be RequestResponse here, not {invocation_type!r}")
        try:
            event = json.loads(body or b"{}")
        except ValueError:
            raise LambdaError(400, "InvalidRequestContentException", "Could not parse request body into json")
        unit_key = f"{event.get('plan')}#{event.get('index')}" if isinstance(event, dict) else "?"

        with s.lock:
            s.stats["in_flight"] += 1
            s.stats["max_in_flight"] = max(s.stats["max_in_flight"], s.stats["in_flight"])
            over_limit = s.args.concurrency_limit and s.stats["in_flight"] > s.args.concurrency_limit
        try:
            if over_limit:
                with s.lock:
                    s.stats["throttled"] += 1
                raise LambdaError(429, "TooManyRequestsException", "Rate Exceeded.",
                                  extra={"Reason": "ConcurrentInvocationLimitExceeded"})
            fault = s.take_fault(unit_key)
            if fault:
                self.inject(fault)
                return
            self.check_handout(event)
            request_id = str(uuid.uuid4())
            headers = {"x-amzn-RequestId": request_id, "X-Amz-Executed-Version": "$LATEST"}
            index = event.get("index") if isinstance(event, dict) else None
            with s.lock:
                failure = s.function_errors.get(index)
            if failure is None:
                answer, failure = self.run_function(event, request_id, name)
            if failure is not None:
                kind, error_type, message = failure
                time.sleep(s.args.delay)
                with s.lock:
                    s.stats["function_errors"] += 1
                headers["X-Amz-Function-Error"] = kind
                return self.send_json(200, {"errorMessage": f"RequestId: {request_id} Error: {message}",
                                            "errorType": error_type}, headers)
            with s.lock:
                s.stats["invocations"] += 1
                s.per_unit[unit_key] = s.per_unit.get(unit_key, 0) + 1
                s.by_function[name] = s.by_function.get(name, 0) + 1
            self.send_json(200, answer, headers)
        finally:
            with s.lock:
                s.stats["in_flight"] -= 1

    def inject(self, fault):
        s = self.state
        if fault["mode"] in ("drop", "truncate"):
            with s.lock:
                s.stats["dropped" if fault["mode"] == "drop" else "truncated"] += 1
                s.stats["open_connections"] -= 1  # closed now, whenever this thread ends
            self.counted = False
            self.close_connection = True
            if fault["mode"] == "truncate":
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", "1000")
                self.end_headers()
                self.wfile.write(b'{"plan": ')
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        status = fault["status"]
        with s.lock:
            s.stats["throttled" if status == 429 else "server_errors"] += 1
        if status == 429:
            headers = {"Retry-After": fault["retry_after"]} if fault["retry_after"] else {}
            raise LambdaError(429, "TooManyRequestsException", "Rate exceeded", headers,
                              {"Reason": "CallerRateLimitExceeded"})
        error_type = {500: "ServiceException", 502: "EC2UnexpectedException", 503: "ServiceException"}.get(status, "ServiceException")
        raise LambdaError(status, error_type, "injected failure")

    def check_handout(self, event):
        s = self.state
        if not isinstance(event, dict):
            return
        with s.lock:
            s.handout_fields.update(k for k in event if k not in ("plan", "index"))
            if s.expect_keys is None:
                return
            given = event.get("s3_credentials")
            if not isinstance(given, dict):
                s.stats["handout"]["missing"] += 1
            elif all(given.get(k) == v for k, v in s.expect_keys.items()):
                s.stats["handout"]["ok"] += 1
            else:
                s.stats["handout"]["wrong"] += 1

    # --- the function -----------------------------------------------------------------
    def run_function(self, event, request_id, name):
        """(answer, None) or (None, (kind, errorType, message))."""
        s = self.state
        if not isinstance(event, dict) or not isinstance(event.get("plan"), str) or not isinstance(event.get("index"), int):
            return None, ("Unhandled", "Runtime.UserCodeError", "not a plan-unit event")
        plan, index = event["plan"], event["index"]
        record = {"request_id": request_id, "function": name, "memory_mb": 2048}
        started = time.time()
        try:
            with open(os.path.join(plan, "units", "%06d.json" % index)) as f:
                jobs = json.load(f)["jobs"]
        except (OSError, ValueError, KeyError) as e:
            return None, ("Unhandled", "Runtime.UserCodeError", f"cannot read unit {index} of {plan}: {e}")
        if s.args.run_command:
            command = (s.args.run_command.replace("{plan}", shlex.quote(plan)).replace("{index}", str(index))
                       .replace("{request_id}", request_id))
            # The function's environment, as Lambda sets it for a runtime.
            env = dict(os.environ, AWS_LAMBDA_FUNCTION_NAME=name, AWS_LAMBDA_FUNCTION_MEMORY_SIZE="2048")
            done = subprocess.run(command, shell=True, input=json.dumps(event).encode(), capture_output=True, env=env)
            ok_codes = {int(c) for c in s.args.ok_exit_codes.split(",")}
            if done.returncode not in ok_codes:
                return None, ("Unhandled", "Runtime.ExitError", f"Runtime exited with error: exit status {done.returncode}")
            lines = done.stdout.decode(errors="replace").strip().splitlines()
            if lines:
                try:
                    answer = json.loads(lines[-1])
                    if isinstance(answer, dict) and "results" in answer:
                        return answer, None
                except ValueError:
                    pass
            results = []
            for job in jobs:
                try:
                    with open(os.path.join(plan, "results", job["id"] + ".json")) as f:
                        result = json.load(f)
                except (OSError, ValueError):
                    result = {"status": "FAILED", "error": "no result written"}
                result["id"] = job["id"]
                result.setdefault("lambda", record)
                results.append(result)
        else:
            time.sleep(s.args.delay)
            results = []
            for job in jobs:
                result = {"id": job["id"], "job": job["id"], "label": job.get("label", ""), "status": "SUCCESS",
                          "unit": index, "finished": now_iso(), "elapsed_seconds": s.args.delay, "lambda": record}
                if s.args.write_results:
                    os.makedirs(os.path.join(plan, "results"), exist_ok=True)
                    path = os.path.join(plan, "results", job["id"] + ".json")
                    tmp = f"{path}.part-{os.getpid()}-{threading.get_ident()}"
                    with open(tmp, "w") as f:
                        json.dump({k: v for k, v in result.items() if k != "id"}, f)
                    os.replace(tmp, path)
                results.append(result)
        status = "SUCCESS" if all(r.get("status") in ("SUCCESS", "SKIP") for r in results) else "FAILED"
        return {"plan": plan, "index": index, "status": status, "duration_s": round(time.time() - started, 3),
                "results": results}, None

    # --- control ------------------------------------------------------------------------
    def control(self, raw_path, raw_query):
        s = self.state
        q = dict(urllib.parse.parse_qsl(raw_query, keep_blank_values=True))
        if raw_path == "/_control/fail":
            with s.lock:
                s.faults.append({"count": int(q.get("count", "1")), "status": int(q.get("status", "503")),
                                 "mode": q.get("mode", "status"), "once": q.get("once") == "1",
                                 "retry_after": q.get("retry_after", "")})
        elif raw_path == "/_control/function-error":
            error_type = q.get("type", "Sandbox.Timedout")
            default = {"Sandbox.Timedout": "Task timed out after 3.00 seconds",
                       "Runtime.OutOfMemory": "Runtime exited with error: signal: killed"}.get(error_type, "function failed")
            with s.lock:
                for unit in q.get("units", "").split(","):
                    if unit:
                        s.function_errors[int(unit)] = (q.get("kind", "Unhandled"), error_type, q.get("message", default))
        elif raw_path == "/_control/clear":
            with s.lock:
                s.faults.clear()
                s.failed_once.clear()
                s.function_errors.clear()
        elif raw_path != "/_control/stats":
            return self.send_json(404, {"message": "unknown control endpoint"})
        with s.lock:
            stats = json.loads(json.dumps(s.stats))
            stats["per_unit"] = dict(s.per_unit)
            stats["by_function"] = dict(s.by_function)
            stats["handout_fields"] = sorted(s.handout_fields)
            stats["pending_faults"] = sum(f["count"] for f in s.faults)
        self.send_json(200, stats)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--credential", action="append", default=[], help="KEY:SECRET[:SESSION_TOKEN]")
    parser.add_argument("--function", action="append", default=[], help="a function name the endpoint knows")
    parser.add_argument("--qualifier", action="append", default=[], help="a version or alias it knows ($LATEST always)")
    parser.add_argument("--region", default="us-east-1")
    parser.add_argument("--delay", type=float, default=0.05, help="seconds each invocation takes")
    parser.add_argument("--write-results", action="store_true", help="write results/<id>.json as the function would")
    parser.add_argument("--run-command", default="", help="run this per invocation ({plan}, {index}, {request_id}); the event on its stdin")
    parser.add_argument("--ok-exit-codes", default="0", help="exit statuses of --run-command that are answers")
    parser.add_argument("--expect-s3-credentials", default="", help="KEY:SECRET:TOKEN every event must carry")
    parser.add_argument("--concurrency-limit", type=int, default=0, help="429 beyond this many running invocations")
    args = parser.parse_args()
    Handler.state = State(args)
    loopback.serve(Handler)


if __name__ == "__main__":
    main()
