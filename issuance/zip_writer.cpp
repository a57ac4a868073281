#include "issuance/zip_writer.h"

#include <zip.h>

#include <list>

#include "common/error.h"

namespace inkan::issuance {
namespace {

[[noreturn]] void zip_failed(const std::string& what, zip_t* archive) {
    std::string detail = archive ? zip_strerror(archive) : "";
    throw Error(ErrorCategory::Internal, "zip_failed", "ZIP " + what + " failed: " + detail);
}

}  // namespace

struct ZipWriter::State {
    zip_t* archive = nullptr;
    std::list<std::string> texts;  // kept alive until zip_close reads them
};

ZipWriter::ZipWriter(const std::filesystem::path& path) : state_(std::make_unique<State>()) {
    int code = 0;
    state_->archive = zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &code);
    if (!state_->archive) {
        zip_error_t error;
        zip_error_init_with_code(&error, code);
        std::string detail = zip_error_strerror(&error);
        zip_error_fini(&error);
        throw Error(ErrorCategory::Internal, "zip_failed",
                    "ZIP " + path.string() + " cannot be created: " + detail);
    }
}

ZipWriter::~ZipWriter() {
    if (state_->archive) zip_discard(state_->archive);
}

namespace {

void add_source(zip_t* archive, const std::string& name, zip_source_t* source) {
    if (!source) zip_failed("source " + name, archive);
    zip_int64_t index = zip_file_add(archive, name.c_str(), source, ZIP_FL_ENC_UTF_8);
    if (index < 0) {
        zip_source_free(source);
        zip_failed("add " + name, archive);
    }
    zip_set_file_compression(archive, static_cast<zip_uint64_t>(index), ZIP_CM_STORE, 0);
}

}  // namespace

void ZipWriter::add_file(const std::string& name, const std::filesystem::path& file) {
    if (!state_->archive) zip_failed("add after finish", nullptr);
    add_source(state_->archive, name, zip_source_file(state_->archive, file.c_str(), 0, -1));
}

void ZipWriter::add_text(const std::string& name, std::string content) {
    if (!state_->archive) zip_failed("add after finish", nullptr);
    const std::string& kept = state_->texts.emplace_back(std::move(content));
    add_source(state_->archive, name,
               zip_source_buffer(state_->archive, kept.data(), kept.size(), 0));
}

void ZipWriter::finish() {
    if (!state_->archive) zip_failed("finish twice", nullptr);
    if (zip_close(state_->archive) != 0) zip_failed("close", state_->archive);
    state_->archive = nullptr;
    state_->texts.clear();
}

}  // namespace inkan::issuance
