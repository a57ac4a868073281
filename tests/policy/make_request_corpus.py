#!/usr/bin/env python3
"""Writes the request-file corpus under tests/data/requests/ (run from anywhere).

Each case is a small file of good rows with at most one bad spot; `expected.tsv`
lists file, action, the one expected finding code, line and column ("-" for a
valid file). Every file exists as <name>.utf8.tsv (LF) and <name>.sjis.tsv
(CP932 via `iconv -f UTF-8 -t CP932`, CRLF). The test institution and WHOIS
answers they assume are in tests/policy/policy_world.cpp.
"""
import os
import subprocess

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "requests")

DN = "CN=Taro Yamada,OU={ou},O=Example University,L=Chiyoda-ku,ST=Tokyo,C=JP"


def issue(ou="1001", **over):
    cols = [""] * 15
    cols[0] = DN.format(ou=ou)
    cols[1] = "5"
    cols[2] = "1"
    cols[7] = "山田 太郎"
    cols[8] = "情報基盤センター"
    cols[9] = "admin@example.ac.jp"
    cols[10] = "山田 太郎"
    cols[11] = "NIIcert20240401-120000"
    cols[12] = "工学部"
    cols[13] = "taro@example.ac.jp"
    for k, v in over.items():
        cols[int(k[1:]) - 1] = v
    return cols


def renew(ou="1001", serial="123456789", **over):
    cols = issue(ou, **over)
    if "c4" not in over:
        cols[3] = serial
    return cols


def revoke(ou="1001", serial="123456789", reason="5", **over):
    cols = [""] * 15
    cols[0] = DN.format(ou=ou)
    cols[3] = serial
    cols[4] = reason
    cols[9] = "admin@example.ac.jp"
    cols[13] = "taro@example.ac.jp"
    for k, v in over.items():
        cols[int(k[1:]) - 1] = v
    return cols


def rows3(make, bad, **kw):
    """Good row (line 1), the bad row (line 2), good row (line 3)."""
    return [make("1001", **kw.get("good", {})), bad, make("1003", **kw.get("good", {}))]


LONG_OUS = ",".join("OU=" + "U" * 60 for _ in range(4))
CASES = []  # (name, action, rows-or-raw, code, line, column)


def case(name, action, rows, code="-", line=0, column=0):
    CASES.append((name, action, rows, code, line, column))


# Valid files.
case("issue_valid", "issue", [issue("1001"), issue("1002"), issue("1003", c15="Pin-12345678")])
case("issue_valid_host_cn", "issue", [issue("1001", c1="CN=www.example.ac.jp,O=Example University,L=Chiyoda-ku,ST=Tokyo,C=JP")])
case("issue_valid_comma_cn", "issue", [issue(c1="CN=Yamada, Taro (Dr.),OU=1001,OU=Eng,O=Example University,L=Chiyoda-ku,ST=Tokyo,C=JP")])
case("renew_valid", "renew", [renew("1001", "1001"), renew("1002", "1002")])
case("revoke_valid", "revoke", [revoke("1001", "1001", "1"), revoke("1002", "1002", "0", c6="退職のため"),
                                revoke("1003", "1003", "3"), revoke("1004", "1004", "4"), revoke("1005", "1005", "5")])

