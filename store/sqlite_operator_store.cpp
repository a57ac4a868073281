#include "store/sqlite_operator_store.h"

namespace inkan::store {
namespace {

constexpr const char* kColumns =
    "id, name, institution, email, role, certificate_serial, created_at";

OperatorRecord read_operator(const Statement& s) {
    OperatorRecord r;
    r.id = s.int64(0);
    r.name = s.text(1);
    r.institution = s.text(2);
    r.email = s.text(3);
    r.role = parse_operator_role(s.text(4)).value_or(OperatorRole::RaOperator);
    r.certificate_serial = s.text(5);
    r.created_at = s.int64(6);
    return r;
}

}  // namespace

int64_t SqliteOperatorStore::add(const OperatorRecord& op) {
    return db_.with([&](Connection& c) {
        Statement s(c,
                    "INSERT INTO operators (name, institution, email, role, certificate_serial, "
                    "created_at) VALUES (?,?,?,?,?,?)");
        s.bind(1, op.name)
            .bind(2, op.institution)
            .bind(3, op.email)
            .bind(4, std::string(to_string(op.role)))
            .bind(5, op.certificate_serial)
            .bind(6, op.created_at ? op.created_at : unix_now())
            .run();
        return c.last_insert_rowid();
    });
}

std::optional<OperatorRecord> SqliteOperatorStore::find_where(const char* column,
                                                              const std::string& value) {
    return db_.with([&](Connection& c) -> std::optional<OperatorRecord> {
        Statement s(c,
                    std::string("SELECT ") + kColumns + " FROM operators WHERE " + column + " = ?");
        s.bind(1, value);
        if (!s.step()) return std::nullopt;
        return read_operator(s);
    });
}

std::optional<OperatorRecord> SqliteOperatorStore::find_by_certificate(
    const std::string& serial_hex) {
    return find_where("certificate_serial", serial_hex);
}

std::optional<OperatorRecord> SqliteOperatorStore::find_by_name(const std::string& name) {
    return find_where("name", name);
}

std::vector<OperatorRecord> SqliteOperatorStore::list() {
    return db_.with([&](Connection& c) {
        Statement s(c, std::string("SELECT ") + kColumns + " FROM operators ORDER BY id");
        std::vector<OperatorRecord> out;
        while (s.step()) out.push_back(read_operator(s));
        return out;
    });
}

}  // namespace inkan::store
