// Signed notification mails: composed with the appliance's mail signing key (in
// SoftHSM), verified by third-party tools: `openssl smime -verify` and Python's
// email package (/usr/bin/python3: Debian's, not a pyenv one).
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "common/error.h"
#include "mail/message.h"
#include "pki/encoding.h"
#include "pki/software_signer.h"
#include "tests/appliance/appliance_fixture.h"
#include "tests/support/run.h"

using namespace inkan;
using nlohmann::json;

namespace {

const std::string kSubject = "【Inkan】証明書の発行が完了しました / Certificate issued";
const std::string kBody =
    "証明書の発行が完了しました。\n添付のファイルをご確認ください。\n\n"
    "The certificate has been issued.\nPlease see the attached file.\n";
// "氏名\tメール\r\n山田 太郎\tyamada@example.ac.jp\r\n" in Shift_JIS (iconv).
const std::string kShiftJisTsv(
    "\x8e\x81\x96\xbc\x09\x83\x81\x81\x5b\x83\x8b\x0d\x0a\x8e\x52\x93\x63\x20\x91\xbe\x98\x59"
    "\x09yamada@example.ac.jp\x0d\x0a");

mail::OutgoingMail sample_mail(const std::string& from) {
    mail::OutgoingMail m;
    m.from = from;
    m.to = {"ra-operator@example.ac.jp", "admin@example.ac.jp"};
    m.subject = kSubject;
    m.body = kBody;
    m.attachments = {
        {"revocation-request.tsv", "text/tab-separated-values; charset=Shift_JIS", kShiftJisTsv}};
    return m;
}

void write_file(const std::filesystem::path& p, const std::string& content) {
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out << content;
}

test::RunResult openssl_verify(const test::ApplianceFixture& f, const std::string& message) {
    auto eml = f.dir() / "msg.eml";
    write_file(eml, message);
    return test::run("openssl smime -verify -CAfile " +
                     test::shell_quote(f.config().ca_certificate_path().string()) + " -in " +
                     test::shell_quote(eml.string()) + " -out /dev/null 2>&1");
}

// What Debian's Python email package reads from the message.
json python_reading(const test::ApplianceFixture& f, const std::string& message) {
    auto eml = f.dir() / "py.eml";
    auto script = f.dir() / "read_mail.py";
    write_file(eml, message);
    write_file(script, R"py(
import email, email.policy, json, sys
with open(sys.argv[1], 'rb') as f:
    msg = email.message_from_binary_file(f, policy=email.policy.default)
out = {'subject': str(msg['subject']), 'content_type': msg.get_content_type(),
       'protocol': msg.get_param('protocol'), 'micalg': msg.get_param('micalg'),
       'from': str(msg['from']), 'to': str(msg['to']),
       'date': str(msg['date']), 'message_id': str(msg['message-id']), 'attachments': []}
for part in msg.walk():
    if part.get_content_type() == 'text/plain' and part.get_filename() is None:
        out['body'] = part.get_content()
        out['body_charset'] = part.get_content_charset()
    elif part.get_filename():
        out['attachments'].append({'name': part.get_filename(),
                                   'type': part.get_content_type(),
                                   'hex': part.get_payload(decode=True).hex()})
print(json.dumps(out))
)py");
    auto r = test::run("/usr/bin/python3 " + test::shell_quote(script.string()) + " " +
                       test::shell_quote(eml.string()));
    EXPECT_EQ(r.exit_code, 0) << r.output;
    return json::parse(r.output);
}

std::string crlf_to_lf(std::string s) {
    std::string out;
    for (char c : s)
        if (c != '\r') out += c;
    return out;
}

bool only_crlf_line_ends(const std::string& s) {
    for (size_t i = 0; i < s.size(); ++i)
        if (s[i] == '\n' && (i == 0 || s[i - 1] != '\r')) return false;
    return true;
}

}  // namespace

