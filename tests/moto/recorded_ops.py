"""Read a moto recording (MOTO_RECORDER_FILEPATH) and print, as JSON, one entry per request:
the service (from the SigV4 credential scope) and the operation (X-Amz-Target for the JSON
protocols, Action= for the query protocols, else the HTTP method and path for S3's REST API);
for the query protocols also the request's parameters ("params", each its first value)."""

import base64
import json
import re
import sys
from urllib.parse import parse_qs


def operation(entry):
    headers = {k.lower(): v for k, v in entry.get("headers", {}).items()}
    scope = re.search(r"Credential=[^/]+/[^/]+/[^/]+/([^/]+)/", headers.get("authorization", ""))
    service = scope.group(1) if scope else "?"
    body = entry.get("body") or ""
    if entry.get("body_encoded"):
        body = base64.b64decode(body).decode("utf-8", "replace")
    params = None
    if "x-amz-target" in headers:
        op = headers["x-amz-target"].split(".")[-1]
    elif "Action=" in body:
        params = {k: v[0] for k, v in parse_qs(body).items()}
        op = params.get("Action", "?")
    else:
        op = f"{entry['method']} {entry['url'].split('://', 1)[-1].split('/', 1)[-1]}"
    call = {"service": service, "op": op, "method": entry["method"]}
    if params is not None:
        call["params"] = params
    return call


def main():
    with open(sys.argv[1]) as f:
        print(json.dumps([operation(json.loads(line)) for line in f if line.strip()]))


if __name__ == "__main__":
    main()
