// The running appliance's parts, opened in dependency order from a Config and
// checked at start (style rule 9): the PIN logs in, the CA key is in the HSM,
// the CA certificate matches it and may sign certificates and CRLs.
#pragma once

#include <memory>

#include "appliance/audit_log.h"
#include "appliance/config.h"
#include "appliance/policy_context.h"
#include "ca/certificate_authority.h"
#include "ca/crl_publisher.h"
#include "ca/hsm_signer.h"
#include "ca/ocsp_responder.h"
#include "common/openssl_ptr.h"
#include "hsm/token.h"
#include "issuance/issuance_service.h"
#include "issuance/signing_gate.h"
#include "mail/message.h"
#include "mail/templates.h"
#include "store/database.h"
#include "store/sqlite_batch_store.h"
#include "store/sqlite_bulk_job_store.h"
#include "store/sqlite_certificate_store.h"
#include "store/sqlite_crl_store.h"
#include "store/sqlite_operator_store.h"
#include "store/sqlite_outbox_store.h"

namespace inkan::appliance {

// Points SoftHSM at the state folder's config (embedded default). Must run
// before the module is loaded; a no-op for other modules.
void use_embedded_softhsm_config(const Config& config);

// Opens the HSM token (login) and nothing else.
std::unique_ptr<hsm::Token> open_token(const Config& config);

pki::IssuerOptions issuer_options(const Config& config);
hsm::KeyLookup ca_key_lookup(const Config& config);
hsm::KeyLookup mail_key_lookup(const Config& config);
hsm::KeyLookup audit_key_lookup(const Config& config);

// The audit checkpoint key (EC P-256 in the HSM: token object, private,
// sensitive, non-extractable, label hsm.audit_key_label): created when config
// names none or the named one is missing, id saved as hsm.audit_key_id, as the
// mail signing key is. Returns true if it created one.
bool ensure_audit_key(hsm::Token& token, Config& config);

// The access-PIN HMAC key and the PIN-wrapping AES key (token objects, sensitive,
// non-extractable): created when config names none or the named one is missing,
// ids written to the config (saved). Returns true if it created any.
bool ensure_pin_keys(hsm::Token& token, Config& config);

issuance::IssuanceConfig issuance_config(const Config& config);

struct Services {
    Config config;
    std::unique_ptr<hsm::Token> token;
    std::unique_ptr<ca::HsmSigner> signer;
    std::unique_ptr<ca::HsmRandom> random;
    std::unique_ptr<store::Database> database;
    // The audit chain (README "Audit trail") and the key that signs its checkpoints.
    std::unique_ptr<ca::HsmSigner> audit_key;
    std::unique_ptr<AuditLog> audit;
    std::unique_ptr<store::SqliteCertificateStore> certificates;
    std::unique_ptr<store::SqliteOperatorStore> operators;
    X509Ptr ca_certificate;
    std::unique_ptr<ca::CertificateAuthority> authority;
    std::unique_ptr<store::SqliteCrlStore> crls;
    std::unique_ptr<store::CrlStore> audited_crls;  // crls behind the audit record
    // Callers that revoke run crl_publisher->regenerate() once per batch.
    std::unique_ptr<ca::CrlPublisher> crl_publisher;
    std::unique_ptr<ca::OcspResponder> ocsp;
    std::unique_ptr<store::SqliteBatchStore> batches;
    std::unique_ptr<store::SqliteBulkJobStore> bulk_jobs;
    std::unique_ptr<PolicyContext> policy;  // institutions, WHOIS, existing certificates
    // The upload's rules again at the moment of signing: every path that signs
    // (request rows, direct CSRs) goes through it.
    std::unique_ptr<issuance::PolicySigningGate> gate;
    std::unique_ptr<issuance::IssuanceService> issuance;
    // Notification mails: every event is queued in the outbox with its cause;
    // the templates live in <state>/mail/templates (defaults written at start).
    std::unique_ptr<store::SqliteOutboxStore> outbox;
    std::unique_ptr<mail::MailTemplates> mail_templates;
    // The S/MIME notification signing key (in the HSM) and its certificate;
    // set when both are in place (init and serve make them: ensure_mail_signer).
    std::unique_ptr<ca::HsmSigner> mail_key;
    std::unique_ptr<mail::MailSigner> mail;

    // Throws Error(NotFound, "mail_signer_missing") when there is none yet.
    mail::MailSigner& mail_signer();
};

// Sets services.mail_key and services.mail when the mail signing key is in the
// HSM and state/mail/signer.pem holds its certificate, issued by the current CA
// for config.mail.from and valid for at least 30 more days. Returns whether it did.
bool load_mail_signer(Services& services);

// Throws inkan::Error with a clear message when anything is missing or wrong
// (no state, wrong PIN, key missing, certificate not matching the key).
std::unique_ptr<Services> open_services(const Config& config);

}  // namespace inkan::appliance