TEST(SmimeMail, JapaneseMailWithShiftJisAttachmentVerifiesAndDecodes) {
    test::ApplianceFixture f;
    auto& signer = f.services().mail_signer();
    EXPECT_EQ(signer.address(), "inkan@localhost.localdomain");
    std::string message =
        mail::compose_signed(sample_mail("Inkan CA <inkan@localhost.localdomain>"), signer);

    EXPECT_TRUE(only_crlf_line_ends(message));
    auto verified = openssl_verify(f, message);
    EXPECT_EQ(verified.exit_code, 0) << verified.output;
    EXPECT_NE(verified.output.find("Verification successful"), std::string::npos)
        << verified.output;

    json read = python_reading(f, message);
    EXPECT_EQ(read["subject"], kSubject);
    EXPECT_EQ(read["content_type"], "multipart/signed");
    EXPECT_EQ(read["protocol"], "application/pkcs7-signature");
    EXPECT_EQ(read["micalg"], "sha-256");
    EXPECT_EQ(read["from"], "Inkan CA <inkan@localhost.localdomain>");
    EXPECT_EQ(read["to"], "ra-operator@example.ac.jp, admin@example.ac.jp");
    EXPECT_FALSE(read["date"].get<std::string>().empty());
    EXPECT_NE(read["message_id"].get<std::string>().find("@localhost.localdomain>"),
              std::string::npos);
    EXPECT_EQ(crlf_to_lf(read["body"].get<std::string>()), kBody);
    EXPECT_EQ(read["body_charset"], "utf-8");
    ASSERT_EQ(read["attachments"].size(), 2u) << read.dump();  // the TSV and smime.p7s
    EXPECT_EQ(read["attachments"][0]["name"], "revocation-request.tsv");
    EXPECT_EQ(read["attachments"][0]["type"], "text/tab-separated-values");
    EXPECT_EQ(read["attachments"][0]["hex"], hex_encode(as_bytes(kShiftJisTsv)));
    EXPECT_EQ(read["attachments"][1]["name"], "smime.p7s");
    EXPECT_EQ(read["attachments"][1]["type"], "application/pkcs7-signature");
    // The subject is RFC 2047-encoded UTF-8, not raw 8-bit.
    std::string headers = message.substr(0, message.find("\r\n\r\n"));
    std::string lower = headers;
    for (char& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    EXPECT_NE(lower.find("subject: =?utf-8?b?"), std::string::npos) << headers;
    for (size_t i = 0; i < message.size(); ++i)
        ASSERT_LT(static_cast<unsigned char>(message[i]), 0x80) << "8-bit byte at " << i;
}

TEST(SmimeMail, PlainTextMailHasGivenMessageIdAndVerifies) {
    test::ApplianceFixture f;
    mail::OutgoingMail m;
    m.to = {"user@example.ac.jp"};
    m.subject = "PIN のお知らせ";
    m.body = "本文\r\nbody\r\n";
    m.message_id = "<batch-42.row-1@localhost.localdomain>";
    std::string message = mail::compose_signed(m, f.services().mail_signer());
    auto verified = openssl_verify(f, message);
    EXPECT_EQ(verified.exit_code, 0) << verified.output;
    json read = python_reading(f, message);
    EXPECT_EQ(read["message_id"], "<batch-42.row-1@localhost.localdomain>");
    EXPECT_EQ(read["from"], "inkan@localhost.localdomain");
    EXPECT_EQ(read["body"], "本文\r\nbody\r\n");
    EXPECT_EQ(read["attachments"].size(), 1u);  // smime.p7s only
}

TEST(SmimeMail, OneTamperedBodyByteFailsVerification) {
    test::ApplianceFixture f;
    std::string message = mail::compose_signed(sample_mail(""), f.services().mail_signer());
    ASSERT_EQ(openssl_verify(f, message).exit_code, 0);
    // The first base64 body is the text part's: change one of its characters.
    const std::string marker = "Content-Transfer-Encoding: base64\r\n\r\n";
    auto at = message.find(marker);
    ASSERT_NE(at, std::string::npos);
    char& c = message[at + marker.size() + 4];
    c = c == 'A' ? 'B' : 'A';
    auto verified = openssl_verify(f, message);
    EXPECT_NE(verified.exit_code, 0) << verified.output;
}

TEST(SmimeMail, RsaSignerKeyVerifies) {
    test::ApplianceFixture f;
    auto rsa = pki::SoftwareSigner::generate(pki::KeyType::Rsa2048);
    ca::IssueSpec spec;
    spec.subject = {{"C", "JP"}, {"O", "Inkan"}, {"CN", "Inkan notifications (RSA)"}};
    spec.subject_public_key = rsa.public_key();
    spec.profile = *pki::find_profile(pki::default_profiles(), 16);
    spec.kind = store::CertificateKind::MailSigner;
    spec.requested_by = "test";
    spec.email_addresses = {"notify@example.ac.jp"};
    auto issued = f.services().authority->issue(spec);
    std::vector<X509Ptr> chain;
    chain.emplace_back(X509_dup(f.services().ca_certificate.get()));
    mail::MailSigner signer(rsa, std::move(issued.certificate), std::move(chain));
    std::string message = mail::compose_signed(sample_mail("notify@example.ac.jp"), signer);
    auto verified = openssl_verify(f, message);
    EXPECT_EQ(verified.exit_code, 0) << verified.output;
    EXPECT_EQ(python_reading(f, message)["subject"], kSubject);
}

TEST(SmimeMail, FromOtherThanTheCertificateAddressIsRefused) {
    test::ApplianceFixture f;
    try {
        mail::compose_signed(sample_mail("someone@example.ac.jp"), f.services().mail_signer());
        ADD_FAILURE() << "a From the certificate does not name must be refused";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), "mail_from_mismatch");
    }
    auto no_recipient = sample_mail("");
    no_recipient.to.clear();
    EXPECT_THROW(mail::compose_signed(no_recipient, f.services().mail_signer()), Error);
    auto injected = sample_mail("");
    injected.subject = "PIN\r\nBcc: everyone@example.ac.jp";
    try {
        mail::compose_signed(injected, f.services().mail_signer());
        ADD_FAILURE() << "a subject with a line break must be refused";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), "mail_subject_invalid");
    }
}

TEST(SmimeMail, MissingCertificateIsIssuedAgainForTheSameHsmKey) {
    test::ApplianceFixture f;
    auto& services = f.services();
    std::string key_id = services.config.hsm.mail_key_id;
    ASSERT_FALSE(key_id.empty());
    std::filesystem::remove(services.config.mail_signer_certificate_path());
    services.mail.reset();
    EXPECT_FALSE(appliance::load_mail_signer(services));
    appliance::ensure_mail_signer(services);
    EXPECT_EQ(services.config.hsm.mail_key_id, key_id);
    EXPECT_TRUE(std::filesystem::exists(services.config.mail_signer_certificate_path()));
    std::string message = mail::compose_signed(sample_mail(""), services.mail_signer());
    EXPECT_EQ(openssl_verify(f, message).exit_code, 0);
    store::CertificateFilter filter;
    filter.kind = store::CertificateKind::MailSigner;
    EXPECT_EQ(services.certificates->list(filter).size(), 2u);
}
