// What `inkan hsm status` shows: slots, the token, and every object visible after
// login with its key attributes. Plain structs; the CLI formats them.
#pragma once

#include <p11-kit/pkcs11.h>

#include <optional>
#include <string>
#include <vector>

#include "hsm/module.h"
#include "hsm/token.h"

namespace inkan::hsm {

struct SlotStatus {
    CK_SLOT_ID id = 0;
    std::string description;
    std::string manufacturer;
    bool token_present = false;
    std::string token_label;  // empty when no token is present
};

struct TokenStatus {
    CK_SLOT_ID slot_id = 0;
    std::string label;
    std::string serial;
    std::string manufacturer;
    std::string model;
    bool initialized = false;
    bool login_required = false;
    bool user_pin_initialized = false;
    bool user_pin_count_low = false;
    bool user_pin_final_try = false;
    bool user_pin_locked = false;
    bool so_pin_locked = false;
    bool write_protected = false;
    bool has_rng = false;
    CK_ULONG session_count = 0;  // CK_UNAVAILABLE_INFORMATION if the token does not say
};

struct ObjectStatus {
    CK_OBJECT_HANDLE handle = CK_INVALID_HANDLE;
    std::string
        object_class;      // "private_key", "public_key", "secret_key", "certificate", "data", ...
    std::string key_type;  // "rsa", "ec", "generic_secret", "aes", ... (empty for non-keys)
    std::string label;
    std::string id_hex;
    std::optional<CK_ULONG> key_bits;  // RSA modulus bits, EC field bits, secret length in bits
    std::string curve;                 // EC: OpenSSL curve name, e.g. "prime256v1"
    std::optional<bool> token, is_private, modifiable, sensitive, extractable, always_sensitive,
        never_extractable, sign, verify, encrypt, decrypt, wrap, unwrap, derive;
};

// Every slot of the module (with or without a token); needs no login.
std::vector<SlotStatus> list_slots(const Module& module);

// C_GetTokenInfo of the token's slot.
TokenStatus token_status(const Token& token);

// Every object the logged-in user can see (C_FindObjects with an empty template).
std::vector<ObjectStatus> list_objects(Token& token);

// "CKO_PRIVATE_KEY" -> "private_key"; unknown values as "0x..." text.
std::string object_class_name(CK_OBJECT_CLASS object_class);
std::string key_type_name(CK_KEY_TYPE key_type);

}  // namespace inkan::hsm
