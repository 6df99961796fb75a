"""moto's server for the bench scripts, optionally closer to AWS.

--keepalive: answer in HTTP/1.1 and keep connections open, as AWS does (moto's own server
speaks HTTP/1.0 and closes every connection).

--documented: put two of moto's answers in the shape the AWS API reference documents, so a poll
of an account whose reads all succeed can be measured:
- S3 GetBucketVersioning: moto's root element is GetBucketVersioningResponse; the API's is
  VersioningConfiguration (the SDK rejects moto's, so a bucket is never taken as known).
- CodePipeline GetPipeline: moto gives metadata.created / updated as ISO 8601 strings; the JSON
  1.1 protocol sends timestamps as epoch seconds (the SDK rejects moto's, so the pipeline's
  structure is read again at every poll).
The operations moto lacks (GetPipelineState, SearchProvisionedProducts) still answer HTTP 500.

Usage: server.py [--keepalive] [--documented] -H HOST -p PORT
"""

import argparse
import datetime
import json
import os
import re

from werkzeug.serving import WSGIRequestHandler, run_simple

from moto.server import DomainDispatcherApplication, MotoRequestHandler, create_backend_app


def epoch(value):
    if isinstance(value, str):
        stamp = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
        return stamp.timestamp()
    return value


def fix_get_pipeline(body):
    doc = json.loads(body)
    meta = doc.get("metadata") or {}
    for key in ("created", "updated", "pollingDisabledAt"):
        if key in meta:
            meta[key] = epoch(meta[key])
    return json.dumps(doc).encode()


VERSIONING = re.compile(rb"<(/?)GetBucketVersioningResponse")


def fix_versioning(body):
    return VERSIONING.sub(rb"<\1VersioningConfiguration", body)


def documented(app):
    """A WSGI middleware that rewrites the two answers above."""

    def wrapped(environ, start_response):
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        query = environ.get("QUERY_STRING", "")
        fix = None
        if target.endswith(".GetPipeline"):
            fix = fix_get_pipeline
        elif environ.get("REQUEST_METHOD") == "GET" and query.split("&")[0].split("=")[0] == "versioning":
            fix = fix_versioning
        if fix is None:
            return app(environ, start_response)
        captured = {}

        def capture(status, headers, exc_info=None):
            captured["status"], captured["headers"] = status, headers
            return lambda data: None

        body = b"".join(app(environ, capture))
        if captured["status"].startswith("200"):
            body = fix(body)
        headers = [(k, v) for k, v in captured["headers"] if k.lower() != "content-length"]
        headers.append(("Content-Length", str(len(body))))
        start_response(captured["status"], headers)
        return [body]

    return wrapped


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("-H", "--host", default="127.0.0.1")
    parser.add_argument("-p", "--port", type=int, required=True)
    parser.add_argument("--keepalive", action="store_true")
    parser.add_argument("--documented", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("MOTO_PORT", str(args.port))
    if args.keepalive:
        WSGIRequestHandler.protocol_version = "HTTP/1.1"
    app = DomainDispatcherApplication(create_backend_app)
    if args.documented:
        app = documented(app)
    run_simple(
        args.host, args.port, app, threaded=True, request_handler=MotoRequestHandler
    )


if __name__ == "__main__":
    main()
