#!/usr/bin/env python3
"""Data-driven authorization test for the Barbican v1 API.

Every case builds its own fixture (fresh project and user ids), sends one
request with the case's identity headers and records the status code.

    authz.py record --url URL --out reference_table.tsv
    authz.py check  --url URL --table reference_table.tsv

The caller identity is sent in the X-Project-Id, X-User-Id and X-Roles
headers, which the server trusts when it runs without an auth layer.
"""

import argparse
import http.client
import json
import sys
import time
import urllib.parse
import uuid

ROLES = [
    "admin",
    "creator",
    "observer",
    "audit",
    "key-manager:service-admin",
    "(absent)",  # no X-Roles header: the server treats the caller as admin
    "member",  # a role the default policy does not know
]

# Callers of a per-resource endpoint (secret, container, order).
OWNER = "owner"  # the user who created the resource, in its project
PROJECT_MEMBER = "project-member"  # another user of the owner's project
OTHER_PROJECT = "other-project"  # a user of another project, not in any ACL
ACL_USER = "acl-user"  # a user of another project listed in the read ACL
# Caller of a collection endpoint: a user of a fresh project.
CALLER_PROJECT = "caller-project"
# Callers of /v1/project-quotas/{project_id}.
TARGET_PROJECT = "target-project"  # the caller's project is {project_id}

NOT_APPLICABLE = "-"
FIXTURE_ERROR = "fixture-error"
NO_RESPONSE = "no-response"

TABLE_COLUMNS = ["case_id", "method", "path_template", "roles", "caller", "private",
                 "expected_status"]

JSON = "application/json"
TEXT = "text/plain"
TRANSPORT_KEY_PEM = ("-----BEGIN PUBLIC KEY-----\n"
                     "MCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=\n"
                     "-----END PUBLIC KEY-----\n")


class FixtureError(Exception):
    """A fixture step did not get its expected status."""


class Identity:
    """Caller identity sent as headers. With roles None, X-Roles is omitted."""

    def __init__(self, project, user, roles):
        self.project = project
        self.user = user
        self.roles = roles

    def headers(self):
        headers = {"X-Project-Id": self.project, "X-User-Id": self.user}
        if self.roles is not None:
            headers["X-Roles"] = self.roles
        return headers


class Client:
    """Sends one request per connection to the server under test."""

    MAX_ATTEMPTS = 5

    def __init__(self, base_url, timeout=30.0):
        parsed = urllib.parse.urlsplit(base_url)
        if parsed.scheme != "http" or not parsed.hostname:
            raise ValueError(f"invalid --url {base_url!r}: expected http://host:port")
        self.host = parsed.hostname
        self.port = parsed.port or 80
        self.prefix = parsed.path.rstrip("/")
        self.timeout = timeout
        self.request_count = 0

    def send_once(self, method, path, headers, data):
        self.request_count += 1
        connection = http.client.HTTPConnection(self.host, self.port,
                                                timeout=self.timeout)
        try:
            connection.request(method, self.prefix + path, body=data,
                               headers=headers)
            response = connection.getresponse()
            return response, response.read()
        finally:
            connection.close()

    def send(self, method, path, identity, body=None, content_type=None,
             accept=JSON):
        """Send a request and return (status, parsed JSON body or None)."""
        headers = identity.headers()
        if accept is not None:
            headers["Accept"] = accept
        data = None
        if body is not None:
            if isinstance(body, (dict, list)):
                data = json.dumps(body).encode()
                headers["Content-Type"] = content_type or JSON
            else:
                data = body.encode()
                headers["Content-Type"] = content_type or TEXT
        # A server that rejects a request without reading its body may reset
        # the connection before the response arrives (seen with uWSGI on a
        # denied payload PUT). Such a request changed nothing, so resend it.
        for attempt in range(1, self.MAX_ATTEMPTS + 1):
            try:
                response, raw = self.send_once(method, path, headers, data)
                break
            except ConnectionResetError:
                if attempt == self.MAX_ATTEMPTS:
                    raise
                time.sleep(0.05 * attempt)
        parsed = None
        if raw and response.getheader("Content-Type", "").startswith(JSON):
            try:
                parsed = json.loads(raw)
            except ValueError:
                parsed = None
        return response.status, parsed


def new_id():
    return str(uuid.uuid4())


def last_segment(ref):
    return ref.rstrip("/").rsplit("/", 1)[-1]


