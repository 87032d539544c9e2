#!/usr/bin/python3
"""A strict, in-memory S3 subset for granary's tests (stdlib only).

Path-style only: /{bucket}/{key}. It verifies every SigV4 Authorization header in full
(it rebuilds the canonical request from what arrived on the wire and recomputes the
signature with the known secret), so a client that encodes a path, query or header
differently from the server is caught exactly as real S3 would catch it. Stricter than
S3 on purpose: x-amz-content-sha256 must be the real payload hash (no UNSIGNED-PAYLOAD)
and chunked uploads are refused.

Operations: PUT/GET (Range)/HEAD/DELETE object, ListObjectsV2 (max-keys, continuation
tokens, a server page size to force paging), multipart upload (create, upload part,
complete, abort; incomplete uploads are invisible).

Control endpoints (unsigned, not S3): POST /_control/fail?count=N&status=503&code=SlowDown
[&method=PUT][&match=substring-of-target][&mode=M][&once=1] fails the next N matching requests
(with once=1, never the same request twice: retries then succeed). Modes:
status (default: an S3 error with that status and code), drop (close the connection with no
answer), garbage (answer bytes that are no HTTP: clients see HTTP/0.9), truncate (announce the
whole body, send half, close), wrong-range (answer a ranged GET with another range).
POST /_control/clear drops pending failures; GET /_control/stats returns JSON counters
(requests; object_gets, object_heads and object_bytes_sent count successful object reads).

Usage: s3_server.py --bucket B --credential KEY:SECRET[:TOKEN] ... [--region R]
       [--page-size N] [--public-read] [--object B/KEY=PATH ...]. Binds 127.0.0.1 port 0
       and prints the port.
It exits when its parent process goes away.
"""
import argparse
import base64
import datetime
import hashlib
import hmac
import http.server
import json
import os
import re
import sys
import threading
import time
import urllib.parse
import uuid
import xml.etree.ElementTree as ET
from xml.sax.saxutils import escape

import loopback  # tests/support/loopback.py: the server, its port, exit with the parent

MIN_PART_SIZE = 5 * 1024 * 1024
UNRESERVED = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~")
AUTH_RE = re.compile(
    r"^AWS4-HMAC-SHA256 Credential=(?P<key>[^/]+)/(?P<date>\d{8})/(?P<region>[^/]+)/"
    r"(?P<service>[^/]+)/aws4_request, ?SignedHeaders=(?P<signed>[a-z0-9;-]+), ?"
    r"Signature=(?P<signature>[0-9a-f]{64})$")


def sigv4_encode(raw: bytes, keep_slash: bool) -> str:
    return "".join(chr(b) if b in UNRESERVED or (keep_slash and b == 0x2F) else "%%%02X" % b
                   for b in raw)


def hmac_sha256(key: bytes, msg: str) -> bytes:
    return hmac.new(key, msg.encode(), hashlib.sha256).digest()


class S3Error(Exception):
    def __init__(self, status, code, message, **extra):
        super().__init__(message)
        self.status, self.code, self.message, self.extra = status, code, message, extra


