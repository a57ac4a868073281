// JSON renderings of the issuance workflow's results for the REST API.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "issuance/issuance_service.h"

namespace inkan::api {

// public_base_url: e.g. "https://127.0.0.1:8444"; tokens become URLs under it.
// include_urls false (mails carry them): no URL at all, "urls_sent_by_mail": true.
nlohmann::json to_json(const issuance::BatchResult& result, const std::string& public_base_url,
                       bool include_urls = true);
// with_rows: every row (GET /api/v1/requests/{id}); the list has counts only.
nlohmann::json to_json(const issuance::BatchState& state, bool with_rows);
nlohmann::json to_json(const issuance::BulkZipProgress& progress);
nlohmann::json to_json(const issuance::RowState& row);
nlohmann::json to_json(const issuance::PinPage& page);

const char* to_string(policy::DownloadType type);

}  // namespace inkan::api
