#include "hsm/status.h"

#include <openssl/ec.h>
#include <openssl/objects.h>

#include <cstdio>

#include "hsm/attributes.h"
#include "hsm/public_key.h"

namespace inkan::hsm {
namespace {

std::string hex_name(CK_ULONG value) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "0x%lx", value);
    return buf;
}

std::optional<CK_ULONG> ec_bits(const std::string& curve) {
    int nid = OBJ_sn2nid(curve.c_str());
    if (nid == NID_X9_62_prime256v1) return 256;
    if (nid == NID_secp384r1) return 384;
    if (nid == NID_secp521r1) return 521;
    return std::nullopt;
}

void fill_size(const Session& s, CK_OBJECT_HANDLE h, ObjectStatus& o,
               std::optional<CK_ULONG> key_type) {
    if (!key_type) return;
    if (*key_type == CKK_RSA) {
        if (auto bits = try_read_ulong(s, h, CKA_MODULUS_BITS)) {
            o.key_bits = *bits;
        } else if (auto modulus = try_read_attribute(s, h, CKA_MODULUS)) {
            o.key_bits = modulus->size() * 8;
        }
    } else if (*key_type == CKK_EC) {
        if (auto params = try_read_attribute(s, h, CKA_EC_PARAMS)) {
            try {
                o.curve = curve_name_from_ec_params(*params);
                o.key_bits = ec_bits(o.curve);
            } catch (const Error&) {
                o.curve = "unknown";
            }
        }
    } else if (auto length = try_read_ulong(s, h, CKA_VALUE_LEN)) {
        o.key_bits = *length * 8;
    }
}

ObjectStatus describe_object(const Session& s, CK_OBJECT_HANDLE h) {
    ObjectStatus o;
    o.handle = h;
    if (auto cls = try_read_ulong(s, h, CKA_CLASS)) o.object_class = object_class_name(*cls);
    auto key_type = try_read_ulong(s, h, CKA_KEY_TYPE);
    if (key_type) o.key_type = key_type_name(*key_type);
    if (auto label = try_read_attribute(s, h, CKA_LABEL)) o.label = to_string(*label);
    if (auto id = try_read_attribute(s, h, CKA_ID)) o.id_hex = hex_encode(*id);
    fill_size(s, h, o, key_type);
    o.token = try_read_bool(s, h, CKA_TOKEN);
    o.is_private = try_read_bool(s, h, CKA_PRIVATE);
    o.modifiable = try_read_bool(s, h, CKA_MODIFIABLE);
    o.sensitive = try_read_bool(s, h, CKA_SENSITIVE);
    o.extractable = try_read_bool(s, h, CKA_EXTRACTABLE);
    o.always_sensitive = try_read_bool(s, h, CKA_ALWAYS_SENSITIVE);
    o.never_extractable = try_read_bool(s, h, CKA_NEVER_EXTRACTABLE);
    o.sign = try_read_bool(s, h, CKA_SIGN);
    o.verify = try_read_bool(s, h, CKA_VERIFY);
    o.encrypt = try_read_bool(s, h, CKA_ENCRYPT);
    o.decrypt = try_read_bool(s, h, CKA_DECRYPT);
    o.wrap = try_read_bool(s, h, CKA_WRAP);
    o.unwrap = try_read_bool(s, h, CKA_UNWRAP);
    o.derive = try_read_bool(s, h, CKA_DERIVE);
    return o;
}

}  // namespace

std::string object_class_name(CK_OBJECT_CLASS object_class) {
    switch (object_class) {
        case CKO_DATA:
            return "data";
        case CKO_CERTIFICATE:
            return "certificate";
        case CKO_PUBLIC_KEY:
            return "public_key";
        case CKO_PRIVATE_KEY:
            return "private_key";
        case CKO_SECRET_KEY:
            return "secret_key";
        case CKO_HW_FEATURE:
            return "hw_feature";
        case CKO_DOMAIN_PARAMETERS:
            return "domain_parameters";
        case CKO_MECHANISM:
            return "mechanism";
        default:
            return hex_name(object_class);
    }
}