class State:
    def __init__(self, args):
        self.lock = threading.Lock()
        self.region = args.region
        self.page_size = args.page_size
        self.public_read = args.public_read
        self.buckets = {name: {} for name in args.bucket}  # bucket -> key(bytes) -> (data, etag)
        self.credentials = {}
        for spec in args.credential:
            parts = spec.split(":", 2)
            self.credentials[parts[0]] = (parts[1], parts[2] if len(parts) > 2 else None)
        self.uploads = {}  # upload id -> {"bucket", "key", "parts": {n: (etag, data)}}
        self.faults = []
        self.failed_once = set()  # requests (method, target, range) a once-fault has failed
        self.stats = {"requests": 0, "completed_uploads": 0, "aborted_uploads": 0,
                      "injected_failures": 0, "signed_requests": 0, "anonymous_requests": 0,
                      "object_gets": 0, "object_heads": 0, "object_bytes_sent": 0}

    def take_fault(self, method, target, key):
        with self.lock:
            for fault in self.faults:
                if fault["method"] and fault["method"] != method:
                    continue
                if fault["match"] and fault["match"] not in target:
                    continue
                if fault["once"]:
                    if key in self.failed_once:
                        continue
                    self.failed_once.add(key)
                fault["count"] -= 1
                if fault["count"] <= 0:
                    self.faults.remove(fault)
                self.stats["injected_failures"] += 1
                return fault
        return None


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in separate writes
    state: State = None

    def log_message(self, fmt, *args):  # keep test output quiet
        pass

    # --- plumbing -------------------------------------------------------------------
    def do_GET(self):
        self.handle_any()

    do_PUT = do_HEAD = do_DELETE = do_POST = do_GET

    def handle_any(self):
        raw_path, _, raw_query = self.path.partition("?")
        try:
            if self.headers.get("Transfer-Encoding"):
                raise S3Error(501, "NotImplemented", "chunked transfer encoding is not supported")
            length = self.headers.get("Content-Length")
            if self.command in ("PUT", "POST") and length is None:
                raise S3Error(411, "MissingContentLength", "You must provide the Content-Length HTTP header.")
            body = self.rfile.read(int(length)) if length else b""
            if raw_path.startswith("/_control/"):
                return self.control(raw_path, raw_query)
            with self.state.lock:
                self.state.stats["requests"] += 1
            fault = self.state.take_fault(self.command, self.path,
                                          (self.command, self.path, self.headers.get("Range")))
            if fault and fault["mode"] != "wrong-range":
                return self.inject(fault)
            self.authenticate(raw_path, raw_query, body)
            self.wrong_range = bool(fault)
            self.dispatch(raw_path, raw_query, body)
        except S3Error as e:
            self.send_error_xml(e, raw_path)

    def inject(self, fault):
        mode = fault["mode"]
        if mode == "status":
            raise S3Error(fault["status"], fault["code"], "injected failure")
        self.close_connection = True
        if mode == "garbage":
            self.wfile.write(b"<Error>this is not an HTTP response</Error>\r\n")
        elif mode == "truncate" and self.command == "HEAD":
            pass  # a HEAD answer has no body to cut short: drop the connection instead
        elif mode == "truncate":
            self.send_response(200)
            self.send_header("Content-Length", "1000")
            self.end_headers()
            self.wfile.write(b"x" * 500)
        elif mode != "drop":
            raise S3Error(400, "InvalidArgument", "unknown fault mode " + mode)
        self.wfile.flush()
        self.connection.shutdown(2)

    def send_bytes(self, status, body=b"", headers=None, content_type="application/xml"):
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if body or status not in (204, 304):
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def send_error_xml(self, e: S3Error, resource):
        extra = "".join(f"<{k}>{escape(str(v))}</{k}>" for k, v in e.extra.items())
        body = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>%s</Code><Message>%s</Message>"
                "<Resource>%s</Resource>%s<RequestId>%s</RequestId></Error>" %
                (e.code, escape(e.message), escape(resource), extra, uuid.uuid4().hex)).encode()
        self.send_bytes(e.status, body)

    def control(self, raw_path, raw_query):
        q = dict(urllib.parse.parse_qsl(raw_query, keep_blank_values=True))
        if raw_path == "/_control/fail":
            with self.state.lock:
                self.state.faults.append({"count": int(q.get("count", "1")),
                                          "status": int(q.get("status", "503")),
                                          "code": q.get("code", "SlowDown"),
                                          "method": q.get("method"), "match": q.get("match"),
                                          "mode": q.get("mode", "status"), "once": q.get("once") == "1"})
        elif raw_path == "/_control/clear":
            with self.state.lock:
                self.state.faults.clear()
                self.state.failed_once.clear()
        elif raw_path != "/_control/stats":
            return self.send_bytes(404, b"unknown control endpoint", content_type="text/plain")
        with self.state.lock:
            stats = dict(self.state.stats, open_uploads=len(self.state.uploads),
                         pending_faults=sum(f["count"] for f in self.state.faults))
        self.send_bytes(200, json.dumps(stats).encode(), content_type="application/json")

    # --- SigV4 ----------------------------------------------------------------------
    def authenticate(self, raw_path, raw_query, body):
        auth = self.headers.get("Authorization")
        if auth is None:
            if self.state.public_read and self.command in ("GET", "HEAD"):
                with self.state.lock:
                    self.state.stats["anonymous_requests"] += 1
                return
            raise S3Error(403, "AccessDenied", "Access Denied")
        m = AUTH_RE.match(auth)
        if not m:
            raise S3Error(400, "AuthorizationHeaderMalformed", "The authorization header is malformed: " + auth)
        if m["key"] not in self.state.credentials:
            raise S3Error(403, "InvalidAccessKeyId",
                          "The AWS Access Key Id you provided does not exist in our records.",
                          AWSAccessKeyId=m["key"])
        secret, token = self.state.credentials[m["key"]]
        if m["region"] != self.state.region:
            raise S3Error(400, "AuthorizationHeaderMalformed",
                          f"the region '{m['region']}' is wrong; expecting '{self.state.region}'",
                          Region=self.state.region)
        if m["service"] != "s3":
            raise S3Error(400, "AuthorizationHeaderMalformed", "the service must be 's3'")
        content_sha = self.headers.get("x-amz-content-sha256")
        if content_sha is None:
            raise S3Error(400, "InvalidRequest", "Missing required header for this request: x-amz-content-sha256")
        signed = m["signed"].split(";")
        if signed != sorted(signed):
            raise S3Error(403, "SignatureDoesNotMatch", "SignedHeaders are not sorted")
        for name in ("host", "x-amz-date", "x-amz-content-sha256"):
            if name not in signed:
                raise S3Error(403, "AccessDenied", f"the '{name}' header must be signed")
        for name in self.headers.keys():
            if name.lower().startswith("x-amz-") and name.lower() not in signed:
                raise S3Error(403, "AccessDenied", f"header '{name}' is present but not signed")
        for name in signed:
            if self.headers.get(name) is None:
                raise S3Error(403, "SignatureDoesNotMatch", f"signed header '{name}' is missing")

        amz_date = self.headers["x-amz-date"]
        try:
            when = datetime.datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ").replace(tzinfo=datetime.timezone.utc)
        except ValueError:
            raise S3Error(403, "AccessDenied", "x-amz-date is malformed: " + amz_date)
        if abs(time.time() - when.timestamp()) > 15 * 60:
            raise S3Error(403, "RequestTimeTooSkewed",
                          "The difference between the request time and the current time is too large.")
        if m["date"] != amz_date[:8]:
            raise S3Error(403, "SignatureDoesNotMatch", "the credential scope date is not the x-amz-date day")

        if content_sha.strip() != hashlib.sha256(body).hexdigest():
            raise S3Error(400, "XAmzContentSHA256Mismatch",
                          "The provided 'x-amz-content-sha256' header does not match what was computed.")
        if token is not None and self.headers.get("x-amz-security-token") != token:
            raise S3Error(403, "InvalidToken", "The provided token is malformed or otherwise invalid.")

        canonical_uri = sigv4_encode(urllib.parse.unquote_to_bytes(raw_path), keep_slash=True)
        pairs = []
        for item in raw_query.split("&") if raw_query else []:
            k, _, v = item.partition("=")
            pairs.append((sigv4_encode(urllib.parse.unquote_to_bytes(k), False),
                          sigv4_encode(urllib.parse.unquote_to_bytes(v), False)))
        canonical_query = "&".join(f"{k}={v}" for k, v in sorted(pairs))
        canonical_headers = "".join(
            name + ":" + ",".join(" ".join(v.split()) for v in self.headers.get_all(name)) + "\n"
            for name in signed)
        canonical_request = "\n".join([self.command, canonical_uri, canonical_query, canonical_headers,
                                       m["signed"], content_sha.strip()])
        scope = f"{m['date']}/{m['region']}/s3/aws4_request"
        string_to_sign = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope,
                                    hashlib.sha256(canonical_request.encode()).hexdigest()])
        key = ("AWS4" + secret).encode()
        for part in (m["date"], m["region"], "s3", "aws4_request"):
            key = hmac_sha256(key, part)
        expected = hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, m["signature"]):
            raise S3Error(403, "SignatureDoesNotMatch",
                          "The request signature we calculated does not match the signature you provided. "
                          "Check your key and signing method.",
                          AWSAccessKeyId=m["key"], CanonicalRequest=canonical_request)
        with self.state.lock:
            self.state.stats["signed_requests"] += 1

    # --- S3 operations --------------------------------------------------------------
    def dispatch(self, raw_path, raw_query, body):
        path = urllib.parse.unquote_to_bytes(raw_path)
        bucket_name, _, key = path.lstrip(b"/").partition(b"/")
        bucket = self.state.buckets.get(bucket_name.decode())
        if bucket is None:
            raise S3Error(404, "NoSuchBucket", "The specified bucket does not exist")
        query = dict(urllib.parse.parse_qsl(raw_query, keep_blank_values=True))
        if not key:
            if path.endswith(b"/"):
                # The AWS SDKs and CLI send bucket-level requests as /bucket?...; servers that
                # normalise the path before checking the signature reject /bucket/?...
                raise S3Error(400, "InvalidRequest", "bucket-level request with a trailing slash")
            if self.command == "GET":
                return self.list_objects(bucket, query)
            raise S3Error(501, "NotImplemented", f"{self.command} on a bucket is not supported")
        if "uploads" in query and self.command == "POST":
            return self.create_upload(bucket_name.decode(), key)
        if "uploadId" in query:
            return self.multipart(bucket, bucket_name.decode(), key, query, body)
        if self.command == "PUT":
            etag = '"%s"' % hashlib.md5(body).hexdigest()
            with self.state.lock:
                bucket[key] = (body, etag)
            return self.send_bytes(200, headers={"ETag": etag})
        if self.command in ("GET", "HEAD"):
            return self.get_object(bucket, key)
        if self.command == "DELETE":
            with self.state.lock:
                bucket.pop(key, None)
            return self.send_bytes(204)
        raise S3Error(405, "MethodNotAllowed", "The specified method is not allowed against this resource.")

    def get_object(self, bucket, key):
        with self.state.lock:
            found = bucket.get(key)
        if found is None:
            raise S3Error(404, "NoSuchKey", "The specified key does not exist.", Key=key.decode())
        data, etag = found
        headers = {"ETag": etag, "Accept-Ranges": "bytes", "Last-Modified": "Mon, 01 Jan 2024 00:00:00 GMT"}
        spec = self.headers.get("Range")
        if spec is None:
            self.count_object_read(len(data))
            return self.send_bytes(200, data, headers, "application/octet-stream")
        m = re.fullmatch(r"bytes=(\d+)-(\d*)", spec.strip())
        if not m:
            raise S3Error(400, "InvalidArgument", "unsupported Range header: " + spec)
        first = int(m[1])
        last = min(int(m[2]) if m[2] else len(data) - 1, len(data) - 1)
        if getattr(self, "wrong_range", False) and len(data) > 1:  # another exchange's answer
            first, last = (first + 1, last) if last > first else (max(first - 1, 0), last)
        if first >= len(data) or last < first:
            raise S3Error(416, "InvalidRange", "The requested range is not satisfiable",
                          ActualObjectSize=len(data))
        headers["Content-Range"] = f"bytes {first}-{last}/{len(data)}"
        self.count_object_read(last + 1 - first)
        self.send_bytes(206, data[first:last + 1], headers, "application/octet-stream")

    def count_object_read(self, body_bytes):
        """Successful object GETs and HEADs, and the object bytes the GETs sent (read economy tests)."""
        with self.state.lock:
            if self.command == "HEAD":
                self.state.stats["object_heads"] += 1
            else:
                self.state.stats["object_gets"] += 1
                self.state.stats["object_bytes_sent"] += body_bytes

    def list_objects(self, bucket, query):
        if query.get("list-type") != "2":
            raise S3Error(400, "InvalidArgument", "this server only supports ListObjectsV2 (list-type=2)")
        if "delimiter" in query or "start-after" in query:
            raise S3Error(501, "NotImplemented", "delimiter and start-after are not supported")
        if query.get("encoding-type", "url") != "url":
            raise S3Error(400, "InvalidArgument", "Invalid Encoding Method specified in Request")
        # The AWS CLI asks for url-encoded keys (encoding-type=url), as S3 then sends them.
        url = "encoding-type" in query
        show = (lambda k: urllib.parse.quote(k, safe="/")) if url else (lambda k: k)
        prefix = query.get("prefix", "").encode()
        max_keys = min(int(query.get("max-keys", "1000")), self.state.page_size)
        after = b""
        if "continuation-token" in query:
            try:
                token = base64.b64decode(query["continuation-token"], validate=True)
            except ValueError:
                raise S3Error(400, "InvalidArgument", "The continuation token provided is incorrect")
            if not token.startswith(b"\xfb\xff"):
                raise S3Error(400, "InvalidArgument", "The continuation token provided is incorrect")
            after = token[2:]
        with self.state.lock:
            keys = sorted(k for k in bucket if k.startswith(prefix) and k > after)
            page = [(k, len(bucket[k][0]), bucket[k][1]) for k in keys[:max_keys]]
        truncated = len(keys) > max_keys
        out = ['<?xml version="1.0" encoding="UTF-8"?>\n'
               '<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">',
               f"<Prefix>{escape(show(prefix.decode()))}</Prefix><KeyCount>{len(page)}</KeyCount>"
               + ("<EncodingType>url</EncodingType>" if url else "") +
               f"<MaxKeys>{max_keys}</MaxKeys><IsTruncated>{'true' if truncated else 'false'}</IsTruncated>"]
        for key, size, etag in page:
            out.append(f"<Contents><Key>{escape(show(key.decode()))}</Key>"
                       f"<LastModified>2024-01-01T00:00:00.000Z</LastModified>"
                       f"<ETag>{escape(etag, {chr(34): '&quot;'})}</ETag><Size>{size}</Size>"
                       f"<StorageClass>STANDARD</StorageClass></Contents>")
        if truncated:
            # Real tokens are opaque base64 full of '+', '/' and '='; so are these, so a client
            # that forgets to percent-encode the token fails the signature check.
            token = base64.b64encode(b"\xfb\xff" + page[-1][0]).decode()
            out.append(f"<NextContinuationToken>{token}</NextContinuationToken>")
        if "continuation-token" in query:
            out.append(f"<ContinuationToken>{escape(query['continuation-token'])}</ContinuationToken>")
        out.append("</ListBucketResult>")
        self.send_bytes(200, "".join(out).encode())

    def create_upload(self, bucket_name, key):
        upload_id = base64.urlsafe_b64encode(os.urandom(24)).decode()
        with self.state.lock:
            self.state.uploads[upload_id] = {"bucket": bucket_name, "key": key, "parts": {}}
        body = ('<?xml version="1.0" encoding="UTF-8"?>\n<InitiateMultipartUploadResult>'
                f"<Bucket>{escape(bucket_name)}</Bucket><Key>{escape(key.decode())}</Key>"
                f"<UploadId>{upload_id}</UploadId></InitiateMultipartUploadResult>")
        self.send_bytes(200, body.encode())

    def multipart(self, bucket, bucket_name, key, query, body):
        upload_id = query["uploadId"]
        with self.state.lock:
            upload = self.state.uploads.get(upload_id)
        if upload is None or upload["bucket"] != bucket_name or upload["key"] != key:
            raise S3Error(404, "NoSuchUpload", "The specified multipart upload does not exist.")
        if self.command == "PUT":
            number = int(query.get("partNumber", "0"))
            if not 1 <= number <= 10000:
                raise S3Error(400, "InvalidArgument", "Part number must be an integer between 1 and 10000")
            etag = '"%s"' % hashlib.md5(body).hexdigest()
            with self.state.lock:
                upload["parts"][number] = (etag, body)
            return self.send_bytes(200, headers={"ETag": etag})
        if self.command == "DELETE":
            with self.state.lock:
                self.state.uploads.pop(upload_id, None)
                self.state.stats["aborted_uploads"] += 1
            return self.send_bytes(204)
        if self.command == "POST":
            return self.complete_upload(bucket, key, upload_id, upload, body)
        raise S3Error(405, "MethodNotAllowed", "The specified method is not allowed against this resource.")

    def complete_upload(self, bucket, key, upload_id, upload, body):
        try:
            root = ET.fromstring(body)
        except ET.ParseError as e:
            raise S3Error(400, "MalformedXML", f"The XML you provided was not well-formed: {e}")
        ns = root.tag[:root.tag.index("}") + 1] if root.tag.startswith("{") else ""
        if root.tag != ns + "CompleteMultipartUpload":
            raise S3Error(400, "MalformedXML", "expected a CompleteMultipartUpload document")
        listed = [(int(p.findtext(ns + "PartNumber")), p.findtext(ns + "ETag")) for p in root.findall(ns + "Part")]
        if not listed:
            raise S3Error(400, "MalformedXML", "no parts listed")
        numbers = [n for n, _ in listed]
        if numbers != sorted(set(numbers)):
            raise S3Error(400, "InvalidPartOrder", "The list of parts was not in ascending order.")
        chunks = []
        for i, (number, etag) in enumerate(listed):
            stored = upload["parts"].get(number)
            if stored is None or stored[0] != etag:
                raise S3Error(400, "InvalidPart", f"part {number} was not uploaded or its ETag differs")
            if i + 1 < len(listed) and len(stored[1]) < MIN_PART_SIZE:
                raise S3Error(400, "EntityTooSmall", "Your proposed upload is smaller than the minimum allowed size")
            chunks.append(stored[1])
        digest = hashlib.md5(b"".join(bytes.fromhex(e.strip('"')) for _, e in listed)).hexdigest()
        etag = f'"{digest}-{len(listed)}"'
        with self.state.lock:
            bucket[key] = (b"".join(chunks), etag)
            self.state.uploads.pop(upload_id, None)
            self.state.stats["completed_uploads"] += 1
        reply = ('<?xml version="1.0" encoding="UTF-8"?>\n<CompleteMultipartUploadResult>'
                 f"<Key>{escape(key.decode())}</Key><ETag>{escape(etag)}</ETag></CompleteMultipartUploadResult>")
        self.send_bytes(200, reply.encode())


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bucket", action="append", required=True)
    parser.add_argument("--credential", action="append", default=[], help="KEY:SECRET[:SESSION_TOKEN]")
    parser.add_argument("--region", default="us-east-1")
    parser.add_argument("--page-size", type=int, default=1000, help="most keys per ListObjectsV2 page")
    parser.add_argument("--public-read", action="store_true", help="allow unsigned GET and HEAD")
    parser.add_argument("--object", action="append", default=[], metavar="BUCKET/KEY=PATH",
                        help="start with the object BUCKET/KEY holding the bytes of the file PATH (benchmarks)")
    args = parser.parse_args()
    Handler.state = State(args)
    for spec in args.object:
        name, _, path = spec.partition("=")
        bucket, _, key = name.partition("/")
        if bucket not in Handler.state.buckets or not key or not path:
            parser.error(f"--object {spec}: expected BUCKET/KEY=PATH with BUCKET one of the --bucket names")
        with open(path, "rb") as f:
            data = f.read()
        Handler.state.buckets[bucket][key.encode()] = (data, '"%s"' % hashlib.md5(data).hexdigest())
    loopback.serve(Handler)


if __name__ == "__main__":
    main()
