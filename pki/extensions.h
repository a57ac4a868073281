// X.509 v3 extensions built from typed OpenSSL structures (never from config
// strings, so a URL or mail address cannot inject extra values). Each function
// returns a new extension; add it with X509_add_ext / X509_CRL_add_ext.
#pragma once

#include <openssl/x509v3.h>

#include <ctime>
#include <optional>
#include <string>
#include <vector>

#include "common/bytes.h"
#include "common/openssl_ptr.h"

namespace inkan::pki {

// keyUsage bit positions (RFC 5280 4.2.1.3).
enum KeyUsageBit : int {
    kDigitalSignature = 0,
    kKeyEncipherment = 2,
    kKeyCertSign = 5,
    kCrlSign = 6,
};

X509ExtensionPtr basic_constraints_extension(bool ca, std::optional<long> path_length);  // critical
X509ExtensionPtr key_usage_extension(const std::vector<KeyUsageBit>& bits);              // critical
X509ExtensionPtr extended_key_usage_extension(
    const std::vector<int>& purpose_nids);  // non-critical
X509ExtensionPtr subject_key_identifier_extension(ByteView key_id);
X509ExtensionPtr authority_key_identifier_extension(ByteView issuer_key_id);  // keyIdentifier only
X509ExtensionPtr crl_distribution_point_extension(const std::string& url);
// AIA with an OCSP URL and/or a caIssuers URL (empty strings are left out).
X509ExtensionPtr authority_info_access_extension(const std::string& ocsp_url,
                                                 const std::string& ca_issuers_url);
X509ExtensionPtr certificate_policies_extension(const std::vector<std::string>& policy_oids);
// subjectAltName; ip_addresses in text form ("127.0.0.1", "::1"). Throws bad_san.
X509ExtensionPtr subject_alt_name_extension(const std::vector<std::string>& emails,
                                            const std::vector<std::string>& dns_names,
                                            const std::vector<std::string>& ip_addresses);
X509ExtensionPtr crl_number_extension(ByteView crl_number);
X509ExtensionPtr crl_reason_extension(int reason);
// CRL entry invalidityDate (RFC 5280 5.3.2), GeneralizedTime.
X509ExtensionPtr invalidity_date_extension(std::time_t when);

// RFC 5280 4.2.1.2 method (1): SHA-1 of the subjectPublicKey BIT STRING contents.
Bytes key_identifier_of(const ASN1_BIT_STRING* subject_public_key);
// The same for a key that has no encoding at hand (encodes it once).
Bytes key_identifier_of(EVP_PKEY* key);
// A certificate's SKI extension value if present, otherwise key_identifier_of its key.
Bytes key_identifier_of(const X509* cert);

}  // namespace inkan::pki
