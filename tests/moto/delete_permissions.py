"""For each CloudFormation template named on the command line: its resource types and, for each,
the permissions CloudFormation needs to delete it (handlers.delete.permissions of the type's
resource provider schema, as cfn-lint bundles them for us-east-1). Prints JSON:
{"cfnlint": version, "templates": {path: {type: [permission, ...]}}}. Exits non-zero when
cfn-lint is missing, a template does not parse, or a type has no schema or no delete handler."""

import json
import sys

from cfnlint.decode import decode
from cfnlint.schema import PROVIDER_SCHEMA_MANAGER
from cfnlint.version import __version__

REGION = "us-east-1"


def main():
    out = {}
    for path in sys.argv[1:]:
        template, errors = decode(path)
        if errors or template is None:
            sys.exit(f"{path}: does not parse: {errors}")
        types = sorted({r["Type"] for r in template.get("Resources", {}).values()})
        if not types:
            sys.exit(f"{path}: no resources")
        perms = {}
        for t in types:
            schema = PROVIDER_SCHEMA_MANAGER.get_resource_schema(REGION, t).schema
            delete = schema.get("handlers", {}).get("delete", {}).get("permissions")
            if not delete:
                sys.exit(f"{path}: {t} has no delete handler permissions in its schema")
            perms[t] = delete
        out[path] = perms
    print(json.dumps({"cfnlint": __version__, "templates": out}))


if __name__ == "__main__":
    main()
