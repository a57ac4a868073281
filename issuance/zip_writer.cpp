#include "issuance/zip_writer.h"

#include <zip.h>

#include <cstdlib>
#include <cstring>
#include <list>

#include "common/error.h"

namespace inkan::issuance {
namespace {

[[noreturn]] void zip_failed(const std::string& what, zip_error_t* error) {
    std::string detail = error ? zip_error_strerror(error) : "";
    throw Error(ErrorCategory::Internal, "zip_failed", "ZIP " + what + " failed: " + detail);
}

}  // namespace

struct ZipWriter::State {
    zip_source_t* source = nullptr;  // the in-memory buffer the archive writes to
    zip_t* archive = nullptr;
    std::list<Bytes> contents;  // kept alive until zip_close copies them
};

ZipWriter::ZipWriter() : state_(std::make_unique<State>()) {
    zip_error_t error;
    zip_error_init(&error);
    state_->source = zip_source_buffer_create(nullptr, 0, 0, &error);
    if (!state_->source) zip_failed("buffer", &error);
    zip_source_keep(state_->source);  // we read the result after zip_close
    state_->archive = zip_open_from_source(state_->source, ZIP_TRUNCATE, &error);
    if (!state_->archive) {
        zip_source_free(state_->source);
        zip_failed("open", &error);
    }
    zip_error_fini(&error);
}

ZipWriter::~ZipWriter() {
    if (state_->archive) zip_discard(state_->archive);
    if (state_->source) zip_source_free(state_->source);
}

void ZipWriter::add(const std::string& name, Bytes content) {
    if (!state_->archive)
        throw Error(ErrorCategory::Internal, "zip_failed", "ZIP already finished");
    Bytes& kept = state_->contents.emplace_back(std::move(content));
    zip_source_t* file = zip_source_buffer(state_->archive, kept.data(), kept.size(), 0);
    if (!file) zip_failed("file source", zip_get_error(state_->archive));
    zip_int64_t index = zip_file_add(state_->archive, name.c_str(), file, ZIP_FL_ENC_UTF_8);
    if (index < 0) {
        zip_source_free(file);
        zip_failed("add " + name, zip_get_error(state_->archive));
    }
    zip_set_file_compression(state_->archive, static_cast<zip_uint64_t>(index), ZIP_CM_STORE, 0);
}

Bytes ZipWriter::finish() {
    if (zip_close(state_->archive) != 0) zip_failed("close", zip_get_error(state_->archive));
    state_->archive = nullptr;
    zip_source_t* src = state_->source;
    if (zip_source_open(src) != 0) zip_failed("reopen", zip_source_error(src));
    zip_source_seek(src, 0, SEEK_END);
    zip_int64_t size = zip_source_tell(src);
    zip_source_seek(src, 0, SEEK_SET);
    Bytes out(static_cast<size_t>(size < 0 ? 0 : size));
    zip_int64_t got = out.empty() ? 0 : zip_source_read(src, out.data(), out.size());
    zip_source_close(src);
    if (got != static_cast<zip_int64_t>(out.size())) zip_failed("read", zip_source_error(src));
    for (auto& c : state_->contents) std::memset(c.data(), 0, c.size());
    state_->contents.clear();
    return out;
}

}  // namespace inkan::issuance
