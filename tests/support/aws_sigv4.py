"""SigV4 verification for granary's loopback AWS services (stdlib only).

verify() rebuilds the canonical request from what arrived on the wire and recomputes the
signature with the known secret, as AWS does (docs.aws.amazon.com/IAM/latest/UserGuide/
create-signed-request.html), so a client that encodes a path, query or header differently
is refused as AWS would refuse it. Any service: the scope's service and region must be the
server's.
"""
import datetime
import hashlib
import hmac
import re
import time
import urllib.parse

UNRESERVED = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~")
AUTH_RE = re.compile(
    r"^AWS4-HMAC-SHA256 Credential=(?P<key>[^/]+)/(?P<date>\d{8})/(?P<region>[^/]+)/"
    r"(?P<service>[^/]+)/aws4_request, ?SignedHeaders=(?P<signed>[a-z0-9;-]+), ?"
    r"Signature=(?P<signature>[0-9a-f]{64})$")


class SigV4Error(Exception):
    """status, AWS error type, message: what the service answers."""

    def __init__(self, status, error_type, message):
        super().__init__(message)
        self.status = status
        self.error_type = error_type
        self.message = message


def _encode(raw: bytes, keep_slash: bool) -> str:
    return "".join(chr(b) if b in UNRESERVED or (keep_slash and b == 0x2F) else "%%%02X" % b for b in raw)


def _hmac(key: bytes, msg: str) -> bytes:
    return hmac.new(key, msg.encode(), hashlib.sha256).digest()


def verify(method, raw_target, headers, body, credentials, region, service):
    """Checks one request. headers: an http.client.HTTPMessage (or anything with get and
    get_all); credentials: {access_key: (secret, token or None)}. Returns the access key.
    Raises SigV4Error."""
    auth = headers.get("Authorization")
    if auth is None:
        raise SigV4Error(403, "MissingAuthenticationTokenException", "Missing Authentication Token")
    m = AUTH_RE.match(auth)
    if not m:
        raise SigV4Error(400, "IncompleteSignatureException", "malformed Authorization header: " + auth)
    if m["key"] not in credentials:
        raise SigV4Error(403, "UnrecognizedClientException", "The security token included in the request is invalid.")
    secret, token = credentials[m["key"]]
    if m["region"] != region:
        raise SigV4Error(403, "InvalidSignatureException", f"Credential should be scoped to a valid region, not '{m['region']}'.")
    if m["service"] != service:
        raise SigV4Error(403, "InvalidSignatureException", f"Credential should be scoped to correct service: '{service}'.")
    signed = m["signed"].split(";")
    if signed != sorted(signed):
        raise SigV4Error(403, "InvalidSignatureException", "SignedHeaders are not sorted")
    for name in ("host", "x-amz-date"):
        if name not in signed:
            raise SigV4Error(403, "InvalidSignatureException", f"the '{name}' header must be signed")
    for name in signed:
        if headers.get(name) is None:
            raise SigV4Error(403, "InvalidSignatureException", f"signed header '{name}' is missing")
    amz_date = headers["x-amz-date"]
    try:
        when = datetime.datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ").replace(tzinfo=datetime.timezone.utc)
    except ValueError:
        raise SigV4Error(403, "InvalidSignatureException", "x-amz-date is malformed: " + amz_date)
    if abs(time.time() - when.timestamp()) > 5 * 60:
        raise SigV4Error(403, "InvalidSignatureException", "Signature expired")
    if m["date"] != amz_date[:8]:
        raise SigV4Error(403, "InvalidSignatureException", "the credential scope date is not the x-amz-date day")
    if token is not None and headers.get("x-amz-security-token") != token:
        raise SigV4Error(403, "UnrecognizedClientException", "The security token included in the request is invalid.")
    payload_hash = hashlib.sha256(body).hexdigest()
    claimed = headers.get("x-amz-content-sha256")
    if claimed is not None and claimed.strip() != payload_hash:
        raise SigV4Error(400, "InvalidSignatureException", "x-amz-content-sha256 is not the payload's hash")

    raw_path, _, raw_query = raw_target.partition("?")
    canonical_uri = _encode(urllib.parse.unquote_to_bytes(raw_path), keep_slash=True)
    pairs = []
    for item in raw_query.split("&") if raw_query else []:
        k, _, v = item.partition("=")
        pairs.append((_encode(urllib.parse.unquote_to_bytes(k), False), _encode(urllib.parse.unquote_to_bytes(v), False)))
    canonical_query = "&".join(f"{k}={v}" for k, v in sorted(pairs))
    canonical_headers = "".join(
        name + ":" + ",".join(" ".join(v.split()) for v in headers.get_all(name)) + "\n" for name in signed)
    canonical_request = "\n".join([method, canonical_uri, canonical_query, canonical_headers, m["signed"], payload_hash])
    scope = f"{m['date']}/{m['region']}/{service}/aws4_request"
    string_to_sign = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope,
                                hashlib.sha256(canonical_request.encode()).hexdigest()])
    key = ("AWS4" + secret).encode()
    for part in (m["date"], m["region"], service, "aws4_request"):
        key = _hmac(key, part)
    expected = hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, m["signature"]):
        raise SigV4Error(403, "InvalidSignatureException",
                         "The request signature we calculated does not match the signature you provided.")
    return m["key"]


def parse_credentials(specs):
    """["KEY:SECRET[:TOKEN]", ...] -> {KEY: (SECRET, TOKEN or None)}"""
    out = {}
    for spec in specs:
        parts = spec.split(":", 2)
        out[parts[0]] = (parts[1], parts[2] if len(parts) > 2 else None)
    return out
