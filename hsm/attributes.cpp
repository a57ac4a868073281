#include "hsm/attributes.h"

#include <cstring>

#include "hsm/ck_error.h"

namespace inkan::hsm {

CK_ATTRIBUTE& AttributeTemplate::add(CK_ATTRIBUTE_TYPE type, void* value, CK_ULONG length) {
    CK_ATTRIBUTE attribute{};
    attribute.type = type;
    attribute.pValue = value;
    attribute.ulValueLen = length;
    return attributes_.emplace_back(attribute);
}

AttributeTemplate& AttributeTemplate::add_bool(CK_ATTRIBUTE_TYPE type, bool value) {
    CK_BBOOL& stored = bools_.emplace_back(value ? CK_TRUE : CK_FALSE);
    add(type, &stored, sizeof stored);
    return *this;
}

AttributeTemplate& AttributeTemplate::add_ulong(CK_ATTRIBUTE_TYPE type, CK_ULONG value) {
    CK_ULONG& stored = ulongs_.emplace_back(value);
    add(type, &stored, sizeof stored);
    return *this;
}

AttributeTemplate& AttributeTemplate::add_bytes(CK_ATTRIBUTE_TYPE type, ByteView value) {
    Bytes& stored = bytes_.emplace_back(value.begin(), value.end());
    add(type, stored.empty() ? nullptr : stored.data(), stored.size());
    return *this;
}

AttributeTemplate& AttributeTemplate::add_text(CK_ATTRIBUTE_TYPE type, std::string_view value) {
    return add_bytes(type, as_bytes(value));
}

Bytes read_attribute(const Session& session, CK_OBJECT_HANDLE object, CK_ATTRIBUTE_TYPE type) {
    CK_ATTRIBUTE attribute{};
    attribute.type = type;
    check_rv(session.fn->C_GetAttributeValue(session.handle, object, &attribute, 1),
             "C_GetAttributeValue");
    if (attribute.ulValueLen == CK_UNAVAILABLE_INFORMATION) {
        throw CkError(CKR_ATTRIBUTE_SENSITIVE, "C_GetAttributeValue");
    }
    Bytes value(attribute.ulValueLen);
    attribute.pValue = value.data();
    check_rv(session.fn->C_GetAttributeValue(session.handle, object, &attribute, 1),
             "C_GetAttributeValue");
    value.resize(attribute.ulValueLen);
    return value;
}

std::optional<Bytes> try_read_attribute(const Session& session, CK_OBJECT_HANDLE object,
                                        CK_ATTRIBUTE_TYPE type) {
    try {
        return read_attribute(session, object, type);
    } catch (const CkError& e) {
        if (e.rv() == CKR_ATTRIBUTE_TYPE_INVALID || e.rv() == CKR_ATTRIBUTE_SENSITIVE)
            return std::nullopt;
        throw;
    }
}

std::optional<bool> try_read_bool(const Session& session, CK_OBJECT_HANDLE object,
                                  CK_ATTRIBUTE_TYPE type) {
    auto value = try_read_attribute(session, object, type);
    if (!value || value->size() != sizeof(CK_BBOOL)) return std::nullopt;
    return (*value)[0] != CK_FALSE;
}

std::optional<CK_ULONG> try_read_ulong(const Session& session, CK_OBJECT_HANDLE object,
                                       CK_ATTRIBUTE_TYPE type) {
    auto value = try_read_attribute(session, object, type);
    if (!value || value->size() != sizeof(CK_ULONG)) return std::nullopt;
    CK_ULONG out = 0;
    std::memcpy(&out, value->data(), sizeof out);
    return out;
}

std::vector<CK_OBJECT_HANDLE> find_objects(const Session& session, AttributeTemplate& match) {
    check_rv(session.fn->C_FindObjectsInit(session.handle, match.data(), match.size()),
             "C_FindObjectsInit");
    std::vector<CK_OBJECT_HANDLE> found;
    CK_RV rv = CKR_OK;
    for (;;) {
        CK_OBJECT_HANDLE batch[64];
        CK_ULONG count = 0;
        rv = session.fn->C_FindObjects(session.handle, batch, 64, &count);
        if (rv != CKR_OK || count == 0) break;
        found.insert(found.end(), batch, batch + count);
    }
    CK_RV final_rv = session.fn->C_FindObjectsFinal(session.handle);
    check_rv(rv, "C_FindObjects");
    check_rv(final_rv, "C_FindObjectsFinal");
    return found;
}

}  // namespace inkan::hsm