std::string key_type_name(CK_KEY_TYPE key_type) {
    switch (key_type) {
        case CKK_RSA:
            return "rsa";
        case CKK_DSA:
            return "dsa";
        case CKK_DH:
            return "dh";
        case CKK_EC:
            return "ec";
        case CKK_GENERIC_SECRET:
            return "generic_secret";
        case CKK_AES:
            return "aes";
        case CKK_DES3:
            return "des3";
        case CKK_SHA256_HMAC:
            return "sha256_hmac";
        default:
            return hex_name(key_type);
    }
}

std::vector<SlotStatus> list_slots(const Module& module) {
    CK_FUNCTION_LIST* fn = module.functions();
    CK_ULONG count = 0;
    check_rv(fn->C_GetSlotList(CK_FALSE, nullptr, &count), "C_GetSlotList");
    std::vector<CK_SLOT_ID> ids(count);
    check_rv(fn->C_GetSlotList(CK_FALSE, ids.data(), &count), "C_GetSlotList");
    ids.resize(count);
    std::vector<SlotStatus> slots;
    for (CK_SLOT_ID id : ids) {
        CK_SLOT_INFO info{};
        check_rv(fn->C_GetSlotInfo(id, &info), "C_GetSlotInfo");
        SlotStatus slot;
        slot.id = id;
        slot.description = pkcs11_text(info.slotDescription, sizeof info.slotDescription);
        slot.manufacturer = pkcs11_text(info.manufacturerID, sizeof info.manufacturerID);
        slot.token_present = (info.flags & CKF_TOKEN_PRESENT) != 0;
        CK_TOKEN_INFO token{};
        if (slot.token_present && fn->C_GetTokenInfo(id, &token) == CKR_OK &&
            (token.flags & CKF_TOKEN_INITIALIZED) != 0) {
            slot.token_label = pkcs11_text(token.label, sizeof token.label);
        }
        slots.push_back(std::move(slot));
    }
    return slots;
}

TokenStatus token_status(const Token& token) {
    CK_TOKEN_INFO info{};
    check_rv(token.functions()->C_GetTokenInfo(token.slot_id(), &info), "C_GetTokenInfo");
    TokenStatus t;
    t.slot_id = token.slot_id();
    t.label = pkcs11_text(info.label, sizeof info.label);
    t.serial = pkcs11_text(info.serialNumber, sizeof info.serialNumber);
    t.manufacturer = pkcs11_text(info.manufacturerID, sizeof info.manufacturerID);
    t.model = pkcs11_text(info.model, sizeof info.model);
    t.initialized = (info.flags & CKF_TOKEN_INITIALIZED) != 0;
    t.login_required = (info.flags & CKF_LOGIN_REQUIRED) != 0;
    t.user_pin_initialized = (info.flags & CKF_USER_PIN_INITIALIZED) != 0;
    t.user_pin_count_low = (info.flags & CKF_USER_PIN_COUNT_LOW) != 0;
    t.user_pin_final_try = (info.flags & CKF_USER_PIN_FINAL_TRY) != 0;
    t.user_pin_locked = (info.flags & CKF_USER_PIN_LOCKED) != 0;
    t.so_pin_locked = (info.flags & CKF_SO_PIN_LOCKED) != 0;
    t.write_protected = (info.flags & CKF_WRITE_PROTECTED) != 0;
    t.has_rng = (info.flags & CKF_RNG) != 0;
    t.session_count = info.ulSessionCount;
    return t;
}

std::vector<ObjectStatus> list_objects(Token& token) {
    return token.with_session([](const Session& s) {
        AttributeTemplate everything;
        std::vector<ObjectStatus> objects;
        for (CK_OBJECT_HANDLE h : find_objects(s, everything))
            objects.push_back(describe_object(s, h));
        return objects;
    });
}

}  // namespace inkan::hsm
