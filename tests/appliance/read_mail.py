#!/usr/bin/python3
"""Decodes one RFC 5322 mail with Python's email package (a reader Inkan did not
write) and prints JSON: from, to, subject (RFC 2047 decoded), content type, the
signed part's text body and its attachments (hex). Given a folder (a Maildir's
new/), every mail in it: one JSON object a line, by file name."""
import email
import email.policy
import json
import os
import sys


def decoded(path):
    with open(path, "rb") as f:
        message = email.message_from_binary_file(f, policy=email.policy.default)

    out = {
        "from": str(message["From"]),
        "to": str(message["To"]),
        "subject": str(message["Subject"]),
        "content_type": message.get_content_type(),
        "protocol": message.get_param("protocol"),
        "micalg": message.get_param("micalg"),
        "body": None,
        "attachments": [],
        "signature_type": None,
    }
    for part in message.walk():
        if part.is_multipart():
            continue
        ctype = part.get_content_type()
        if ctype in ("application/pkcs7-signature", "application/x-pkcs7-signature"):
            out["signature_type"] = ctype
        elif part.get_filename():
            out["attachments"].append({
                "name": part.get_filename(),
                "content_type": ctype,
                "hex": part.get_payload(decode=True).hex(),
            })
        elif ctype == "text/plain" and out["body"] is None:
            out["body"] = part.get_content().replace("\r\n", "\n")  # CRLF on the wire
    return out


if os.path.isdir(sys.argv[1]):
    for name in sorted(os.listdir(sys.argv[1])):
        print(json.dumps(decoded(os.path.join(sys.argv[1], name)), ensure_ascii=False))
else:
    print(json.dumps(decoded(sys.argv[1]), ensure_ascii=False))
