// Internal: the attribute templates of generated key pairs, in one place.
#pragma once

#include "hsm/attributes.h"
#include "hsm/key_generation.h"

namespace inkan::hsm {

enum class KeyPairUse {
    HsmSigningKey,         // token objects, sensitive, never extractable, sign only
    ExportableSessionKey,  // session objects, extractable, not sensitive (P12 subscriber key)
    PooledKey,  // private key a token object, private, extractable, not sensitive, no use
                // at all (sign, decrypt... false) until taken out of the pool and exported;
                // public key a session object (the pool destroys it at once)
};

struct KeyPairTemplates {
    AttributeTemplate public_key;
    AttributeTemplate private_key;
};

KeyPairTemplates key_pair_templates(KeyAlgorithm algorithm, const KeySpec& spec, KeyPairUse use);

// C_GenerateKeyPair with the mechanism for `algorithm`.
KeyPair generate_key_pair(Token& token, KeyAlgorithm algorithm, KeyPairTemplates& templates);

}  // namespace inkan::hsm
