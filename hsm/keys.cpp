#include "hsm/keys.h"

#include <cstring>

#include "hsm/attributes.h"
#include "hsm/operations.h"

namespace inkan::hsm {

CK_OBJECT_HANDLE KeyObject::handle() const {
    if (generation_ != token_->generation()) {
        throw Error(ErrorCategory::HsmUnavailable, "hsm_key_stale",
                    "the HSM token was reconnected while this key was in use; retry the request",
                    1);
    }
    return handle_;
}

Bytes KeyObject::attribute(CK_ATTRIBUTE_TYPE type) const {
    return token_->with_session(
        [&](const Session& s) { return read_attribute(s, handle(), type); });
}

std::optional<bool> KeyObject::flag(CK_ATTRIBUTE_TYPE type) const {
    return token_->with_session([&](const Session& s) { return try_read_bool(s, handle(), type); });
}

static CK_ULONG read_required_ulong(const KeyObject& key, CK_ATTRIBUTE_TYPE type) {
    Bytes value = key.attribute(type);
    CK_ULONG out = 0;
    if (value.size() != sizeof out) {
        throw Error(ErrorCategory::Internal, "hsm_attribute_malformed",
                    "PKCS#11 attribute has unexpected size");
    }
    std::memcpy(&out, value.data(), sizeof out);
    return out;
}

CK_OBJECT_CLASS KeyObject::object_class() const { return read_required_ulong(*this, CKA_CLASS); }
CK_KEY_TYPE KeyObject::key_type() const { return read_required_ulong(*this, CKA_KEY_TYPE); }
Bytes KeyObject::id() const { return attribute(CKA_ID); }
std::string KeyObject::label() const { return to_string(attribute(CKA_LABEL)); }

void KeyObject::destroy() {
    token_->with_session([&](const Session& s) {
        check_rv(s.fn->C_DestroyObject(s.handle, handle()), "C_DestroyObject");
    });
    handle_ = CK_INVALID_HANDLE;
}

std::optional<KeyObject> find_key(Token& token, CK_OBJECT_CLASS object_class,
                                  const KeyLookup& lookup) {
    if (lookup.id.empty() && lookup.label.empty()) {
        throw Error(ErrorCategory::InvalidInput, "hsm_key_lookup_empty",
                    "a key is looked up by CKA_ID or label");
    }
    AttributeTemplate match;
    match.add_ulong(CKA_CLASS, object_class);
    if (!lookup.id.empty()) match.add_bytes(CKA_ID, lookup.id);
    if (!lookup.label.empty()) match.add_text(CKA_LABEL, lookup.label);
    auto found = token.with_session([&](const Session& s) { return find_objects(s, match); });
    if (found.empty()) return std::nullopt;
    if (found.size() > 1) {
        throw Error(ErrorCategory::Conflict, "hsm_key_ambiguous",
                    "several keys match CKA_ID " + hex_encode(lookup.id) + " label \"" +
                        lookup.label + "\"");
    }
    return KeyObject(token, found.front());
}

static KeyObject require_key(Token& token, CK_OBJECT_CLASS object_class, const KeyLookup& lookup,
                             const char* what) {
    auto key = find_key(token, object_class, lookup);
    if (!key) {
        throw Error(ErrorCategory::NotFound, "hsm_key_not_found",
                    std::string("no ") + what + " with CKA_ID " + hex_encode(lookup.id) +
                        " label \"" + lookup.label + "\" on token " + token.label());
    }
    return *key;
}

KeyObject find_private_key(Token& token, const KeyLookup& lookup) {
    return require_key(token, CKO_PRIVATE_KEY, lookup, "private key");
}
KeyObject find_public_key(Token& token, const KeyLookup& lookup) {
    return require_key(token, CKO_PUBLIC_KEY, lookup, "public key");
}
KeyObject find_secret_key(Token& token, const KeyLookup& lookup) {
    return require_key(token, CKO_SECRET_KEY, lookup, "secret key");
}

StableKey::StableKey(Token& token, CK_OBJECT_CLASS object_class, Bytes id)
    : token_(&token), class_(object_class), id_(std::move(id)) {
    generation_ = token.generation();
    handle_ = require_key(token, object_class, KeyLookup{id_, {}}, "key").handle();
}

KeyObject StableKey::key() const {
    std::lock_guard lock(mutex_);
    return KeyObject(*token_, handle_, generation_);
}

KeyObject StableKey::current() const {
    {
        std::lock_guard lock(mutex_);
        if (generation_ == token_->generation()) return KeyObject(*token_, handle_, generation_);
    }
    refind();
    return key();
}

void StableKey::refind() const {
    uint64_t generation = token_->generation();
    auto found = find_key(*token_, class_, KeyLookup{id_, {}});
    if (!found) token_->key_vanished("key with CKA_ID " + hex_encode(id_));
    std::lock_guard lock(mutex_);
    handle_ = found->handle();
    generation_ = generation;
}

Bytes random_key_id(Token& token) { return generate_random(token, 16); }

}  // namespace inkan::hsm
