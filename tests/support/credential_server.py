#!/usr/bin/python3
"""Loopback stand-ins for the services that hand out temporary AWS keys (stdlib only).

One server plays them all, each as strict as the real one where it matters for a client:
  container   GET /ecs/credentials: Authorization must equal --container-token (401 otherwise)
  IMDSv2      PUT /latest/api/token (needs X-aws-ec2-metadata-token-ttl-seconds) gives a
              session token; GET /latest/meta-data/iam/security-credentials/[ROLE] need it
              in X-aws-ec2-metadata-token (401 otherwise)
  NSIDC       GET /s3credentials: "Authorization: Bearer --earthdata-token", or the session
              cookie; otherwise a 302 to the login host's /oauth/authorize
  URS         GET /oauth/authorize wants basic auth --urs-login USER:PASSWORD, then 302s
              back to /redirect?code=..., which sets the session cookie and 302s to
              /s3credentials
The NSIDC endpoint is addressed as http://localhost:PORT and the login host as
http://127.0.0.1:PORT (two host names, one port), so the stats can tell which host got a
password: basic_auth_to_data_host must stay 0.

Keys: each fetch (per service) returns the next --credential KEY:SECRET:TOKEN (the last
repeats), expiring --lifetime seconds later. GET /_control/stats returns the counters.
Binds 127.0.0.1 port 0 and prints the port; exits when its parent process goes away.
"""
import argparse
import base64
import datetime
import http.server
import json
import os
import threading
import time
import urllib.parse

import loopback  # tests/support/loopback.py: the server, its port, exit with the parent

ROLE = "granary-test-role"


class State:
    def __init__(self, args):
        self.lock = threading.Lock()
        self.args = args
        self.keys = [c.split(":", 2) for c in args.credential]
        self.fetches = {"container": 0, "imds": 0, "earthdata": 0}
        self.stats = {"basic_auth_to_data_host": 0, "bearer_to_login_host": 0, "refused": 0,
                      "imds_tokens": 0, "logins": 0}
        self.imds_tokens = set()
        self.codes = set()
        self.sessions = set()
        self.port = 0

    def next_keys(self, kind):
        with self.lock:
            n = self.fetches[kind]
            self.fetches[kind] += 1
        key, secret, token = self.keys[min(n, len(self.keys) - 1)]
        expires = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=self.args.lifetime)
        return key, secret, token, expires

    def count(self, name):
        with self.lock:
            self.stats[name] += 1


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    state = None

    def log_message(self, *args):
        pass

    def reply(self, status, body=b"", content_type="application/json", headers=()):
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
        elif isinstance(body, str):
            body = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def refuse(self, status=401, message="refused"):
        self.state.count("refused")
        self.reply(status, {"message": message})

    def host(self):
        return self.headers.get("Host", "").split(":")[0]

    def do_PUT(self):
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        if self.path != "/latest/api/token":
            return self.reply(404, "")
        if not self.headers.get("X-aws-ec2-metadata-token-ttl-seconds"):
            return self.refuse(400, "missing X-aws-ec2-metadata-token-ttl-seconds")
        with self.state.lock:
            token = "imds-session-%d" % len(self.state.imds_tokens)
            self.state.imds_tokens.add(token)
            self.state.stats["imds_tokens"] += 1
        self.reply(200, token, "text/plain")

    def do_GET(self):
        s = self.state
        url = urllib.parse.urlsplit(self.path)
        path = url.path
        auth = self.headers.get("Authorization", "")
        if path == "/_control/stats":
            with s.lock:
                return self.reply(200, dict(s.stats, fetches=s.fetches))
        if path == "/ecs/credentials":
            if auth != s.args.container_token:
                return self.refuse()
            key, secret, token, expires = s.next_keys("container")
            return self.reply(200, {"AccessKeyId": key, "SecretAccessKey": secret, "Token": token,
                                    "Expiration": expires.strftime("%Y-%m-%dT%H:%M:%SZ"),
                                    "RoleArn": "arn:aws:iam::123456789012:role/test"})
        if path.startswith("/latest/meta-data/iam/security-credentials/"):
            if self.headers.get("X-aws-ec2-metadata-token") not in s.imds_tokens:
                return self.refuse()
            role = path[len("/latest/meta-data/iam/security-credentials/"):]
            if role == "":
                return self.reply(200, ROLE, "text/plain")
            if role != ROLE:
                return self.reply(404, "")
            key, secret, token, expires = s.next_keys("imds")
            return self.reply(200, {"Code": "Success", "Type": "AWS-HMAC", "AccessKeyId": key,
                                    "SecretAccessKey": secret, "Token": token,
                                    "Expiration": expires.strftime("%Y-%m-%dT%H:%M:%S.000Z")})
        if path == "/s3credentials":
            if auth.startswith("Basic"):
                s.count("basic_auth_to_data_host")
            cookies = self.headers.get("Cookie", "")
            session = any(c.strip().split("=", 1)[-1] in s.sessions for c in cookies.split(";") if "=" in c)
            if auth.startswith("Bearer "):
                if auth[len("Bearer "):] != s.args.earthdata_token:
                    return self.refuse(401, "invalid token")
            elif not session:
                back = "http://localhost:%d/redirect" % s.port
                target = "http://127.0.0.1:%d/oauth/authorize?%s" % (
                    s.port, urllib.parse.urlencode({"client_id": "nsidc", "response_type": "code",
                                                    "redirect_uri": back}))
                return self.reply(302, "", "text/plain", [("Location", target)])
            key, secret, token, expires = s.next_keys("earthdata")
            return self.reply(200, {"accessKeyId": key, "secretAccessKey": secret, "sessionToken": token,
                                    "expiration": expires.strftime("%Y-%m-%d %H:%M:%S+00:00")})
        if path == "/oauth/authorize":
            if auth.startswith("Bearer "):
                s.count("bearer_to_login_host")
            if self.host() != "127.0.0.1":
                return self.reply(404, "")
            expected = "Basic " + base64.b64encode(s.args.urs_login.encode()).decode()
            if auth != expected:
                return self.refuse(401, "Earthdata Login: bad user name or password")
            s.count("logins")
            query = dict(urllib.parse.parse_qsl(url.query))
            with s.lock:
                code = "code-%d" % len(s.codes)
                s.codes.add(code)
            return self.reply(302, "", "text/plain", [("Location", query["redirect_uri"] + "?code=" + code)])
        if path == "/redirect":
            code = dict(urllib.parse.parse_qsl(url.query)).get("code")
            if code not in s.codes:
                return self.refuse(401, "bad code")
            with s.lock:
                session = "session-%d" % len(s.sessions)
                s.sessions.add(session)
            return self.reply(302, "", "text/plain", [("Set-Cookie", "urs_session=%s; Path=/; HttpOnly" % session),
                                                      ("Location", "/s3credentials")])
        self.reply(404, "")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--credential", action="append", required=True, help="KEY:SECRET:SESSION_TOKEN")
    parser.add_argument("--lifetime", type=float, default=3600, help="seconds until the keys expire")
    parser.add_argument("--container-token", default="container-token")
    parser.add_argument("--earthdata-token", default="earthdata-token")
    parser.add_argument("--urs-login", default="user:password", help="USER:PASSWORD")
    args = parser.parse_args()
    Handler.state = State(args)
    loopback.serve(Handler, on_bound=lambda port: setattr(Handler.state, "port", port))


if __name__ == "__main__":
    main()
