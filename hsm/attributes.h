// Attribute templates with stable storage, and attribute reads. Reading a value
// the token refuses (a sensitive key's private parts) throws CkError code
// "hsm_attribute_sensitive".
#pragma once

#include <p11-kit/pkcs11.h>

#include <deque>
#include <optional>
#include <string_view>
#include <vector>

#include "common/bytes.h"
#include "hsm/session_pool.h"

namespace inkan::hsm {

// A CK_ATTRIBUTE array whose values it owns (pointers stay valid while it lives).
class AttributeTemplate {
  public:
    AttributeTemplate() = default;
    AttributeTemplate(AttributeTemplate&&) = default;  // deque moves keep element addresses
    AttributeTemplate& operator=(AttributeTemplate&&) = default;
    AttributeTemplate(const AttributeTemplate&) = delete;
    AttributeTemplate& operator=(const AttributeTemplate&) = delete;

    AttributeTemplate& add_bool(CK_ATTRIBUTE_TYPE type, bool value);
    AttributeTemplate& add_ulong(CK_ATTRIBUTE_TYPE type, CK_ULONG value);
    AttributeTemplate& add_bytes(CK_ATTRIBUTE_TYPE type, ByteView value);
    AttributeTemplate& add_text(CK_ATTRIBUTE_TYPE type, std::string_view value);

    CK_ATTRIBUTE* data() noexcept { return attributes_.data(); }
    CK_ULONG size() const noexcept { return attributes_.size(); }

  private:
    CK_ATTRIBUTE& add(CK_ATTRIBUTE_TYPE type, void* value, CK_ULONG length);
    std::deque<CK_BBOOL> bools_;
    std::deque<CK_ULONG> ulongs_;
    std::deque<Bytes> bytes_;
    std::vector<CK_ATTRIBUTE> attributes_;
};

// The value of one attribute. Throws CkError (hsm_attribute_sensitive,
// hsm_attribute_type_invalid, hsm_object_handle_invalid, ...).
Bytes read_attribute(const Session& session, CK_OBJECT_HANDLE object, CK_ATTRIBUTE_TYPE type);

// As read_attribute, but nullopt when the object has no such attribute or the
// token will not reveal it (CKR_ATTRIBUTE_TYPE_INVALID / CKR_ATTRIBUTE_SENSITIVE).
std::optional<Bytes> try_read_attribute(const Session& session, CK_OBJECT_HANDLE object,
                                        CK_ATTRIBUTE_TYPE type);

std::optional<bool> try_read_bool(const Session& session, CK_OBJECT_HANDLE object,
                                  CK_ATTRIBUTE_TYPE type);
std::optional<CK_ULONG> try_read_ulong(const Session& session, CK_OBJECT_HANDLE object,
                                       CK_ATTRIBUTE_TYPE type);

// All objects matching `match` (C_FindObjectsInit / C_FindObjects / C_FindObjectsFinal).
std::vector<CK_OBJECT_HANDLE> find_objects(const Session& session, AttributeTemplate& match);

}  // namespace inkan::hsm