class Fixture:
    """Ids and resources of one case.

    The owner (role creator) creates the resource in project P. The project
    member is another user of P. The caller from another project is a user
    of project Q, and the ACL user is a second user of Q.
    """

    def __init__(self, client):
        self.client = client
        self.owner_project = new_id()
        self.owner_user = new_id()
        self.member_user = new_id()
        self.other_project = new_id()
        self.other_user = new_id()
        self.acl_user = new_id()
        self.params = {}

    def owner(self, roles="creator"):
        return Identity(self.owner_project, self.owner_user, roles)

    def caller(self, kind, role):
        roles = None if role == "(absent)" else role
        if kind == OWNER:
            return Identity(self.owner_project, self.owner_user, roles)
        if kind in (PROJECT_MEMBER, TARGET_PROJECT, CALLER_PROJECT):
            return Identity(self.owner_project, self.member_user, roles)
        if kind == OTHER_PROJECT:
            return Identity(self.other_project, self.other_user, roles)
        if kind == ACL_USER:
            return Identity(self.other_project, self.acl_user, roles)
        raise ValueError(f"unknown caller kind {kind!r}")

    def step(self, name, expected, method, path, identity, body=None,
             content_type=None):
        """Send one fixture request and raise FixtureError on another status."""
        status, response_json = self.client.send(method, path, identity,
                                                 body, content_type)
        if status != expected:
            raise FixtureError(f"{name}: expected {expected}, got {status}")
        return response_json

    def create_secret(self, identity=None, with_payload=False):
        body = {"name": "authz-secret"}
        if with_payload:
            body["payload"] = "authz-test-value"
            body["payload_content_type"] = TEXT
        response_json = self.step("create secret", 201, "POST", "/v1/secrets",
                                  identity or self.owner(), body)
        return response_json["secret_ref"]

    def create_container(self):
        response_json = self.step("create container", 201, "POST",
                                  "/v1/containers", self.owner(),
                                  {"type": "generic", "name": "authz"})
        return response_json["container_ref"]

    def set_acl(self, collection, resource_id, private):
        body = {"read": {"users": [self.acl_user], "project-access": not private}}
        self.step("set ACL", 200, "PUT", f"/v1/{collection}/{resource_id}/acl",
                  self.owner(), body)


# Request bodies sent by the cases. Each is valid, so the status reflects
# policy and not validation.
SECRET_CONSUMER = {"service": "volume", "resource_type": "volume",
                   "resource_id": "0d5f9a3e-2b7c-4e1d-8a6f-3c9b1e7d5a20"}
CONTAINER_CONSUMER = {"name": "lb", "URL": "http://lb.example.test/pools/1"}
KEY_ORDER = {"type": "key", "meta": {"name": "authz-order", "algorithm": "aes",
                                     "bit_length": 256, "mode": "cbc"}}


class Endpoint:
    """One method and path template, with how to build its fixture.

    scope selects the caller kinds and the private flag:
      secret, container: owner, project member, other project, ACL user,
        each with the resource private or not;
      order: owner, project member, other project;
      collection: a user of a fresh project, acting on that project;
      project-quota: a caller of the target project or of another one.
    prepare(fixture, caller_kind, private) creates what the request needs,
    stores path parameters in fixture.params and returns (body, content_type).
    cleanup(fixture, response_json) removes what a case leaves behind outside
    its own fresh projects.
    """

    def __init__(self, name, method, path, scope, prepare=None, accept=JSON,
                 cleanup=None):
        self.name = name
        self.method = method
        self.path = path
        self.scope = scope
        self.prepare = prepare
        self.accept = accept
        self.cleanup = cleanup


# Secret fixtures ---------------------------------------------------------

def prepare_secret(fx, caller, private, with_payload=False):
    """Create the owner's secret and its ACL when the case needs one."""
    secret_id = last_segment(fx.create_secret(with_payload=with_payload))
    fx.params["secret_id"] = secret_id
    if private or caller == ACL_USER:
        fx.set_acl("secrets", secret_id, private)
    return secret_id


def secret_plain(fx, caller, private):
    prepare_secret(fx, caller, private)
    return None, None


def secret_with_payload(fx, caller, private):
    prepare_secret(fx, caller, private, with_payload=True)
    return None, None


def secret_payload_put(fx, caller, private):
    prepare_secret(fx, caller, private)
    return "authz-test-value", TEXT


