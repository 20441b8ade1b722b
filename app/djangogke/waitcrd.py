"""Wait until a CustomResourceDefinition exists and is Established, from inside a pod.

    python -m djangogke.waitcrd serviceexports.net.gke.io [--timeout 900]

GKE installs multi-cluster Services' ``serviceexports.net.gke.io`` into each cluster
some minutes after the fleet feature is enabled, while pulumi-kubernetes retries an
unknown kind for about 30 seconds only. The program runs this as a Job in each
cluster and declares the ServiceExports after it: they are created once the API
server serves the kind.

Standard library only (it runs before anything else of the app is needed). It
talks to the API server the way any in-cluster client does: KUBERNETES_SERVICE_HOST
and _PORT, the pod's ServiceAccount token and CA (the files can be moved with
WAITCRD_TOKEN_FILE and WAITCRD_CA_FILE, for tests). Needs RBAC ``get`` on that one
CRD. Prints one JSON line per state change; exits 0 when Established, 1 on timeout
or on an answer that waiting cannot fix (401, 403), naming it.
"""

import argparse
import json
import os
import ssl
import sys
import time
import urllib.error
import urllib.request

SA_DIR = "/var/run/secrets/kubernetes.io/serviceaccount"


def log(message, **fields):
    print(json.dumps({"severity": fields.pop("severity", "INFO"), "message": message, **fields}), flush=True)


def crd_state(base, name, token, context, timeout=10):
    """('established' | 'pending' | 'absent' | 'forbidden' | 'unauthorized', detail)."""
    req = urllib.request.Request(
        f"{base}/apis/apiextensions.k8s.io/v1/customresourcedefinitions/{name}",
        headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
    )
    try:
        with urllib.request.urlopen(req, context=context, timeout=timeout) as resp:
            crd = json.load(resp)
    except urllib.error.HTTPError as exc:
        states = {404: "absent", 403: "forbidden", 401: "unauthorized"}
        return states.get(exc.code, "error"), f"HTTP {exc.code}"
    except (urllib.error.URLError, OSError, ValueError) as exc:
        return "error", f"{type(exc).__name__}: {exc}"
    conditions = {c.get("type"): c.get("status") for c in crd.get("status", {}).get("conditions", [])}
    if conditions.get("Established") == "True":
        return "established", "Established=True"
    return "pending", f"conditions {conditions}"


def main(argv=None, environ=None):
    environ = os.environ if environ is None else environ
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("crd", help="the CRD's name, e.g. serviceexports.net.gke.io")
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds to wait (default 900)")
    parser.add_argument("--interval", type=float, default=5.0, help="seconds between checks (default 5)")
    args = parser.parse_args(argv)

    host, port = environ.get("KUBERNETES_SERVICE_HOST"), environ.get("KUBERNETES_SERVICE_PORT", "443")
    if not host:
        log("KUBERNETES_SERVICE_HOST is not set: not running in a pod", severity="ERROR")
        return 1
    token_file = environ.get("WAITCRD_TOKEN_FILE", f"{SA_DIR}/token")
    ca_file = environ.get("WAITCRD_CA_FILE", f"{SA_DIR}/ca.crt")
    try:
        with open(token_file, encoding="utf-8") as f:
            token = f.read().strip()
        context = ssl.create_default_context(cafile=ca_file)
    except OSError as exc:
        log(f"cannot read the ServiceAccount's token or CA: {exc} (automountServiceAccountToken?)", severity="ERROR")
        return 1
    base = f"https://{host}:{port}" if ":" not in host else f"https://[{host}]:{port}"

    started = time.monotonic()
    last = None
    while True:
        state, detail = crd_state(base, args.crd, token, context)
        if state != last:
            log(f"{args.crd}: {state}", detail=detail, seconds=round(time.monotonic() - started, 1))
            last = state
        if state == "established":
            return 0
        if state in ("forbidden", "unauthorized"):
            log(f"{args.crd}: the API server answers {detail}: this ServiceAccount needs `get` on "
                "customresourcedefinitions (the program's ClusterRole); waiting cannot fix that", severity="ERROR")
            return 1
        if time.monotonic() - started >= args.timeout:
            log(f"{args.crd} not Established after {args.timeout:.0f} s (last: {state}, {detail})", severity="ERROR")
            return 1
        time.sleep(args.interval)


if __name__ == "__main__":
    sys.exit(main())
