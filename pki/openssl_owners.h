// Owner types for the OpenSSL objects only pki needs (extension structures,
// algorithm identifiers). Same pattern as common/openssl_ptr.h: the deleter
// is declared once here, no bare *_free elsewhere in pki.
#pragma once

#include <openssl/x509v3.h>

#include "common/openssl_ptr.h"

namespace inkan::pki {

inline void asn1_object_stack_free(STACK_OF(ASN1_OBJECT) * s) {
    sk_ASN1_OBJECT_pop_free(s, ASN1_OBJECT_free);
}

using X509AlgorPtr = std::unique_ptr<X509_ALGOR, OpenSslDeleter<X509_ALGOR, X509_ALGOR_free>>;
using Asn1ObjectPtr = std::unique_ptr<ASN1_OBJECT, OpenSslDeleter<ASN1_OBJECT, ASN1_OBJECT_free>>;
using BasicConstraintsPtr =
    std::unique_ptr<BASIC_CONSTRAINTS, OpenSslDeleter<BASIC_CONSTRAINTS, BASIC_CONSTRAINTS_free>>;
using AuthorityKeyIdPtr =
    std::unique_ptr<AUTHORITY_KEYID, OpenSslDeleter<AUTHORITY_KEYID, AUTHORITY_KEYID_free>>;
using ObjectStackPtr =
    std::unique_ptr<STACK_OF(ASN1_OBJECT),
                    OpenSslDeleter<STACK_OF(ASN1_OBJECT), asn1_object_stack_free>>;
using CrlDistPointsPtr =
    std::unique_ptr<CRL_DIST_POINTS, OpenSslDeleter<CRL_DIST_POINTS, CRL_DIST_POINTS_free>>;
using DistPointPtr = std::unique_ptr<DIST_POINT, OpenSslDeleter<DIST_POINT, DIST_POINT_free>>;
using AuthorityInfoAccessPtr =
    std::unique_ptr<AUTHORITY_INFO_ACCESS,
                    OpenSslDeleter<AUTHORITY_INFO_ACCESS, AUTHORITY_INFO_ACCESS_free>>;
using AccessDescriptionPtr =
    std::unique_ptr<ACCESS_DESCRIPTION,
                    OpenSslDeleter<ACCESS_DESCRIPTION, ACCESS_DESCRIPTION_free>>;
using CertificatePoliciesPtr =
    std::unique_ptr<CERTIFICATEPOLICIES,
                    OpenSslDeleter<CERTIFICATEPOLICIES, CERTIFICATEPOLICIES_free>>;
using PolicyInfoPtr = std::unique_ptr<POLICYINFO, OpenSslDeleter<POLICYINFO, POLICYINFO_free>>;
using GeneralNamePtr =
    std::unique_ptr<GENERAL_NAME, OpenSslDeleter<GENERAL_NAME, GENERAL_NAME_free>>;
using X509PubkeyPtr = std::unique_ptr<X509_PUBKEY, OpenSslDeleter<X509_PUBKEY, X509_PUBKEY_free>>;
using Asn1EnumeratedPtr =
    std::unique_ptr<ASN1_ENUMERATED, OpenSslDeleter<ASN1_ENUMERATED, ASN1_ENUMERATED_free>>;

}  // namespace inkan::pki