def secret_metadata_put(fx, caller, private):
    prepare_secret(fx, caller, private)
    return {"metadata": {"purpose": "authz", "tier": "gold"}}, JSON


def secret_metadata_post(fx, caller, private):
    prepare_secret(fx, caller, private)
    return {"key": "purpose", "value": "authz"}, JSON


def secret_with_metadatum(fx, caller, private):
    secret_id = prepare_secret(fx, caller, private)
    fx.step("add metadatum", 201, "POST", f"/v1/secrets/{secret_id}/metadata",
            fx.owner(), {"key": "purpose", "value": "authz"})
    fx.params["key"] = "purpose"
    return None, None


def secret_metadatum_put(fx, caller, private):
    secret_with_metadatum(fx, caller, private)
    return {"key": "purpose", "value": "changed"}, JSON


def secret_acl_put(fx, caller, private):
    prepare_secret(fx, caller, private)
    return {"read": {"users": [fx.acl_user], "project-access": False}}, JSON


def secret_acl_patch(fx, caller, private):
    prepare_secret(fx, caller, private)
    return {"read": {"users": [fx.acl_user, fx.member_user]}}, JSON


def secret_consumer_post(fx, caller, private):
    prepare_secret(fx, caller, private)
    return SECRET_CONSUMER, JSON


def consumer_owner(fx, caller):
    """Identity that registers the consumer a DELETE case removes.

    The ACL user registers it from its own project, which the ACL allows.
    The caller's project then owns the consumer, so only the policy decides.
    In every other case the owner registers it.
    """
    if caller == ACL_USER:
        return Identity(fx.other_project, fx.acl_user, "admin")
    return fx.owner()


def secret_consumer_delete(fx, caller, private):
    secret_id = prepare_secret(fx, caller, private)
    fx.step("register consumer", 200, "POST",
            f"/v1/secrets/{secret_id}/consumers", consumer_owner(fx, caller),
            SECRET_CONSUMER)
    return SECRET_CONSUMER, JSON


# Container fixtures ------------------------------------------------------

def prepare_container(fx, caller, private):
    container_id = last_segment(fx.create_container())
    fx.params["container_id"] = container_id
    if private or caller == ACL_USER:
        fx.set_acl("containers", container_id, private)
    return container_id


def container_plain(fx, caller, private):
    prepare_container(fx, caller, private)
    return None, None


def container_secret_post(fx, caller, private):
    """Add a secret of the caller's own project, as the server requires."""
    prepare_container(fx, caller, private)
    if caller in (OWNER, PROJECT_MEMBER):
        secret_ref = fx.create_secret()
    else:
        user = fx.acl_user if caller == ACL_USER else fx.other_user
        secret_ref = fx.create_secret(Identity(fx.other_project, user, "admin"))
    return {"name": "added", "secret_ref": secret_ref}, JSON


def container_secret_delete(fx, caller, private):
    container_id = prepare_container(fx, caller, private)
    secret_ref = fx.create_secret()
    link = {"name": "linked", "secret_ref": secret_ref}
    fx.step("link secret", 201, "POST", f"/v1/containers/{container_id}/secrets",
            fx.owner(), link)
    return link, JSON


def container_acl_put(fx, caller, private):
    prepare_container(fx, caller, private)
    return {"read": {"users": [fx.acl_user], "project-access": False}}, JSON


def container_acl_patch(fx, caller, private):
    prepare_container(fx, caller, private)
    return {"read": {"users": [fx.acl_user, fx.member_user]}}, JSON


def container_consumer_post(fx, caller, private):
    prepare_container(fx, caller, private)
    return CONTAINER_CONSUMER, JSON


def container_consumer_delete(fx, caller, private):
    container_id = prepare_container(fx, caller, private)
    fx.step("register consumer", 200, "POST",
            f"/v1/containers/{container_id}/consumers",
            consumer_owner(fx, caller), CONTAINER_CONSUMER)
    return CONTAINER_CONSUMER, JSON


# Order, quota and transport-key fixtures ---------------------------------

def order_plain(fx, caller, private):
    response_json = fx.step("create order", 202, "POST", "/v1/orders",
                            fx.owner(), KEY_ORDER)
    fx.params["order_id"] = last_segment(response_json["order_ref"])
    return None, None


def json_body(body):
    def prepare(fx, caller, private):
        return body, JSON
    return prepare


