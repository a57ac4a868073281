// Certificate times: whole seconds of UTC, converted to and from ASN1_TIME.
// ASN1_TIME_set picks UTCTime for 1950-2049 and GeneralizedTime otherwise,
// which is exactly RFC 5280 section 4.1.2.5.
#pragma once

#include <openssl/asn1.h>

#include <chrono>

#include "common/openssl_ptr.h"

namespace inkan::pki {

using TimePoint = std::chrono::system_clock::time_point;

Asn1TimePtr to_asn1_time(TimePoint t);
TimePoint from_asn1_time(const ASN1_TIME* t);  // throws Error(InvalidInput, "bad_time")

// Calendar arithmetic: t + months, the day clamped to the end of a shorter month
// (31 Jan + 1 month = 28/29 Feb), time of day kept.
TimePoint add_months(TimePoint t, int months);

// Truncates to whole seconds (what a certificate can hold).
TimePoint whole_seconds(TimePoint t);

}  // namespace inkan::pki