# Subject DN rules (column 1).
case("dn_required", "issue", rows3(issue, issue(c1="")), "dn_required", 2, 1)
case("dn_too_long", "issue", rows3(issue, issue(c1="CN=Taro Yamada," + LONG_OUS + ",O=Example University,L=Chiyoda-ku,ST=Tokyo,C=JP")), "dn_too_long", 2, 1)
case("dn_syntax", "issue", rows3(issue, issue(c1="cn=Taro Yamada,OU=1002,O=Example University,L=Chiyoda-ku,ST=Tokyo,C=JP")), "dn_syntax", 2, 1)
case("dn_syntax_empty_value", "issue", rows3(issue, issue(c1="CN=Taro Yamada,OU=,O=Example University,L=Chiyoda-ku,ST=Tokyo,C=JP")), "dn_syntax", 2, 1)
case("dn_order", "issue", rows3(issue, issue(c1="CN=Taro Yamada,O=Example University,OU=1002,L=Chiyoda-ku,ST=Tokyo,C=JP")), "dn_order", 2, 1)
case("dn_order_st_before_l", "issue", rows3(issue, issue(c1="CN=Taro Yamada,OU=1002,O=Example University,ST=Tokyo,L=Chiyoda-ku,C=JP")), "dn_order", 2, 1)
case("dn_missing_o", "issue", rows3(issue, issue(c1="CN=Taro Yamada,OU=1002,L=Chiyoda-ku,ST=Tokyo,C=JP")), "dn_attribute_missing", 2, 1)
case("dn_chars_cn", "issue", rows3(issue, issue(c1="CN=Taro#Yamada,OU=1002,O=Example University,L=Chiyoda-ku,ST=Tokyo,C=JP")), "dn_chars", 2, 1)
case("dn_chars_cn_japanese", "issue", rows3(issue, issue(c1="CN=山田太郎,OU=1002,O=Example University,L=Chiyoda-ku,ST=Tokyo,C=JP")), "dn_chars", 2, 1)
case("dn_chars_ou_underscore", "issue", rows3(issue, issue(c1="CN=Taro Yamada,OU=10_02,O=Example University,L=Chiyoda-ku,ST=Tokyo,C=JP")), "dn_chars", 2, 1)
case("dn_chars_o_at", "issue", rows3(issue, issue(c1="CN=Taro Yamada,OU=1002,O=Example@University,L=Chiyoda-ku,ST=Tokyo,C=JP")), "dn_chars", 2, 1)
case("dn_cn_too_long", "issue", rows3(issue, issue(c1="CN=" + "T" * 65 + ",OU=1002,O=Example University,L=Chiyoda-ku,ST=Tokyo,C=JP")), "dn_attribute_too_long", 2, 1)
case("dn_o_too_long", "issue", rows3(issue, issue(c1="CN=Taro Yamada,OU=1002,O=" + "E" * 65 + ",L=Chiyoda-ku,ST=Tokyo,C=JP")), "dn_attribute_too_long", 2, 1)
case("dn_country", "issue", rows3(issue, issue(c1="CN=Taro Yamada,OU=1002,O=Example University,L=Chiyoda-ku,ST=Tokyo,C=US")), "dn_country", 2, 1)
case("dn_locality_academe", "issue", rows3(issue, issue(c1="CN=Taro Yamada,OU=1002,O=Example University,L=Academe,ST=Tokyo,C=JP")), "dn_locality_forbidden", 2, 1)
case("dn_locality_default", "issue", rows3(issue, issue(c1="CN=Taro Yamada,OU=1002,O=Example University,L=Default City,ST=Tokyo,C=JP")), "dn_locality_forbidden", 2, 1)
case("dn_locality_city", "issue", rows3(issue, issue(c1="CN=Taro Yamada,OU=1002,O=Example University,L=City,ST=Tokyo,C=JP")), "dn_locality_forbidden", 2, 1)
case("dn_st_l_missing", "issue", rows3(issue, issue(c1="CN=Taro Yamada,OU=1002,O=Example University,C=JP")), "dn_st_l_missing", 2, 1)
case("dn_duplicate_in_file", "issue", [issue("1001"), issue("1002"), issue("1001")], "dn_duplicate", 3, 1)
case("dn_duplicate_existing", "issue", rows3(issue, issue("9999")), "dn_duplicate", 2, 1)

# Other columns.
case("profile_required", "issue", rows3(issue, issue("1002", c2="")), "field_required", 2, 2)
case("profile_unknown", "issue", rows3(issue, issue("1002", c2="99")), "profile_unknown", 2, 2)
case("profile_retired", "issue", rows3(issue, issue("1002", c2="4")), "profile_disabled", 2, 2)
case("download_type_required", "issue", rows3(issue, issue("1002", c3="")), "field_required", 2, 3)
case("download_type_invalid", "issue", rows3(issue, issue("1002", c3="4")), "download_type_invalid", 2, 3)
case("download_type_mixed", "issue", rows3(issue, issue("1002", c3="2")), "download_type_mixed", 0, 3)
case("issue_column4_set", "issue", rows3(issue, issue("1002", c4="123")), "field_must_be_empty", 2, 4)
case("issue_column7_set", "issue", rows3(issue, issue("1002", c7="x")), "field_must_be_empty", 2, 7)
case("admin_name_required", "issue", rows3(issue, issue("1002", c8="")), "field_required", 2, 8)
case("admin_name_too_long", "issue", rows3(issue, issue("1002", c8="山" * 65)), "field_too_long", 2, 8)
case("admin_mail_required", "issue", rows3(issue, issue("1002", c10="")), "field_required", 2, 10)
case("admin_mail_invalid", "issue", rows3(issue, issue("1002", c10="admin@@example.ac.jp")), "mail_invalid", 2, 10)
case("file_name_invalid", "issue", rows3(issue, issue("1002", c12="../cert")), "file_name_invalid", 2, 12)
case("user_mail_invalid", "issue", rows3(issue, issue("1002", c14="taro@localhost")), "mail_invalid", 2, 14)
case("browser_user_mail_required", "issue", rows3(issue, issue("1002", c3="3", c14=""), good={"c3": "3"}), "field_required", 2, 14)
case("pin_invalid", "issue", rows3(issue, issue("1002", c15="short")), "pin_invalid", 2, 15)
case("column_count_14", "issue", rows3(issue, issue("1002")[:14]), "column_count", 2, 0)
case("column_count_17", "issue", rows3(issue, issue("1002") + ["", ""]), "column_count", 2, 0)

