#include "pki/asn1_time.h"

#include <ctime>

#include "common/error.h"

namespace inkan::pki {

using namespace std::chrono;

TimePoint whole_seconds(TimePoint t) { return time_point_cast<seconds>(t); }

Asn1TimePtr to_asn1_time(TimePoint t) {
    Asn1TimePtr out(ASN1_TIME_set(nullptr, system_clock::to_time_t(t)));
    if (!out) throw Error(ErrorCategory::Internal, "openssl_failure", "ASN1_TIME_set failed");
    return out;
}

TimePoint from_asn1_time(const ASN1_TIME* t) {
    std::tm tm{};
    if (!t || ASN1_TIME_to_tm(t, &tm) != 1)
        throw Error(ErrorCategory::InvalidInput, "bad_time", "unreadable ASN.1 time");
    return system_clock::from_time_t(timegm(&tm));
}

TimePoint add_months(TimePoint t, int months) {
    auto day = floor<days>(t);
    auto time_of_day = t - day;
    year_month_day ymd{day};
    year_month_day shifted = ymd + std::chrono::months{months};
    if (!shifted.ok()) shifted = shifted.year() / shifted.month() / last;
    return sys_days{shifted} + time_of_day;
}

}  // namespace inkan::pki
