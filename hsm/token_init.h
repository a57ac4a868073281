// Initialising a fresh token (the embedded SoftHSM default): C_InitToken on a
// free slot, then the SO sets the user PIN (C_InitPIN). Used once by `inkan init`.
#pragma once

#include <string>

#include "common/secret.h"
#include "hsm/module.h"

namespace inkan::hsm {

// True if a slot of the module holds an initialised token with this label.
bool token_exists(const Module& module, const std::string& label);

// Initialises the first slot without an initialised token. Throws
// Error(HsmUnavailable, "hsm_no_free_slot") when there is none, or CkError.
void initialize_token(const Module& module, const std::string& label, const SecretString& so_pin,
                      const SecretString& user_pin);

}  // namespace inkan::hsm
