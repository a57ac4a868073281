// Owners for GMime's GObjects and boxed types (mail/ internals), and GMime's
// one-time initialisation.
#pragma once

#include <gmime/gmime.h>

#include <memory>

namespace inkan::mail {

struct GObjectUnref {
    void operator()(gpointer p) const noexcept { g_object_unref(p); }
};
template <typename T>
using GObjectPtr = std::unique_ptr<T, GObjectUnref>;

struct FormatOptionsFree {
    void operator()(GMimeFormatOptions* p) const noexcept { g_mime_format_options_free(p); }
};
using FormatOptionsPtr = std::unique_ptr<GMimeFormatOptions, FormatOptionsFree>;

struct GFree {
    void operator()(gpointer p) const noexcept { g_free(p); }
};
using GCharPtr = std::unique_ptr<char, GFree>;

struct DateTimeUnref {
    void operator()(GDateTime* p) const noexcept { g_date_time_unref(p); }
};
using DateTimePtr = std::unique_ptr<GDateTime, DateTimeUnref>;

// g_mime_init() exactly once per process (thread-safe).
void ensure_gmime();

}  // namespace inkan::mail
