#!/usr/bin/env python3
"""Creates one real resource of each kind on the server under fuzzing and prints schemathesis
settings that offer their ids, slugs and secrets to the fuzzer beside the values it makes up.

Without them, every `{id}` the fuzzer invents is unknown, so operations on articles, revisions,
preview links and webhook deliveries answer 404 before reaching their logic, and `If-Match`
is never current, so edits and workflow actions stop at 412. With them, about half of the
generated requests name something that exists and carry `If-Match: *`.

Usage: fuzz-fixtures.py BASE_URL ADMIN_TOKEN  (standard library only; prints TOML)
"""

import json
import struct
import sys
import urllib.error
import urllib.request
import uuid
import zlib

if len(sys.argv) != 3:
    sys.exit("usage: fuzz-fixtures.py BASE_URL ADMIN_TOKEN")
BASE, TOKEN = sys.argv[1], sys.argv[2]


def call(method, path, body=None, content_type="application/json", headers=None):
    data = None
    if body is not None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
    request = urllib.request.Request(BASE + path, data=data, method=method)
    request.add_header("Authorization", f"Bearer {TOKEN}")
    if data is not None:
        request.add_header("Content-Type", content_type)
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            text = response.read()
    except urllib.error.HTTPError as error:
        sys.exit(f"fixtures: {method} {path} answered {error.code}: {error.read().decode()}")
    return json.loads(text) if text else None


def png(width, height):
    """A valid RGB PNG, so the upload is a real image."""

    def chunk(kind, payload):
        return (
            struct.pack(">I", len(payload))
            + kind
            + payload
            + struct.pack(">I", zlib.crc32(kind + payload) & 0xFFFFFFFF)
        )

    rows = b"".join(b"\x00" + bytes([40, 90, 160]) * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def upload():
    boundary = uuid.uuid4().hex
    body = (
        f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
        f"filename=\"fuzz.png\"\r\nContent-Type: image/png\r\n\r\n"
    ).encode() + png(16, 12) + f"\r\n--{boundary}--\r\n".encode()
    return call("POST", "/api/v1/images", body, f"multipart/form-data; boundary={boundary}")


def act(article, action):
    return call("POST", f"/api/v1/articles/{article}/{action}", headers={"If-Match": "*"})


section = call("POST", "/api/v1/sections", {"name": "Fuzz desk"})
author = call("POST", "/api/v1/authors", {"name": "Fuzz Author"})
image = upload()
embed = call("POST", "/api/v1/embeds", {"kind": "external", "url": "https://youtu.be/dQw4w9WgXcQ"})
webhook = call(
    "POST",
    "/api/v1/webhooks",
    {"url": "http://127.0.0.1:9/fuzz", "events": ["article.published", "article.unpublished"]},
)
body = [{"type": "paragraph", "text": "Fuzzing keeps the contract honest."}]
live = call(
    "POST",
    "/api/v1/articles",
    {
        "headline": "Fuzz live story",
        "section_id": section["id"],
        "author_ids": [author["id"]],
        "featured_image": {"image_id": image["id"]},
        "tags": ["fuzz"],
        "body": body,
    },
)
act(live["id"], "publish")
act(live["id"], "publish")
# Several of each state: the fuzzer deletes, archives and unpublishes what it is given.
drafts = [
    call("POST", "/api/v1/articles", {"headline": f"Fuzz draft {n}", "body": body})["id"]
    for n in range(3)
]
reviews = []
for n in range(2):
    article = call("POST", "/api/v1/articles", {"headline": f"Fuzz in review {n}", "body": body})
    act(article["id"], "submit")
    reviews.append(article["id"])
lives = [live["id"]]
article = call("POST", "/api/v1/articles", {"headline": "Fuzz second live story", "body": body})
act(article["id"], "publish")
lives.append(article["id"])
link = call("POST", f"/api/v1/articles/{drafts[0]}/preview-links", {})
deliveries = call("GET", f"/api/v1/webhooks/{webhook['id']}/deliveries")
if not deliveries["items"]:
    sys.exit("publishing made no webhook delivery")

values = {
    "ids": drafts
    + reviews
    + lives
    + [section["id"], author["id"], image["id"], embed["id"], webhook["id"]],
    "delivery-ids": [deliveries["items"][0]["id"]],
    "link-ids": [link["id"]],
    "slugs": [live["slug"], author["slug"], section["slug"]],
    "preview-tokens": [link["token"]],
    "revisions": [1, 2],
    "if-match": ["*"],
}
bindings = {
    "path.id": "ids",
    "path.delivery_id": "delivery-ids",
    "path.link": "link-ids",
    "path.slug": "slugs",
    "path.token": "preview-tokens",
    "path.n": "revisions",
    "query.from": "revisions",
    "query.to": "revisions",
    "header.If-Match": "if-match",
}
print("\n# Generated by .ci/fuzz-fixtures.py: real resources offered to the fuzzer.")
for name, entries in values.items():
    print(f"[dictionaries.{name}]\nvalues = {json.dumps(entries)}")
print("[parameters]")
for key, name in bindings.items():
    print(f'"{key}" = {{ dictionary = "{name}", probability = 0.5 }}')