def service_admin(fx):
    return Identity(fx.owner_project, fx.owner_user, "key-manager:service-admin")


def project_quota_target(fx, caller):
    """Point {project_id} at project P; the caller is in P or in project Q."""
    fx.params["project_id"] = fx.owner_project
    return fx.owner_project


def project_quota_existing(fx, caller, private):
    project_id = project_quota_target(fx, caller)
    fx.step("set project quota", 204, "PUT", f"/v1/project-quotas/{project_id}",
            service_admin(fx), {"project_quotas": {"secrets": 50}})
    return None, None


def project_quota_put(fx, caller, private):
    project_quota_target(fx, caller)
    return {"project_quotas": {"secrets": 50, "containers": 20}}, JSON


def project_quota_cleanup(fx, response_json):
    fx.client.send("DELETE", f"/v1/project-quotas/{fx.params['project_id']}",
                   service_admin(fx))


def transport_key_existing(fx, caller, private):
    key = {"plugin_name": "authz", "transport_key": TRANSPORT_KEY_PEM}
    response_json = fx.step("create transport key", 201, "POST",
                            "/v1/transport_keys", service_admin(fx), key)
    key_ref = response_json["transport_key_ref"]
    fx.params["transport_key_id"] = last_segment(key_ref)
    return None, None


def transport_key_cleanup(fx, response_json):
    """Delete the transport keys a case created, because they are global."""
    ids = []
    if "transport_key_id" in fx.params:
        ids.append(fx.params["transport_key_id"])
    if response_json and "transport_key_ref" in response_json:
        ids.append(last_segment(response_json["transport_key_ref"]))
    for key_id in ids:
        fx.client.send("DELETE", f"/v1/transport_keys/{key_id}", service_admin(fx),
                       accept=None)


S = "/v1/secrets/{secret_id}"
C = "/v1/containers/{container_id}"