# Renew.
case("renew_serial_required", "renew", [renew("1001", "1001"), renew("1002", "")], "field_required", 2, 4)
case("renew_serial_zero", "renew", [renew("1001", "1001"), renew("1002", "0")], "serial_invalid", 2, 4)
case("renew_serial_not_decimal", "renew", [renew("1001", "1001"), renew("1002", "0x1F")], "serial_invalid", 2, 4)
case("renew_serial_over_160_bits", "renew", [renew("1001", "1001"), renew("1002", str(2 ** 160))], "serial_invalid", 2, 4)
case("renew_serial_duplicate", "renew", [renew("1001", "1001"), renew("1002", "1001")], "serial_duplicate", 2, 4)
case("renew_column5_set", "renew", [renew("1001", "1001"), renew("1002", "1002", c5="1")], "field_must_be_empty", 2, 5)

# Revoke.
case("revoke_reason_required", "revoke", [revoke("1001", "1001"), revoke("1002", "1002", "")], "field_required", 2, 5)
for bad in ["2", "6", "8", "9", "10", "x"]:
    case("revoke_reason_" + bad, "revoke", [revoke("1001", "1001"), revoke("1002", "1002", bad)], "revocation_reason_invalid", 2, 5)
case("revoke_comment_required", "revoke", [revoke("1001", "1001"), revoke("1002", "1002", "0")], "revocation_comment_required", 2, 6)
case("revoke_serial_invalid", "revoke", [revoke("1001", "1001"), revoke("1002", "-7")], "serial_invalid", 2, 4)
case("revoke_column2_set", "revoke", [revoke("1001", "1001"), revoke("1002", "1002", c2="5")], "field_must_be_empty", 2, 2)
case("revoke_mail_invalid", "revoke", [revoke("1001", "1001"), revoke("1002", "1002", c14="taro example.ac.jp")], "mail_invalid", 2, 14)

# Institution rules (the manual's six messages and two of Inkan's own).
case("domain_not_approved", "issue", rows3(issue, issue("1002", c10="admin@other.ac.jp")), "domain_not_approved", 2, 10)
case("domain_not_approved_host_cn", "issue", rows3(issue, issue(c1="CN=www.other.ac.jp,O=Example University,L=Chiyoda-ku,ST=Tokyo,C=JP")), "domain_not_approved", 2, 1)
case("approval_expired", "issue", rows3(issue, issue(c1="CN=taro@old.ac.jp,O=Example University,L=Chiyoda-ku,ST=Tokyo,C=JP")), "approval_expired", 2, 1)
case("whois_connection_failed", "issue", rows3(issue, issue(c1="CN=host.down.ac.jp,O=Example University,L=Chiyoda-ku,ST=Tokyo,C=JP")), "whois_connection_failed", 2, 1)
case("whois_mismatch", "issue", rows3(issue, issue("1002", c10="admin@mismatch.ac.jp")), "whois_mismatch", 2, 10)
case("locality_mismatch", "issue", rows3(issue, issue(c1="CN=Taro Yamada,OU=1002,O=Example University,L=Minato-ku,ST=Tokyo,C=JP")), "locality_mismatch", 2, 1)
case("state_mismatch", "issue", rows3(issue, issue(c1="CN=Taro Yamada,OU=1002,O=Example University,L=Chiyoda-ku,ST=Osaka,C=JP")), "state_mismatch", 2, 1)
case("institution_unknown", "issue", rows3(issue, issue(c1="CN=Taro Yamada,OU=1002,O=Unknown College,L=Chiyoda-ku,ST=Tokyo,C=JP")), "institution_unknown", 2, 1)
case("profile_not_enabled_for_institution", "issue", rows3(issue, issue("1002", c2="16")), "profile_not_enabled_for_institution", 2, 2)
case("renew_state_mismatch", "renew", [renew("1001", "1001"), renew("1002", "1002", c1="CN=Taro Yamada,OU=1002,O=Example University,L=Chiyoda-ku,ST=Osaka,C=JP")], "state_mismatch", 2, 1)


def main():
    os.makedirs(OUT, exist_ok=True)
    manifest = ["# file\taction\tcode\tline\tcolumn  (generated by tests/policy/make_request_corpus.py)"]
    for name, action, rows, code, line, column in CASES:
        text = "\n".join("\t".join(r) for r in rows) + "\n"
        utf8 = os.path.join(OUT, name + ".utf8.tsv")
        with open(utf8, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        sjis = subprocess.run(["iconv", "-f", "UTF-8", "-t", "CP932"], input=text.replace("\n", "\r\n").encode(),
                              check=True, capture_output=True).stdout
        with open(os.path.join(OUT, name + ".sjis.tsv"), "wb") as f:
            f.write(sjis)
        manifest.append("\t".join([name, action, code, str(line), str(column)]))
    with open(os.path.join(OUT, "expected.tsv"), "w", encoding="utf-8") as f:
        f.write("\n".join(manifest) + "\n")


if __name__ == "__main__":
    main()
