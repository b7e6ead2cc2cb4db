#!/usr/bin/env python3
"""Write tests/hostile/cases.jsonl, the hostile-input catalog.

tests/e2e/hostile_test.cpp reads the JSON lines file; this script only
regenerates it. Edit the tables here and run

    python3 tests/hostile/generate_cases.py

The file format is described in tests/hostile/README.md.
"""

import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

JSON = ["Content-Type", "application/json"]
SERVICE_ADMIN = ["X-Roles", "key-manager:service-admin"]
MAX_JSON_BODY = 25000  # api.max_request_bytes
MAX_SECRET = 20000  # api.max_secret_bytes
OVER_NGINX = 70000  # above nginx's client_max_body_size 64k

cases = []


def text(data):
    """Bytes as a catalog string: each byte becomes one code point U+0000..U+00FF."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    return data.decode("latin-1")


def repeat(piece, count):
    return {"repeat": text(piece), "count": count}


def add(group, name, method, path, expect, body=None, headers=None, identity=True, raw=None,
        content_length=True):
    case = {"id": f"{group}.{name}", "group": group, "method": method, "path": path}
    if headers:
        case["headers"] = headers
    if body is not None:
        case["body"] = text(body) if isinstance(body, (bytes, str)) else body
    if not identity:
        case["identity"] = False
    if not content_length:
        case["content_length"] = False
    if raw is not None:
        case["raw"] = raw
    case["expect"] = expect
    cases.append(case)


# Every route of the API with the methods it offers.
ROUTES = [
    ("root", "/", ["GET"]),
    ("v1", "/v1", ["GET"]),
    ("secrets", "/v1/secrets", ["GET", "POST"]),
    ("secret", "/v1/secrets/{secret}", ["GET", "PUT", "DELETE"]),
    ("payload", "/v1/secrets/{secret}/payload", ["GET"]),
    ("metadata", "/v1/secrets/{secret}/metadata", ["GET", "PUT", "POST"]),
    ("metadatum", "/v1/secrets/{secret}/metadata/somekey", ["GET", "PUT", "DELETE"]),
    ("secret-acl", "/v1/secrets/{secret}/acl", ["GET", "PUT", "PATCH", "DELETE"]),
    ("secret-consumers", "/v1/secrets/{secret}/consumers", ["GET", "POST", "DELETE"]),
    ("secret-consumer", "/v1/secrets/{secret}/consumers/{uuid}", ["GET"]),
    ("orders", "/v1/orders", ["GET", "POST", "PUT"]),
    ("order", "/v1/orders/{order}", ["GET", "DELETE"]),
    ("containers", "/v1/containers", ["GET", "POST"]),
    ("container", "/v1/containers/{container}", ["GET", "DELETE"]),
    ("container-secrets", "/v1/containers/{container}/secrets", ["POST", "DELETE"]),
    ("container-consumers", "/v1/containers/{container}/consumers", ["GET", "POST", "DELETE"]),
    ("container-consumer", "/v1/containers/{container}/consumers/{uuid}", ["GET"]),
    ("container-acl", "/v1/containers/{container}/acl", ["GET", "PUT", "PATCH", "DELETE"]),
    ("quotas", "/v1/quotas", ["GET"]),
    ("project-quotas", "/v1/project-quotas", ["GET"]),
    ("project-quota", "/v1/project-quotas/{project}", ["GET", "PUT", "DELETE"]),
    ("secret-stores", "/v1/secret-stores", ["GET"]),
    ("store-default", "/v1/secret-stores/global-default", ["GET"]),
    ("store-preferred", "/v1/secret-stores/preferred", ["GET"]),
    ("store", "/v1/secret-stores/{uuid}", ["GET"]),
    ("store-set-preferred", "/v1/secret-stores/{uuid}/preferred", ["POST", "DELETE"]),
    ("transport-keys", "/v1/transport_keys", ["GET", "POST"]),
    ("transport-key", "/v1/transport_keys/{uuid}", ["GET", "DELETE"]),
]

# Routes that take a JSON body: (name, method, path, extra headers).
JSON_ROUTES = [
    ("secrets-post", "POST", "/v1/secrets", []),
    ("orders-post", "POST", "/v1/orders", []),
    ("containers-post", "POST", "/v1/containers", []),
    ("container-secret-post", "POST", "/v1/containers/{container}/secrets", []),
    ("container-secret-delete", "DELETE", "/v1/containers/{container}/secrets", []),
    ("container-consumer-post", "POST", "/v1/containers/{container}/consumers", []),
    ("container-consumer-delete", "DELETE", "/v1/containers/{container}/consumers", []),
    ("secret-consumer-post", "POST", "/v1/secrets/{secret}/consumers", []),
    ("secret-consumer-delete", "DELETE", "/v1/secrets/{secret}/consumers", []),
    ("secret-acl-put", "PUT", "/v1/secrets/{secret}/acl", []),
    ("secret-acl-patch", "PATCH", "/v1/secrets/{secret}/acl", []),
    ("container-acl-put", "PUT", "/v1/containers/{container}/acl", []),
    ("container-acl-patch", "PATCH", "/v1/containers/{container}/acl", []),
    ("metadata-put", "PUT", "/v1/secrets/{secret}/metadata", []),
    ("metadata-post", "POST", "/v1/secrets/{secret}/metadata", []),
    ("metadatum-put", "PUT", "/v1/secrets/{secret}/metadata/somekey", []),
    ("project-quota-put", "PUT", "/v1/project-quotas/{project}", [SERVICE_ADMIN]),
    ("transport-keys-post", "POST", "/v1/transport_keys", [SERVICE_ADMIN]),
]


def json_group():
    deep_arrays = [text('{"a":'), repeat("[", 1000), repeat("]", 1000), text("}")]
    deep_objects = [repeat('{"a":', 1000), text("1"), repeat("}", 1000)]
    just_too_deep = b'{"a":' + b"[" * 32 + b"]" * 32 + b"}"
    bad_bodies = [
        ("empty", b""),
        ("space", b"   "),
        ("null", b"null"),
        ("array", b"[]"),
        ("array-of-object", b'[{"name":"x"}]'),
        ("number", b"42"),
        ("string", b'"text"'),
        ("true", b"true"),
        ("truncated-open", b"{"),
        ("truncated-key", b'{"name"'),
        ("truncated-value", b'{"name":'),
        ("truncated-string", b'{"name":"abc'),
        ("trailing-comma", b'{"name":"a",}'),
        ("single-quotes", b"{'name':'a'}"),
        ("bare-key", b"{name:1}"),
        ("trailing-garbage", b'{"name":"a"}}'),
        ("two-objects", b'{"name":"a"} {"name":"b"}'),
        ("comment", b'/* c */ {"name":"a"}'),
        ("nan", b'{"bit_length":NaN}'),
        ("infinity", b'{"bit_length":Infinity}'),
        ("bom", b'\xef\xbb\xbf{"name":"a"}'),
        ("utf16", '{"name":"a"}'.encode("utf-16")),
        ("invalid-utf8-key", b'{"\xff":1}'),
        ("nul-escape-key", b'{"a\\u0000":1}'),
        ("raw-nul", b'{"name":"a\x00"}'),
        ("raw-control", b'{"name":"a\x01b"}'),
        ("bad-escape", b'{"name":"\\x41"}'),
        ("short-unicode-escape", b'{"name":"\\u12"}'),
        ("lone-high-surrogate-key", b'{"\\ud800":1}'),
        ("deep-arrays-1000", deep_arrays),
        ("deep-objects-1000", deep_objects),
        ("deep-arrays-33", just_too_deep),
        ("huge-exponent", b'{"x":1e999999}'),
        ("huge-integer", b'{"x":' + b"9" * 400 + b"}"),
        ("leading-zero", b'{"x":01}'),
        ("plus-number", b'{"x":+1}'),
        ("hex-number", b'{"x":0x10}'),
        ("only-nul", b"\x00"),
        ("latin1-text", b"\xe9\xe8"),
    ]

    for route, method, path, extra in JSON_ROUTES:
        for name, body in bad_bodies:
            add("json", f"{route}.{name}", method, path, "400", body=body, headers=[JSON] + extra)
        # Duplicate keys keep the last value; any 2xx or 4xx is fine, a 5xx is not.
        add("json", f"{route}.duplicate-keys", method, path, "2xx|4xx",
            body=b'{"name":"a","name":"b","type":"generic","type":"generic"}', headers=[JSON] + extra)
        add("json", f"{route}.duplicate-key-nul", method, path, "400",
            body=b'{"name":"a","name":"\\u0000"}', headers=[JSON] + extra)
        add("json", f"{route}.same-key-3000-times", method, path, "2xx|4xx",
            body=[text('{"name":"a",'), repeat('"name":"b",', 2000), text('"type":"generic"}')],
            headers=[JSON] + extra)
        # The body is cut at 25000 bytes, so the closing brace at byte 25001 is lost.
        prefix = b'{"name":"x","padding":"'
        suffix = b'"}'
        over = MAX_JSON_BODY + 1 - len(prefix) - len(suffix)
        add("json", f"{route}.body-over-limit", method, path, "400",
            body=[text(prefix), repeat("a", over), text(suffix)], headers=[JSON] + extra)
        add("json", f"{route}.body-over-nginx", method, path, "413",
            body=[text(prefix), repeat("a", OVER_NGINX), text(suffix)], headers=[JSON] + extra)
    many = b"{" + b",".join(b'"k%d":%d' % (i, i) for i in range(1500)) + b"}"

    for route, method, path, extra in JSON_ROUTES[:3]:
        add("json", f"{route}.many-distinct-keys", method, path, "2xx|4xx", body=many, headers=[JSON] + extra)

    # At the limit the body is read whole.
    at = MAX_JSON_BODY - len(b'{"name":"x","padding":"') - len(b'"}')
    add("json", "secrets-post.body-at-limit", "POST", "/v1/secrets", "201",
        body=[text(b'{"name":"x","padding":"'), repeat("a", at), text(b'"}')], headers=[JSON])
    order_prefix = b'{"type":"key","meta":{"algorithm":"aes","bit_length":256},"padding":"'
    at = MAX_JSON_BODY - len(order_prefix) - len(b'"}')
    add("json", "orders-post.body-at-limit", "POST", "/v1/orders", "202",
        body=[text(order_prefix), repeat("a", at), text(b'"}')], headers=[JSON])

    # Nesting inside an otherwise valid body.
    add("json", "orders-post.deep-meta", "POST", "/v1/orders", "400", headers=[JSON],
        body=[text('{"type":"key","meta":{"algorithm":"aes","bit_length":256,"x":'), repeat("[", 1000),
              repeat("]", 1000), text("}}")])

    add("json", "containers-post.deep-secret-refs", "POST", "/v1/containers", "400", headers=[JSON],
        body=[text('{"type":"generic","secret_refs":'), repeat("[", 1000), repeat("]", 1000), text("}")])


# Stored string fields: (name, method, path, body template with @V@, limit,
# extra headers, expected status at the limit). A limit of None means the
# field has no length rule of its own; only the byte-level cases run.
STRING_FIELDS = [
    ("secret-name", "POST", "/v1/secrets", '{"name":"@V@"}', 255, [], "201"),
    ("secret-algorithm", "POST", "/v1/secrets", '{"algorithm":"@V@"}', 255, [], "201"),
    ("secret-mode", "POST", "/v1/secrets", '{"mode":"@V@"}', 255, [], "201"),
    ("secret-type", "POST", "/v1/secrets", '{"secret_type":"@V@"}', None, [], None),
    ("secret-expiration", "POST", "/v1/secrets", '{"expiration":"@V@"}', None, [], None),
    ("secret-content-type", "POST", "/v1/secrets",
     '{"payload":"x","payload_content_type":"@V@"}', None, [], None),
    ("secret-encoding", "POST", "/v1/secrets",
     '{"payload":"eA==","payload_content_type":"application/octet-stream","payload_content_encoding":"@V@"}',
     None, [], None),
    ("secret-payload", "POST", "/v1/secrets", '{"payload":"@V@","payload_content_type":"text/plain"}',
     None, [], None),
    ("secret-transport-key-id", "POST", "/v1/secrets", '{"transport_key_id":"@V@"}', None, [], None),
    ("order-name", "POST", "/v1/orders",
     '{"type":"key","meta":{"name":"@V@","algorithm":"aes","bit_length":256}}', 255, [], "202"),
    ("order-algorithm", "POST", "/v1/orders",
     '{"type":"key","meta":{"algorithm":"@V@","bit_length":256}}', 255, [], "202"),
    ("order-mode", "POST", "/v1/orders",
     '{"type":"key","meta":{"algorithm":"aes","bit_length":256,"mode":"@V@"}}', 255, [], "202"),
    ("order-type", "POST", "/v1/orders", '{"type":"@V@","meta":{"algorithm":"aes","bit_length":256}}',
     None, [], None),
    ("order-extra-meta", "POST", "/v1/orders",
     '{"type":"key","meta":{"algorithm":"aes","bit_length":256,"note":"@V@"}}', None, [], None),
    ("order-extra-meta-key", "POST", "/v1/orders",
     '{"type":"key","meta":{"algorithm":"aes","bit_length":256,"@V@":"x"}}', None, [], None),
    ("order-passphrase", "POST", "/v1/orders",
     '{"type":"asymmetric","meta":{"algorithm":"rsa","bit_length":2048,"passphrase":"@V@"}}', None, [], None),
    ("container-name", "POST", "/v1/containers", '{"type":"generic","name":"@V@"}', 255, [], "201"),
    ("container-type", "POST", "/v1/containers", '{"type":"@V@"}', None, [], None),
    ("container-link-name", "POST", "/v1/containers",
     '{"type":"generic","secret_refs":[{"name":"@V@","secret_ref":"{base}/v1/secrets/{secret}"}]}',
     255, [], "201"),
    ("container-link-ref", "POST", "/v1/containers",
     '{"type":"generic","secret_refs":[{"name":"a","secret_ref":"@V@"}]}', None, [], None),
    ("container-secret-name", "POST", "/v1/containers/{new_container}/secrets",
     '{"name":"@V@","secret_ref":"{base}/v1/secrets/{secret}"}', 255, [], "201"),
    ("container-secret-ref", "POST", "/v1/containers/{container}/secrets",
     '{"name":"a","secret_ref":"@V@"}', None, [], None),
    ("container-consumer-name", "POST", "/v1/containers/{container}/consumers",
     '{"name":"@V@","URL":"http://consumer.example"}', 36, [], "200"),
    ("container-consumer-url", "POST", "/v1/containers/{container}/consumers",
     '{"name":"hostile","URL":"@V@"}', 255, [], "200"),
    ("secret-consumer-service", "POST", "/v1/secrets/{secret}/consumers",
     '{"service":"@V@","resource_type":"volume","resource_id":"r1"}', 255, [], "200"),
    ("secret-consumer-resource-type", "POST", "/v1/secrets/{secret}/consumers",
     '{"service":"volume","resource_type":"@V@","resource_id":"r1"}', 255, [], "200"),
    ("secret-consumer-resource-id", "POST", "/v1/secrets/{secret}/consumers",
     '{"service":"volume","resource_type":"volume","resource_id":"@V@"}', 36, [], "200"),
    ("metadata-put-value", "PUT", "/v1/secrets/{secret}/metadata",
     '{"metadata":{"k":"@V@"}}', 255, [], "201"),
    ("metadatum-post-value", "POST", "/v1/secrets/{new_secret}/metadata",
     '{"key":"k","value":"@V@"}', 255, [], "201"),
    ("metadatum-put-value", "PUT", "/v1/secrets/{secret}/metadata/k",
     '{"key":"k","value":"@V@"}', 255, [], "200"),
    ("secret-acl-user", "PUT", "/v1/secrets/{secret}/acl", '{"read":{"users":["@V@"]}}', 255, [], "200"),
    ("container-acl-user", "PATCH", "/v1/containers/{container}/acl", '{"read":{"users":["@V@"]}}',
     255, [], "200"),
    ("transport-key-plugin", "POST", "/v1/transport_keys",
     '{"plugin_name":"@V@","transport_key":"-----BEGIN PUBLIC KEY-----"}', 255, [SERVICE_ADMIN], "201"),
    ("transport-key-text", "POST", "/v1/transport_keys", '{"plugin_name":"p","transport_key":"@V@"}',
     None, [SERVICE_ADMIN], None),
]

# Metadata keys carry their own character rule, so they get their own values.
KEY_FIELDS = [
    ("metadata-put-key", "PUT", "/v1/secrets/{secret}/metadata", '{"metadata":{"@V@":"v"}}', "201"),
    ("metadatum-post-key", "POST", "/v1/secrets/{new_secret}/metadata", '{"key":"@V@","value":"v"}', "201"),
]


def fill(template, value):
    before, after = template.encode("utf-8").split(b"@V@")
    if isinstance(value, dict):
        return [text(before), value, text(after)]
    return before + value + after


def strings_group():
    hostile_values = [
        ("invalid-utf8", b"a\xffb"),
        ("truncated-utf8", b"a\xc3"),
        ("overlong-utf8", b"a\xc0\x80"),
        ("utf8-surrogate", b"a\xed\xa0\x80"),
        ("utf8-beyond-unicode", b"a\xf4\x90\x80\x80"),
        ("nul-escape", b"a\\u0000b"),
        ("raw-nul", b"a\x00b"),
        ("raw-newline", b"a\nb"),
        ("lone-high-surrogate", b"\\ud800"),
        ("lone-low-surrogate", b"\\udfff"),
        ("reversed-surrogates", b"\\udc00\\ud800"),
        ("high-surrogate-then-text", b"\\ud800abc"),
    ]

    for name, method, path, template, limit, extra, ok in STRING_FIELDS:
        for value_name, value in hostile_values:
            add("strings", f"{name}.{value_name}", method, path, "400", body=fill(template, value),
                headers=[JSON] + extra)
        if limit is None:
            continue
        add("strings", f"{name}.at-limit", method, path, ok,
            body=fill(template, repeat("a", limit)), headers=[JSON] + extra)
        add("strings", f"{name}.over-limit", method, path, "400",
            body=fill(template, repeat("a", limit + 1)), headers=[JSON] + extra)
        # Limits count code points, not bytes (PostgreSQL varchar counts characters).
        add("strings", f"{name}.two-byte-at-limit", method, path, ok,
            body=fill(template, repeat("\u00e9", limit)), headers=[JSON] + extra)
        add("strings", f"{name}.two-byte-over-limit", method, path, "400",
            body=fill(template, repeat("\u00e9", limit + 1)), headers=[JSON] + extra)
        add("strings", f"{name}.escaped-astral-at-limit", method, path, ok,
            body=fill(template, repeat("\\ud83d\\ude00", limit)), headers=[JSON] + extra)
        add("strings", f"{name}.escaped-astral-over-limit", method, path, "400",
            body=fill(template, repeat("\\ud83d\\ude00", limit + 1)), headers=[JSON] + extra)
        # Whitespace is stripped before the length check.
        before, after = template.split("@V@")
        add("strings", f"{name}.padded-at-limit", method, path, ok,
            body=[text(before + " \\t "), repeat("a", limit), text(" \\t " + after)], headers=[JSON] + extra)

    for name, method, path, template, ok in KEY_FIELDS:
        for value_name, value in hostile_values + [("slash", b"a/b"), ("space-inside", b"a b"),
                                                   ("percent", b"a%20b"), ("dot", b"a.b"),
                                                   ("non-ascii", "\u00e9".encode("utf-8")),
                                                   ("empty", b"")]:
            add("strings", f"{name}.{value_name}", method, path, "400", body=fill(template, value),
                headers=[JSON])
        add("strings", f"{name}.at-limit", method, path, ok, body=fill(template, repeat("k", 255)),
            headers=[JSON])
        add("strings", f"{name}.over-limit", method, path, "400", body=fill(template, repeat("k", 256)),
            headers=[JSON])

    # A 20000-byte text payload is accepted and one byte more is 413.
    add("strings", "secret-payload.at-limit", "POST", "/v1/secrets", "201", headers=[JSON],
        body=[text(b'{"payload":"'), repeat("a", MAX_SECRET), text(b'","payload_content_type":"text/plain"}')])

    add("strings", "secret-payload.over-limit", "POST", "/v1/secrets", "413", headers=[JSON],
        body=[text(b'{"payload":"'), repeat("a", MAX_SECRET + 1), text(b'","payload_content_type":"text/plain"}')])

    add("strings", "secret-payload.two-byte-over-limit", "POST", "/v1/secrets", "413", headers=[JSON],
        body=[text(b'{"payload":"'), repeat("\u00e9", MAX_SECRET // 2 + 1),
              text(b'","payload_content_type":"text/plain"}')])

    add("strings", "secret-payload.base64-over-limit", "POST", "/v1/secrets", "413", headers=[JSON],
        body=[text(b'{"payload":"'), repeat("QUJD", MAX_SECRET // 4 + 1),
              text(b'","payload_content_type":"application/octet-stream","payload_content_encoding":"base64"}')])

    for name, payload in [("bad-padding", b"QUJ"), ("one-char", b"Q"), ("only-padding", b"===="),
                          ("non-ascii", "\u00e9\u00e9\u00e9\u00e9".encode("utf-8")), ("spaces", b"    "),
                          ("url-safe-alphabet", b"-_-_"), ("padding-inside", b"QQ==QUJD")]:
        add("strings", f"secret-base64.{name}", "POST", "/v1/secrets", "2xx|400", headers=[JSON],
            body=b'{"payload":"' + payload +
            b'","payload_content_type":"application/octet-stream","payload_content_encoding":"base64"}')


def numbers_group():
    secret_values = [
        ("huge-exponent", b"1e400", "400"), ("max-double", b"1.7976931348623157e308", "400"),
        ("fraction", b"256.5", "400"), ("integral-double", b"256.0", "201"), ("exponent-int", b"2.56e2", "201"),
        ("negative", b"-1", "400"), ("zero", b"0", "400"), ("max", b"32767", "201"), ("over-max", b"32768", "400"),
        ("int64-max", b"9223372036854775807", "400"), ("int64-over", b"9223372036854775808", "400"),
        ("uint64-over", b"18446744073709551616", "400"), ("int64-min", b"-9223372036854775808", "400"),
        ("int64-under", b"-9223372036854775809", "400"), ("negative-zero", b"-0", "400"),
        ("tiny", b"1e-400", "400"), ("string", b'"256"', "400"), ("true", b"true", "400"),
        ("null", b"null", "400"), ("array", b"[256]", "400"), ("object", b'{"v":256}', "400"),
    ]

    for name, value, expect in secret_values:
        add("numbers", f"secret-bit-length.{name}", "POST", "/v1/secrets", expect, headers=[JSON],
            body=b'{"bit_length":' + value + b"}")

    # Orders accept what secrets accept (202 in place of 201) but need a
    # multiple of 8, which 32767 is not.
    order_values = []
    for name, value, expect in secret_values:
        if name == "max":
            expect = "400"
        elif expect == "201":
            expect = "202"
        order_values.append((name, value, expect))
    order_values += [("not-multiple-of-8", b"255", "400"), ("one", b"1", "400")]

    for name, value, expect in order_values:
        add("numbers", f"order-bit-length.{name}", "POST", "/v1/orders", expect, headers=[JSON],
            body=b'{"type":"key","meta":{"algorithm":"aes","bit_length":' + value + b"}}")
    quota_values = [
        ("int32-max", b"2147483647", "204"), ("int32-over", b"2147483648", "400"),
        ("int32-min", b"-2147483648", "204"), ("int32-under", b"-2147483649", "400"),
        ("int64-over", b"9223372036854775808", "400"), ("huge-exponent", b"1e400", "400"),
        ("fraction", b"1.5", "400"), ("big-double", b"1e10", "400"), ("minus-one", b"-1", "204"),
        ("null", b"null", "400"), ("string", b'"5"', "400"), ("true", b"true", "400"),
        ("array", b"[5]", "400"),
    ]

    for name, value, expect in quota_values:
        add("numbers", f"project-quota.{name}", "PUT", "/v1/project-quotas/{project}", expect,
            headers=[JSON, SERVICE_ADMIN], body=b'{"project_quotas":{"secrets":' + value + b"}}")

    for name, value in [("string", b'"true"'), ("number", b"1"), ("null", b"null"), ("array", b"[true]")]:
        add("numbers", f"acl-project-access.{name}", "PUT", "/v1/secrets/{secret}/acl", "400", headers=[JSON],
            body=b'{"read":{"project-access":' + value + b"}}")

    for name, value in [("string", b'"u1"'), ("number", b"[1]"), ("null-item", b"[null]"),
                        ("object-item", b'[{"u":1}]'), ("nested", b'[["u1"]]')]:
        add("numbers", f"acl-users.{name}", "PUT", "/v1/containers/{container}/acl", "400", headers=[JSON],
            body=b'{"read":{"users":' + value + b"}}")

    for name, value in [("number", b"1"), ("null", b"null"), ("array", b'["generic"]'), ("object", b"{}")]:
        add("numbers", f"container-type.{name}", "POST", "/v1/containers", "400", headers=[JSON],
            body=b'{"type":' + value + b"}")

    for name, value in [("object", b"{}"), ("string", b'"x"'), ("number-item", b"[1]"), ("null-item", b"[null]"),
                        ("missing-ref", b'[{"name":"a"}]'), ("empty-ref", b'[{"name":"a","secret_ref":""}]'),
                        ("number-ref", b'[{"name":"a","secret_ref":5}]')]:
        add("numbers", f"container-secret-refs.{name}", "POST", "/v1/containers", "400", headers=[JSON],
            body=b'{"type":"generic","secret_refs":' + value + b"}")

    for name, value in [("number", b"5"), ("null", b"null"), ("array", b"[]"), ("string", b'"x"')]:
        add("numbers", f"order-meta.{name}", "POST", "/v1/orders", "400", headers=[JSON],
            body=b'{"type":"key","meta":' + value + b"}")
        add("numbers", f"metadata-object.{name}", "PUT", "/v1/secrets/{secret}/metadata", "400",
            headers=[JSON], body=b'{"metadata":' + value + b"}")
        if name == "string":
            continue
        add("numbers", f"metadata-value.{name}", "PUT", "/v1/secrets/{secret}/metadata", "400",
            headers=[JSON], body=b'{"metadata":{"k":' + value + b"}}")
        add("numbers", f"secret-name.{name}", "POST", "/v1/secrets", "201" if name == "null" else "400",
            headers=[JSON], body=b'{"name":' + value + b"}")
        add("numbers", f"consumer-name.{name}", "POST", "/v1/containers/{container}/consumers", "400",
            headers=[JSON], body=b'{"name":' + value + b',"URL":"http://x"}')
    expirations = [
        ("year-10000", "10000-01-01T00:00:00", "400"), ("offset-past-9999", "9999-12-31T23:59:59-23:59", "400"),
        ("max-date", "9999-12-31T23:59:59.999999", "201"), ("past", "2001-01-01T00:00:00", "400"),
        ("year-zero", "0000-01-01", "400"), ("feb-30", "2099-02-30", "400"), ("hour-24", "2099-01-01T24:00:00", "400"),
        ("leap-second", "2099-12-31T23:59:60", "400"), ("offset-99", "2099-01-01T00:00:00+99:99", "400"),
        ("long-fraction", "2099-01-01T00:00:00." + "9" * 200, "2xx|400"), ("garbage", "soon", "400"),
        ("week-date", "2099-W01", "400"), ("negative-year", "-2099-01-01", "400"),
        ("huge-year", "99999999999999999999-01-01", "400"), ("blank", "   ", "201"),
    ]

    for name, value, expect in expirations:
        add("numbers", f"secret-expiration.{name}", "POST", "/v1/secrets", expect, headers=[JSON],
            body='{"expiration":"%s"}' % value)
        order_expect = "202" if expect == "201" else expect
        add("numbers", f"order-expiration.{name}", "POST", "/v1/orders", order_expect, headers=[JSON],
            body='{"type":"key","meta":{"algorithm":"aes","bit_length":256,"expiration":"%s"}}' % value)


def headers_group():
    post = ("POST", "/v1/secrets", b'{"name":"h"}')
    get = ("GET", "/v1/secrets", None)
    content_types = [
        ("empty", b"", "415"), ("json-semicolon", b"application/json;", "2xx|415"),
        ("json-latin1", b"application/json; charset=latin1", "201"),
        ("json-upper", b"APPLICATION/JSON", "201"), ("json-trailing-byte", b"application/json\xff", "415"),
        ("invalid-utf8", b"\xff\xfe", "415"), ("prefix", b"application/jso", "415"),
        ("suffix", b"application/jsonx", "415"), ("list", b"application/json, text/plain", "2xx|415"),
        ("text", b"text/plain", "415"), ("unterminated-quote", b'application/json; a="x', "2xx|415"),
        ("long-parameter", b"application/json; a=" + b"x" * 4000, "2xx|415"),
        ("many-parameters", b"application/json" + b"; a=b" * 500, "2xx|415"),
        ("multipart", b"multipart/form-data; boundary=x", "415"), ("star", b"*/*", "415"),
        ("no-subtype", b"application", "415"), ("utf8", "application/js\u00f6n".encode("utf-8"), "415"),
    ]

    for name, value, expect in content_types:
        add("headers", f"content-type.{name}", post[0], post[1], expect, body=post[2],
            headers=[["Content-Type", text(value)]])

    add("headers", "content-type.missing", post[0], post[1], "415", body=post[2])
    add("headers", "content-type.twice", post[0], post[1], "2xx|415", body=post[2],
        headers=[JSON, ["Content-Type", "text/plain"]])
    accepts = [
        ("empty", b"", "200"), ("star-q0", b"*/*;q=0", "406"), ("json-q0", b"application/json;q=0", "406"),
        ("html", b"text/html", "406"), ("invalid-utf8", b"\xff", "200|406"), ("bad-q", b"application/json;q=abc", "2xx|406"),
        ("huge-q", b"*/*;q=1e999", "2xx|406"), ("commas", b",,,,,,", "2xx|406"),
        ("long-list", b",".join([b"text/x-%d" % i for i in range(600)]), "2xx|406"),
        ("app-star", b"application/*", "200"), ("nul-like", b"application/json%00", "2xx|406"),
    ]

    for name, value, expect in accepts:
        add("headers", f"accept.{name}", get[0], get[1], expect, headers=[["Accept", text(value)]])
        add("headers", f"accept-secret.{name}", "GET", "/v1/secrets/{secret}", "2xx|406",
            headers=[["Accept", text(value)]])
        add("headers", f"accept-payload.{name}", "GET", "/v1/secrets/{secret}/payload", "2xx|406",
            headers=[["Accept", text(value)]])
    identities = [
        ("empty", b"", "400"), ("spaces", b"   ", "400"), ("at-limit", b"p" * 255, "200"),
        ("over-limit", b"p" * 256, "400"), ("two-byte", "pr\u00f6ject".encode("utf-8"), "200"),
        ("invalid-utf8", b"p\xff", "400"), ("truncated-utf8", b"p\xc3", "400"),
        ("overlong-utf8", b"p\xc0\xaf", "400"), ("path-like", b"../../etc", "200"),
        ("sql-like", b"p'; DROP TABLE secrets; --", "200"), ("tab-inside", b"p\tq", "2xx|400"),
        ("control-char", b"p\x01q", "2xx|400"),
    ]

    for name, value, expect in identities:
        header = ["X-Project-Id", text(value)]
        add("headers", f"project-id.{name}", "GET", "/v1/secrets", expect, headers=[header])
        add("headers", f"project-id-post.{name}", "POST", "/v1/secrets", "201" if expect == "200" else expect,
            headers=[header, JSON], body=b'{"name":"h"}')
        add("headers", f"project-id-orders.{name}", "GET", "/v1/orders", expect, headers=[header])
        add("headers", f"project-id-quotas.{name}", "GET", "/v1/quotas", expect, headers=[header])
        add("headers", f"project-id-containers.{name}", "POST", "/v1/containers",
            "201" if expect == "200" else expect, headers=[header, JSON], body=b'{"type":"generic"}')
    users = [
        ("empty", b"", "201"), ("at-limit", b"u" * 255, "201"), ("over-limit", b"u" * 256, "400"),
        ("two-byte", "\u00fcser".encode("utf-8"), "201"), ("invalid-utf8", b"u\xff", "400"),
        ("control-char", b"u\x01", "2xx|400"),
    ]

    for name, value, expect in users:
        header = ["X-User-Id", text(value)]
        add("headers", f"user-id-post.{name}", "POST", "/v1/secrets", expect, headers=[header, JSON],
            body=b'{"name":"h"}')
        add("headers", f"user-id-order.{name}", "POST", "/v1/orders", "202" if expect == "201" else expect,
            headers=[header, JSON], body=b'{"type":"key","meta":{"algorithm":"aes","bit_length":128}}')
        list_expect = "200" if expect == "201" else expect
        add("headers", f"user-id-acl-only.{name}", "GET", "/v1/secrets?acl_only=true", list_expect,
            headers=[header])
        # Consumer rows do not store the user id, so a rejected one may also pass.
        add("headers", f"user-id-consumer.{name}", "POST", "/v1/secrets/{secret}/consumers",
            "200" if expect == "201" else "200|" + expect, headers=[header, JSON],
            body=b'{"service":"s","resource_type":"t","resource_id":"r"}')
    roles = [
        ("empty", b"", "200"), ("commas", b",,,", "200"), ("padded", b"  admin  ", "200"),
        ("upper", b"ADMIN", "200"), ("unknown", b"root", "403"), ("invalid-utf8", b"\xff", "403"),
        ("many", b",".join([b"r%d" % i for i in range(1000)]), "403"),
        ("too-long", b"a" * 9000, "400"),
    ]

    for name, value, expect in roles:
        add("headers", f"roles.{name}", "GET", "/v1/secrets", expect, headers=[["X-Roles", text(value)]])
    versions = [
        ("empty", b"", "200"), ("service-only", b"key-manager", "2xx|400"), ("service-space", b"key-manager ", "2xx|400"),
        ("major-only", b"key-manager 1", "400"), ("trailing-dot", b"key-manager 1.", "400"),
        ("leading-dot", b"key-manager .1", "400"), ("minor-3", b"key-manager 1.3", "406"),
        ("major-2", b"key-manager 2.0", "406"), ("major-0", b"key-manager 0.9", "406"),
        ("huge-minor", b"key-manager 1.99999999999999999999", "406"),
        ("huge-major", b"key-manager 99999999999999999999.0", "406"),
        ("negative", b"key-manager -1.0", "406"), ("three-parts", b"key-manager 1.2.3", "400"),
        ("latest", b"key-manager latest", "200"), ("latest-upper", b"key-manager LATEST", "400"),
        ("service-upper", b"KEY-MANAGER 1.1", "200"), ("list", b"key-manager 1.1, key-manager 1.2", "200"),
        ("other-service", b"compute 2.1", "200"), ("hex", b"key-manager 0x1.1", "400"),
        ("invalid-utf8", b"key-manager \xff", "400"), ("arabic-digits", "key-manager \u0661.\u0661".encode("utf-8"), "2xx|400"),
        ("underscore", b"key-manager 1_0.1", "406"), ("commas", b",,,", "200"),
        ("long", b"key-manager 1." + b"0" * 7000, "2xx|400"),
    ]

    for name, value, expect in versions:
        add("headers", f"microversion.{name}", "GET", "/v1/secrets", expect,
            headers=[["OpenStack-API-Version", text(value)]])
        add("headers", f"microversion-root.{name}", "GET", "/", "300|400|406",
            headers=[["OpenStack-API-Version", text(value)]], identity=False)

    add("headers", "long-header.8k", "GET", "/v1/secrets", "400", headers=[["X-Long", [repeat("a", 9000)]]])
    add("headers", "many-headers", "GET", "/v1/secrets", "200",
        headers=[["X-Extra-%d" % i, "v"] for i in range(100)])

    add("headers", "too-many-header-bytes", "GET", "/v1/secrets", "400",
        headers=[["X-Extra-%d" % i, [repeat("v", 7000)]] for i in range(6)])

    add("headers", "project-id-twice", "GET", "/v1/secrets", "2xx|400",
        headers=[["X-Project-Id", "p-first"], ["X-Project-Id", "p-second"]])

    add("headers", "underscore-project-id", "GET", "/v1/secrets", "400",
        headers=[["X-Project-Id", None], ["X_Project_Id", "p-underscore"]])

    add("headers", "missing-identity", "GET", "/v1/secrets", "400", identity=False)
    add("headers", "host-hostile", "GET", "/v1", "2xx|400", headers=[["Host", 'evil"><script>']])
    add("headers", "host-invalid-utf8", "GET", "/v1", "2xx|400", headers=[["Host", text(b"h\xff")]])
    add("headers", "host-empty", "GET", "/v1", "2xx|400", headers=[["Host", ""]])
    add("headers", "forwarded-proto", "GET", "/v1", "200", headers=[["X-Forwarded-Proto", "javascript"]])
    add("headers", "content-encoding-json", "POST", "/v1/secrets", "2xx|4xx", headers=[JSON,
        ["Content-Encoding", "gzip"]], body=b'{"name":"h"}')

    # Payload PUT: Content-Type and Content-Encoding rules.
    for name, ctype, encoding, expect in [
        ("json", b"application/json", None, "415"), ("pkcs8", b"application/pkcs8", None, "415"),
        ("empty", b"", None, "415"), ("invalid-utf8", b"text/\xff", None, "415"),
        ("octet-bad-encoding", b"application/octet-stream", b"gzip", "400"),
        ("octet-encoding-invalid-utf8", b"application/octet-stream", b"\xff", "400"),
        ("octet-base64-garbage", b"application/octet-stream", b"base64", "400"),
        ("text-invalid-utf8-body", b"text/plain", None, "204"),
    ]:
        hdrs = [["Content-Type", text(ctype)]]
        if encoding is not None:
            hdrs.append(["Content-Encoding", text(encoding)])
        body = b"\xff\xfe!" if name.endswith("garbage") or name.endswith("body") else b"payload"
        add("headers", f"payload-put.{name}", "PUT", "/v1/secrets/{new_bare_secret}", expect, headers=hdrs, body=body)


def paths_group():
    unknown = [
        "/v1/secrets/{secret}/foo", "/v1/secrets/{secret}/payload/x", "/v1/secrets/{secret}/metadata/k/x",
        "/v1/secrets/{secret}/acl/x", "/v1/secrets/{secret}/consumers/{uuid}/x", "/v1/orders/{order}/x",
        "/v1/containers/{container}/x", "/v1/containers/{container}/secrets/x", "/v1/containers/{container}/acl/x",
        "/v1/containers/{container}/consumers/{uuid}/x", "/v1/quotas/x", "/v1/project-quotas/p/x",
        "/v1/transport_keys/{uuid}/x", "/v1/secret-stores/{uuid}/preferred/x", "/v2", "/v1x", "/v1/unknown",
        "/v1//secrets", "/v1/secrets//{secret}", "//v1/secrets", "/V1/secrets", "/v1/SECRETS",
        "/v1/secrets/{secret}//payload", "/v1/secrets/{secret}/payload//", "/healthcheck/x", "/v1/secrets/%2e%2e",
        "/v1/secrets/{secret}%20", "/v1/secrets/%20{secret}",
        "/v1/secrets;x", "/v1/secrets/{secret};x", "/v1/secrets/%ff", "/v1/secrets/%zz", "/v1/secrets/%",
        "/v1/secrets/%4", "/v1/secrets/%%", "/v1/secrets/%c3%a9", "/v1/containers/%ff", "/v1/orders/%ff",
        "/v1/orders/%zz", "/v1/transport_keys/%ff", "/v1/secret-stores/%ff", "/v1/secrets/{secret}/metadata/%ff",
        "/v1/secrets/{secret}/metadata/%c3%a9", "/v1/secrets/{secret}/consumers/%ff",
        "/v1/containers/{container}/consumers/%ff", "/v1/project-quotas/%ff", "/v1/project-quotas/%c0%80",
        "/v1/secrets/{SECRET}", "/v1/secrets/00000000-0000-0000-0000-000000000000",
        "/v1/secrets/{uuid}", "/v1/containers/{uuid}", "/v1/orders/{uuid}", "/v1/transport_keys/{uuid}",
    ]

    for path in unknown:
        slug = "".join(c if c.isalnum() else "-" for c in path.strip("/")) or "root"
        add("paths", f"unknown.{slug}", "GET", path, "4xx")

    # Methods other than GET on odd ids must not reach the database with them.
    for name, method, path, body in [
        ("delete-secret-bad-id", "DELETE", "/v1/secrets/%ff", None),
        ("put-secret-bad-id", "PUT", "/v1/secrets/%ff", b"x"),
        ("delete-metadatum-invalid-utf8", "DELETE", "/v1/secrets/{secret}/metadata/%ff", None),
        # Deleting an absent key is not an error upstream, so 204 is fine here.
        ("delete-metadatum-long", "DELETE", "/v1/secrets/{secret}/metadata/" + "k" * 300, None),
        ("put-metadatum-invalid-utf8", "PUT", "/v1/secrets/{secret}/metadata/%ff", b'{"key":"a","value":"b"}'),
        ("get-metadatum-long", "GET", "/v1/secrets/{secret}/metadata/" + "k" * 300, None),
        ("delete-order-invalid-utf8", "DELETE", "/v1/orders/%ff", None),
        ("delete-container-invalid-utf8", "DELETE", "/v1/containers/%ff", None),
        ("delete-project-quota-invalid-utf8", "DELETE", "/v1/project-quotas/%ff", None),
        ("put-project-quota-invalid-utf8", "PUT", "/v1/project-quotas/%ff", b'{"project_quotas":{"secrets":1}}'),
        ("put-project-quota-over-limit", "PUT", "/v1/project-quotas/" + "p" * 256, b'{"project_quotas":{"secrets":1}}'),
        ("put-project-quota-nul-like", "PUT", "/v1/project-quotas/%c0%80", b'{"project_quotas":{"secrets":1}}'),
        ("delete-transport-key-invalid-utf8", "DELETE", "/v1/transport_keys/%ff", None),
        ("post-store-preferred-invalid-utf8", "POST", "/v1/secret-stores/%ff/preferred", None),
        ("delete-store-preferred-invalid-utf8", "DELETE", "/v1/secret-stores/%ff/preferred", None),
    ]:
        hdrs = [JSON, SERVICE_ADMIN] if "project-quota" in name or "transport" in name else [JSON]
        add("paths", name, method, path, "204|4xx" if name == "delete-metadatum-long" else "4xx", body=body,
            headers=hdrs)

    add("paths", "nul-in-path", "GET", "/v1/secrets/%00", "400")
    add("paths", "nul-in-metadata-key", "GET", "/v1/secrets/{secret}/metadata/a%00b", "400")
    add("paths", "nul-in-project-quota", "GET", "/v1/project-quotas/a%00b", "400", headers=[SERVICE_ADMIN])
    add("paths", "long-path-7000", "GET", ["/v1/orders/", repeat("a", 7000)], "404")
    add("paths", "long-path-9000", "GET", ["/v1/orders/", repeat("a", 9000)], "414")
    add("paths", "long-project-quota-path", "GET", ["/v1/project-quotas/", repeat("p", 7000)], "4xx",
        headers=[SERVICE_ADMIN])

    add("paths", "many-segments", "GET", ["/v1", repeat("/a", 3000)], "404")
    add("paths", "dot-segments", "GET", "/v1/secrets/../orders", "200|404")
    add("paths", "dot-segments-escape-root", "GET", "/../../../etc/passwd", "4xx")

    # %2F is decoded before the path is split, as in WSGI's PATH_INFO.
    add("paths", "encoded-slash", "GET", "/v1/secrets/{secret}%2Fpayload", "200|404")
    add("paths", "internal-error-page", "GET", "/barbican-nginx-error/400", "404")
    add("paths", "internal-error-page-413", "POST", "/barbican-nginx-error/413", "4xx")

    # Request lines nginx must parse or reject with its JSON 400.
    raw_lines = [
        ("space-in-path", b"GET /v1/sec rets HTTP/1.1"),
        ("tab-in-path", b"GET /v1/secrets\t HTTP/1.1"),
        ("raw-utf8-path", "GET /v1/secrets/\u00e9 HTTP/1.1".encode("utf-8")),
        ("raw-invalid-utf8-path", b"GET /v1/secrets/\xff HTTP/1.1"),
        ("asterisk-form", b"OPTIONS * HTTP/1.1"),
        ("no-leading-slash", b"GET v1/secrets HTTP/1.1"),
        ("fragment", b"GET /v1/secrets#frag HTTP/1.1"),
        ("lower-case-method", b"get /v1/secrets HTTP/1.1"),
        ("bad-version", b"GET /v1/secrets HTTP/1.x"),
        ("http-0.9-like", b"GET /v1/secrets HTTP/0.9"),
        ("empty-line", b""),
        ("control-in-path", b"GET /v1/secrets/\x01 HTTP/1.1"),
        ("method-only", b"GET"),
    ]

    for name, line in raw_lines:
        add("paths", f"request-line.{name}", "RAW", "", "4xx",
            raw=text(line + b"\r\nHost: 127.0.0.1\r\nX-Project-Id: {project}\r\nConnection: close\r\n\r\n"))

    add("paths", "request-line.absolute-form", "RAW", "", "200|4xx",
        raw=text(b"GET http://127.0.0.1/v1 HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Project-Id: {project}\r\n"
                 b"Connection: close\r\n\r\n"))

    add("paths", "request-line.http-1.0-no-host", "RAW", "", "200",
        raw=text(b"GET /v1 HTTP/1.0\r\nX-Project-Id: {project}\r\n\r\n"))

    # nginx responds with 505 to a version it does not speak. The body must still be JSON.
    add("paths", "request-line.http-2", "RAW", "", "400",
        raw=text(b"GET /v1 HTTP/2.0\r\nHost: 127.0.0.1\r\nX-Project-Id: {project}\r\nConnection: close\r\n\r\n"))

    add("paths", "request.header-without-colon", "RAW", "", "400",
        raw=text(b"GET /v1 HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Project-Id {project}\r\nConnection: close\r\n\r\n"))

    add("paths", "request.obsolete-line-folding", "RAW", "", "4xx",
        raw=text(b"GET /v1 HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Project-Id: a\r\n b\r\nConnection: close\r\n\r\n"))

    add("paths", "request.bad-content-length", "RAW", "", "400",
        raw=text(b"POST /v1/secrets HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Project-Id: {project}\r\n"
                 b"Content-Type: application/json\r\nContent-Length: abc\r\nConnection: close\r\n\r\n{}"))

    add("paths", "request.negative-content-length", "RAW", "", "400",
        raw=text(b"POST /v1/secrets HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Project-Id: {project}\r\n"
                 b"Content-Type: application/json\r\nContent-Length: -1\r\nConnection: close\r\n\r\n{}"))

    add("paths", "request.two-content-lengths", "RAW", "", "400",
        raw=text(b"POST /v1/secrets HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Project-Id: {project}\r\n"
                 b"Content-Type: application/json\r\nContent-Length: 2\r\nContent-Length: 3\r\n"
                 b"Connection: close\r\n\r\n{}"))

    add("paths", "request.chunked-json", "RAW", "", "201",
        raw=text(b"POST /v1/secrets HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Project-Id: {project}\r\n"
                 b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                 b'6\r\n{"name\r\n6\r\n":"c"}\r\n0\r\n\r\n'))

    add("paths", "request.bad-chunk-size", "RAW", "", "400",
        raw=text(b"POST /v1/secrets HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Project-Id: {project}\r\n"
                 b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                 b"zz\r\n{}\r\n0\r\n\r\n"))

    add("paths", "request.chunked-over-nginx", "RAW", "", "413",
        raw=[text(b"POST /v1/secrets HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Project-Id: {project}\r\n"
                  b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                  b"11170\r\n"), repeat("a", 70000), text(b"\r\n0\r\n\r\n")])

    add("paths", "request.chunked-and-length", "RAW", "", "2xx|400",
        raw=text(b"POST /v1/secrets HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Project-Id: {project}\r\n"
                 b"Content-Type: application/json\r\nContent-Length: 100\r\nTransfer-Encoding: chunked\r\n"
                 b"Connection: close\r\n\r\n2\r\n{}\r\n0\r\n\r\n"))

    add("paths", "request.unknown-transfer-encoding", "RAW", "", "400",
        raw=text(b"POST /v1/secrets HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Project-Id: {project}\r\n"
                 b"Content-Type: application/json\r\nTransfer-Encoding: gzip\r\nConnection: close\r\n\r\n{}"))


def query_group():
    lists = [("secrets", "/v1/secrets"), ("orders", "/v1/orders"), ("containers", "/v1/containers"),
             ("transport-keys", "/v1/transport_keys"), ("secret-consumers", "/v1/secrets/{secret}/consumers"),
             ("container-consumers", "/v1/containers/{container}/consumers"),
             ("project-quotas", "/v1/project-quotas")]
    paging = [
        "limit=-1", "limit=0", "limit=999999999999999999999", "limit=1e3", "limit=abc", "limit=", "limit=%ff",
        "offset=-5", "offset=99999999999999999999", "offset=9223372036854775807", "offset=1.5", "offset=%zz",
        "limit=9223372036854775807&offset=9223372036854775807", "limit=1&limit=2&limit=3",
        "limit=%2B5", "limit=%205%20", "limit=1_0", "offset=-0", "limit", "=", "==", "&&&", "%", "%%%", "+++",
        "a=1&" * 500 + "b=2",
    ]

    for list_name, path in lists:
        hdrs = [SERVICE_ADMIN] if list_name in ("project-quotas", "transport-keys") else []
        for i, query in enumerate(paging):
            add("query", f"{list_name}.paging-{i:02d}", "GET", f"{path}?{query}", "200", headers=hdrs)
        add("query", f"{list_name}.nul-value", "GET", f"{path}?limit=%00", "400", headers=hdrs)
        add("query", f"{list_name}.nul-name", "GET", f"{path}?a%00=1", "400", headers=hdrs)
    secret_filters = [
        ("name-like", "name=%25", "200"), ("name-underscore", "name=_", "200"), ("name-backslash", "name=%5C", "200"),
        ("name-sql", "name=%27%3B%20DROP%20TABLE%20secrets%3B--", "200"), ("name-invalid-utf8", "name=%ff", "200"),
        ("name-double-encoded", "name=%25ff", "200"), ("name-double-encoded-nul", "name=%2500", "200|400"),
        ("name-long", "name=" + "a" * 6000, "200"), ("name-nul", "name=%00", "400"), ("alg-nul", "alg=a%00", "400"),
        ("alg-invalid-utf8", "alg=%ff%fe", "200"), ("mode-like", "mode=%25%25", "200"),
        ("bits-negative", "bits=-1", "200"), ("bits-huge", "bits=99999999999999999999", "200"),
        ("bits-text", "bits=abc", "200"), ("secret-type-invalid-utf8", "secret_type=%ff", "200"),
        ("acl-only", "acl_only=true", "200"), ("acl-only-invalid-utf8", "acl_only=%ff", "200"),
        ("sort-two-colons", "sort=name:desc:asc", "400"), ("sort-unknown", "sort=foo", "400"),
        ("sort-twice", "sort=name,name", "400"), ("sort-invalid-utf8", "sort=%ff", "400"),
        ("sort-empty", "sort=", "200"), ("sort-colon", "sort=name:", "400"), ("sort-commas", "sort=,,,", "400"),
        ("sort-sql", "sort=name;DROP", "400"), ("sort-all", "sort=" + ",".join(
            ["created", "updated", "expiration", "name", "mode", "algorithm", "bit_length", "secret_type",
             "status"]), "200"),
        ("created-gt-empty", "created=gt:", "400"), ("created-bad-month", "created=gt:2020-13-45", "400"),
        ("created-two-lower", "created=gt:2020-01-01,gte:2021-01-01", "400"),
        ("created-year-99999", "created=99999-01-01", "400"), ("created-hour-25", "created=2020-01-01T25:00", "400"),
        ("updated-feb-30", "updated=2020-02-30", "400"), ("expiration-invalid-utf8", "expiration=lt:%ff", "400"),
        ("expiration-ok", "expiration=gte:2032-01-01T00:00:00,lt:2032-02-01", "200"),
        ("created-many-terms", "created=" + ",".join(["gt:2020-01-01"] * 300), "400"),
        ("created-offset", "created=gt:2020-01-01T00:00:00%2B99:00", "400"),
        ("created-eq-and-gte", "created=2020-01-01,gte:2020-01-01", "400"),
    ]

    for name, query, expect in secret_filters:
        add("query", f"secrets.{name}", "GET", f"/v1/secrets?{query}", expect)

    for name, query in [("name-invalid-utf8", "name=%ff"), ("type-invalid-utf8", "type=%ff"),
                        ("name-like", "name=%25"), ("type-long", "type=" + "t" * 5000)]:
        add("query", f"containers.{name}", "GET", f"/v1/containers?{query}", "200")

    for name, query in [("meta-invalid-utf8", "meta=%ff"), ("meta-like", "meta=%25"), ("meta-json", "meta=%7B%7D")]:
        add("query", f"orders.{name}", "GET", f"/v1/orders?{query}", "200")

    add("query", "transport-keys.plugin-invalid-utf8", "GET", "/v1/transport_keys?plugin_name=%ff", "200")
    add("query", "query-8k", "GET", ["/v1/secrets?name=", repeat("a", 9000)], "414")
    add("query", "secret-get-transport-key-needed", "GET", "/v1/secrets/{secret}?transport_key_needed=%ff", "200")
    add("query", "payload-put-transport-key-id", "PUT", "/v1/secrets/{new_bare_secret}?transport_key_id=%ff",
        "400", headers=[["Content-Type", "text/plain"]], body=b"payload")

    add("query", "payload-get-wrapped-key", "GET",
        "/v1/secrets/{secret}/payload?trans_wrapped_session_key=%ff", "200|4xx")

    for value, expect in [("maybe", "400"), ("%ff", "400"), ("", "400"), ("true", "204"), ("TRUE", "204"),
                          ("true&force=false", "2xx|400"), ("%00", "400")]:
        add("query", f"delete-force.{value.replace('%', 'pct')}", "DELETE",
            "/v1/secrets/{new_consumed_secret}?force=" + value, expect,
            headers=[["OpenStack-API-Version", "key-manager 1.2"]])


METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "PROPFIND", "COPY", "FOO"]


def methods_group():
    for name, path, allowed in ROUTES:
        for method in METHODS:
            if method in allowed:
                continue
            body = b"{}" if method in ("POST", "PUT", "PATCH") else None
            # With multiple backends off, every secret-stores path below an id is 404.
            expect = "404|405" if path.startswith("/v1/secret-stores/") else "405"
            add("methods", f"{name}.{method.lower()}", method, path, expect, body=body, headers=[JSON])
        # OPTIONS: upstream Barbican responds with 200, so either is accepted.
        add("methods", f"{name}.options", "OPTIONS", path, "2xx|405")

    add("methods", "orders.put-body", "PUT", "/v1/orders", "405", headers=[JSON], body=b'{"type":"key"}')
    add("methods", "store-subpath.get", "GET", "/v1/secret-stores/{uuid}/other", "4xx")
    add("methods", "long-method", "A" * 2000, "/v1/secrets", "4xx")
    add("methods", "connect", "CONNECT", "/v1/secrets", "4xx")
    add("methods", "trace", "TRACE", "/v1/secrets", "405")


def sizes_group():
    for name, ctype in [("octet", "application/octet-stream"), ("text", "text/plain")]:
        add("sizes", f"payload-put-{name}.at-limit", "PUT", "/v1/secrets/{new_bare_secret}", "204",
            headers=[["Content-Type", ctype]], body=[repeat("a", MAX_SECRET)])
        add("sizes", f"payload-put-{name}.over-limit", "PUT", "/v1/secrets/{new_bare_secret}", "413",
            headers=[["Content-Type", ctype]], body=[repeat("a", MAX_SECRET + 1)])
        add("sizes", f"payload-put-{name}.over-json-limit", "PUT", "/v1/secrets/{new_bare_secret}", "413",
            headers=[["Content-Type", ctype]], body=[repeat("a", MAX_JSON_BODY + 1)])
        add("sizes", f"payload-put-{name}.over-nginx", "PUT", "/v1/secrets/{new_bare_secret}", "413",
            headers=[["Content-Type", ctype]], body=[repeat("a", OVER_NGINX)])
        add("sizes", f"payload-put-{name}.empty", "PUT", "/v1/secrets/{new_bare_secret}", "400",
            headers=[["Content-Type", ctype]], body=b"")

    add("sizes", "payload-put-base64.over-limit", "PUT", "/v1/secrets/{new_bare_secret}", "413",
        headers=[["Content-Type", "application/octet-stream"], ["Content-Encoding", "base64"]],
        body=[repeat("QUJD", MAX_SECRET // 4 + 1)])

    add("sizes", "payload-put.second", "PUT", "/v1/secrets/{secret}", "409",
        headers=[["Content-Type", "text/plain"]], body=b"again")

    add("sizes", "payload-put.second-over-limit", "PUT", "/v1/secrets/{secret}", "413",
        headers=[["Content-Type", "text/plain"]], body=[repeat("a", MAX_SECRET + 1)])

    add("sizes", "json-get-with-huge-body", "GET", "/v1/secrets", "2xx|413", body=[repeat("a", OVER_NGINX)])
    add("sizes", "delete-with-huge-body", "DELETE", "/v1/secrets/{uuid}", "4xx", body=[repeat("a", OVER_NGINX)])
    add("sizes", "content-length-zero-post", "POST", "/v1/secrets", "400", headers=[JSON], body=b"")
    add("sizes", "no-content-length-post", "POST", "/v1/secrets", "4xx", headers=[JSON], content_length=False)

    # Many small items within the JSON limit.
    users = b",".join(b'"user-%05d"' % i for i in range(1800))
    add("sizes", "acl-many-users", "PUT", "/v1/secrets/{secret}/acl", "200", headers=[JSON],
        body=b'{"read":{"users":[' + users + b"]}}")
    metadata = b",".join(b'"k%04d":"v"' % i for i in range(2000))
    add("sizes", "metadata-many-keys", "PUT", "/v1/secrets/{secret}/metadata", "201", headers=[JSON],
        body=b'{"metadata":{' + metadata + b"}}")
    refs = b",".join(b'{"name":"n%04d","secret_ref":"{base}/v1/secrets/{secret}"}' % i for i in range(150))
    add("sizes", "container-many-links-same-secret", "POST", "/v1/containers", "400", headers=[JSON],
        body=b'{"type":"generic","secret_refs":[' + refs + b"]}")

    add("sizes", "container-unknown-secret", "POST", "/v1/containers", "404", headers=[JSON],
        body=b'{"type":"generic","secret_refs":[{"name":"a","secret_ref":"{base}/v1/secrets/{uuid}"}]}')


def main():
    json_group()
    strings_group()
    numbers_group()
    headers_group()
    paths_group()
    query_group()
    methods_group()
    sizes_group()
    ids = [case["id"] for case in cases]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        sys.exit("duplicate case ids: " + ", ".join(duplicates))
    with open(os.path.join(HERE, "cases.jsonl"), "w", encoding="ascii") as out:
        for case in cases:
            out.write(json.dumps(case, ensure_ascii=True, separators=(",", ":")) + "\n")
    print(f"{len(cases)} cases written to tests/hostile/cases.jsonl")


if __name__ == "__main__":
    main()