ENDPOINTS = [
    # Secrets.
    Endpoint("secret.create", "POST", "/v1/secrets", "collection",
             json_body({"name": "authz-secret"})),
    Endpoint("secret.list", "GET", "/v1/secrets", "collection"),
    Endpoint("secret.get", "GET", S, "secret", secret_plain),
    Endpoint("secret.payload.get", "GET", S + "/payload", "secret",
             secret_with_payload, accept=TEXT),
    Endpoint("secret.payload.put", "PUT", S, "secret", secret_payload_put),
    Endpoint("secret.delete", "DELETE", S, "secret", secret_plain),
    Endpoint("secret.metadata.get", "GET", S + "/metadata", "secret", secret_plain),
    Endpoint("secret.metadata.put", "PUT", S + "/metadata", "secret",
             secret_metadata_put),
    Endpoint("secret.metadata.post", "POST", S + "/metadata", "secret",
             secret_metadata_post),
    Endpoint("secret.metadatum.get", "GET", S + "/metadata/{key}", "secret",
             secret_with_metadatum),
    Endpoint("secret.metadatum.put", "PUT", S + "/metadata/{key}", "secret",
             secret_metadatum_put),
    Endpoint("secret.metadatum.delete", "DELETE", S + "/metadata/{key}", "secret",
             secret_with_metadatum),
    Endpoint("secret.acl.get", "GET", S + "/acl", "secret", secret_plain),
    Endpoint("secret.acl.put", "PUT", S + "/acl", "secret", secret_acl_put),
    Endpoint("secret.acl.patch", "PATCH", S + "/acl", "secret", secret_acl_patch),
    Endpoint("secret.acl.delete", "DELETE", S + "/acl", "secret", secret_plain),
    Endpoint("secret.consumers.get", "GET", S + "/consumers", "secret", secret_plain),
    Endpoint("secret.consumers.post", "POST", S + "/consumers", "secret",
             secret_consumer_post),
    Endpoint("secret.consumers.delete", "DELETE", S + "/consumers", "secret",
             secret_consumer_delete),
    # Containers.
    Endpoint("container.create", "POST", "/v1/containers", "collection",
             json_body({"type": "generic", "name": "authz"})),
    Endpoint("container.list", "GET", "/v1/containers", "collection"),
    Endpoint("container.get", "GET", C, "container", container_plain),
    Endpoint("container.delete", "DELETE", C, "container", container_plain),
    Endpoint("container.secrets.post", "POST", C + "/secrets", "container",
             container_secret_post),
    Endpoint("container.secrets.delete", "DELETE", C + "/secrets", "container",
             container_secret_delete),
    Endpoint("container.acl.get", "GET", C + "/acl", "container", container_plain),
    Endpoint("container.acl.put", "PUT", C + "/acl", "container", container_acl_put),
    Endpoint("container.acl.patch", "PATCH", C + "/acl", "container",
             container_acl_patch),
    Endpoint("container.acl.delete", "DELETE", C + "/acl", "container",
             container_plain),
    Endpoint("container.consumers.get", "GET", C + "/consumers", "container",
             container_plain),
    Endpoint("container.consumers.post", "POST", C + "/consumers", "container",
             container_consumer_post),
    Endpoint("container.consumers.delete", "DELETE", C + "/consumers", "container",
             container_consumer_delete),
    # Orders. PUT is never supported, but the policy check comes first.
    Endpoint("order.create", "POST", "/v1/orders", "collection", json_body(KEY_ORDER)),
    Endpoint("order.list", "GET", "/v1/orders", "collection"),
    Endpoint("order.update", "PUT", "/v1/orders", "collection", json_body({})),
    Endpoint("order.get", "GET", "/v1/orders/{order_id}", "order", order_plain),
    Endpoint("order.delete", "DELETE", "/v1/orders/{order_id}", "order", order_plain),
    # Quotas.
    Endpoint("quotas.get", "GET", "/v1/quotas", "collection"),
    Endpoint("project-quotas.list", "GET", "/v1/project-quotas", "collection"),
    Endpoint("project-quotas.get", "GET", "/v1/project-quotas/{project_id}",
             "project-quota", project_quota_existing, cleanup=project_quota_cleanup),
    Endpoint("project-quotas.put", "PUT", "/v1/project-quotas/{project_id}",
             "project-quota", project_quota_put, cleanup=project_quota_cleanup),
    Endpoint("project-quotas.delete", "DELETE", "/v1/project-quotas/{project_id}",
             "project-quota", project_quota_existing, cleanup=project_quota_cleanup),
    # Secret stores: with multiple backends off the policy check comes
    # before the 404.
    Endpoint("secret-stores.list", "GET", "/v1/secret-stores", "collection"),
    Endpoint("secret-stores.global-default", "GET",
             "/v1/secret-stores/global-default", "collection"),
    Endpoint("secret-stores.preferred", "GET", "/v1/secret-stores/preferred",
             "collection"),
    # Transport keys.
    Endpoint("transport-keys.list", "GET", "/v1/transport_keys", "collection"),
    Endpoint("transport-keys.create", "POST", "/v1/transport_keys", "collection",
             json_body({"plugin_name": "authz", "transport_key": TRANSPORT_KEY_PEM}),
             cleanup=transport_key_cleanup),
    # Barbican 15.0.1 returns 406 to these two when Accept is
    # application/json, before the policy check, so no Accept is sent.
    Endpoint("transport-key.get", "GET", "/v1/transport_keys/{transport_key_id}",
             "collection", transport_key_existing, accept=None,
             cleanup=transport_key_cleanup),
    Endpoint("transport-key.delete", "DELETE",
             "/v1/transport_keys/{transport_key_id}", "collection",
             transport_key_existing, accept=None, cleanup=transport_key_cleanup),
]

CALLERS_BY_SCOPE = {
    "secret": [OWNER, PROJECT_MEMBER, OTHER_PROJECT, ACL_USER],
    "container": [OWNER, PROJECT_MEMBER, OTHER_PROJECT, ACL_USER],
    "order": [OWNER, PROJECT_MEMBER, OTHER_PROJECT],
    "collection": [CALLER_PROJECT],
    "project-quota": [TARGET_PROJECT, OTHER_PROJECT],
}


class Case:
    """One endpoint with one role, caller kind and private flag."""

    def __init__(self, endpoint, role, caller, private):
        self.endpoint = endpoint
        self.role = role
        self.caller = caller
        self.private = private  # True, False, or None when not applicable

    @property
    def private_label(self):
        if self.private is None:
            return NOT_APPLICABLE
        return "yes" if self.private else "no"

    @property
    def case_id(self):
        parts = [self.endpoint.name, self.role, self.caller]
        if self.private is not None:
            parts.append("private" if self.private else "shared")
        return "/".join(parts)

    def run(self, client):
        """Build the fixture, send the request and return the status as text."""
        fx = Fixture(client)
        endpoint = self.endpoint
        response_json = None
        try:
            body, content_type = None, None
            if endpoint.prepare is not None:
                body, content_type = endpoint.prepare(fx, self.caller,
                                                      bool(self.private))
            path = endpoint.path.format(**fx.params)
            identity = fx.caller(self.caller, self.role)
            status, response_json = client.send(endpoint.method, path,
                                                identity, body, content_type,
                                                endpoint.accept)
            return str(status)
        except FixtureError as error:
            print(f"{self.case_id}: fixture failed: {error}", file=sys.stderr)
            return FIXTURE_ERROR
        except (OSError, http.client.HTTPException) as error:
            print(f"{self.case_id}: request failed: {error}", file=sys.stderr)
            return NO_RESPONSE
        finally:
            if endpoint.cleanup is not None:
                try:
                    endpoint.cleanup(fx, response_json)
                except (OSError, http.client.HTTPException):
                    pass


def build_cases():
    cases = []
    for endpoint in ENDPOINTS:
        privacy = [False, True] if endpoint.scope in ("secret", "container") else [None]
        for role in ROLES:
            for caller in CALLERS_BY_SCOPE[endpoint.scope]:
                for private in privacy:
                    cases.append(Case(endpoint, role, caller, private))
    return cases


def run_cases(client, cases):
    """Run cases one after the other, yielding (case, status), and print progress."""
    start = time.monotonic()
    for index, case in enumerate(cases, 1):
        yield case, case.run(client)
        if index % 100 == 0 or index == len(cases):
            elapsed = time.monotonic() - start
            print(f"{index}/{len(cases)} cases, {client.request_count} requests, "
                  f"{elapsed:.0f} s", file=sys.stderr)


def select_cases(pattern):
    cases = build_cases()
    if pattern:
        cases = [case for case in cases if pattern in case.case_id]
    return cases


def record(args):
    client = Client(args.url)
    rows = []
    failures = 0
    for case, status in run_cases(client, select_cases(args.match)):
        if not status.isdigit():
            failures += 1
        rows.append([case.case_id, case.endpoint.method, case.endpoint.path,
                     case.role, case.caller, case.private_label, status])
    with open(args.out, "w", encoding="utf-8") as table:
        table.write("\t".join(TABLE_COLUMNS) + "\n")
        for row in rows:
            table.write("\t".join(row) + "\n")
    print(f"{len(rows)} cases recorded in {args.out}, {failures} without a status")
    return 1 if failures else 0


def load_table(path):
    with open(path, encoding="utf-8") as table:
        lines = table.read().splitlines()
    header = lines[0].split("\t")
    if header[:len(TABLE_COLUMNS)] != TABLE_COLUMNS:
        raise ValueError(f"{path}: invalid header {header}, expected {TABLE_COLUMNS}")
    expected = {}
    for line in lines[1:]:
        if line.strip():
            fields = line.split("\t")
            expected[fields[0]] = fields[TABLE_COLUMNS.index("expected_status")]
    return expected


def check(args):
    expected = load_table(args.table)
    client = Client(args.url)
    cases = select_cases(args.match)
    passed = failed = 0
    for case, status in run_cases(client, cases):
        want = expected.get(case.case_id, "(not in table)")
        if status == want:
            passed += 1
        else:
            failed += 1
            print(f"MISMATCH {case.case_id}: expected {want} got {status}")
    if not args.match:
        run_ids = {case.case_id for case in cases}
        for case_id in sorted(set(expected) - run_ids):
            print(f"note: table case {case_id} is not built by this script",
                  file=sys.stderr)
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    record_parser = commands.add_parser("record", help="record the statuses")
    record_parser.add_argument("--url", required=True,
                               help="base URL of the server, e.g. http://127.0.0.1:9311")
    record_parser.add_argument("--out", required=True, help="table to write (TSV)")
    check_parser = commands.add_parser("check", help="compare with a table")
    check_parser.add_argument("--url", required=True,
                              help="base URL of the server, e.g. http://127.0.0.1:9311")
    check_parser.add_argument("--table", required=True, help="recorded table (TSV)")
    for sub in (record_parser, check_parser):
        sub.add_argument("--match", default="",
                         help="run only the cases whose id contains this text")
    args = parser.parse_args()
    if args.command == "record":
        return record(args)
    return check(args)


if __name__ == "__main__":
    sys.exit(main())
