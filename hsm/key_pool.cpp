#include "hsm/key_pool.h"

#include "hsm/attributes.h"
#include "hsm/ck_error.h"
#include "hsm/key_templates.h"
#include "hsm/keys.h"
#include "hsm/token.h"

namespace inkan::hsm {
namespace {

std::string pool_label(KeyAlgorithm algorithm) {
    return std::string(kPoolKeyLabel) + " " + std::string(to_string(algorithm));
}

}  // namespace

KeyPool::KeyPool(Token& token, KeyAlgorithm algorithm, size_t target)
    : token_(token), algorithm_(algorithm), target_(target) {}

std::vector<Bytes> KeyPool::pool_ids() {
    const std::string label = pool_label(algorithm_);
    return token_.with_session([&](const Session& s) {
        AttributeTemplate match;
        match.add_ulong(CKA_CLASS, CKO_PRIVATE_KEY).add_text(CKA_LABEL, label);
        std::vector<Bytes> ids;
        for (CK_OBJECT_HANDLE h : find_objects(s, match)) {
            try {
                ids.push_back(read_attribute(s, h, CKA_ID));  // one session: no nested lease
            } catch (const CkError& e) {
                // Taken and destroyed by another thread since the search.
                if (e.rv() != CKR_OBJECT_HANDLE_INVALID) throw;
            }
        }
        return ids;
    });
}

void KeyPool::load_once() {
    if (loaded_) return;
    for (Bytes& id : pool_ids()) ready_.push_back({std::move(id), std::nullopt});
    loaded_ = true;
}

std::optional<SessionKeyPair> KeyPool::locate(ReadyKey ready) {
    if (ready.made) {
        try {
            if (ready.made->id() == ready.id) {
                return SessionKeyPair(token_, algorithm_, *ready.made, std::nullopt,
                                      std::move(ready.id));
            }
        } catch (const CkError& e) {  // destroyed since (another process took it)
            if (e.rv() != CKR_OBJECT_HANDLE_INVALID) throw;
        } catch (const Error& e) {  // the token was reconnected: the handle is stale
            if (e.code() != "hsm_key_stale") throw;
        }
    }
    KeyLookup lookup{ready.id, pool_label(algorithm_)};
    auto priv = find_key(token_, CKO_PRIVATE_KEY, lookup);
    if (!priv) return std::nullopt;
    // A pair an earlier version put in the pool also has a public token object:
    // it is destroyed with the private key.
    auto pub = find_key(token_, CKO_PUBLIC_KEY, lookup);
    return SessionKeyPair(token_, algorithm_, *priv, pub, std::move(ready.id));
}

std::optional<SessionKeyPair> KeyPool::take() {
    for (;;) {
        std::optional<ReadyKey> ready;
        {
            std::lock_guard lock(mutex_);
            load_once();
            if (ready_.empty()) return std::nullopt;
            ready = std::move(ready_.front());
            ready_.pop_front();  // handed out once, whatever happens next
        }
        if (auto pair = locate(std::move(*ready))) return pair;
        // Gone (another process took it): try the next one.
    }
}

bool KeyPool::fill_one() {
    if (available() >= target_) return false;
    KeySpec spec{pool_label(algorithm_), random_key_id(token_)};
    KeyPairTemplates t = key_pair_templates(algorithm_, spec, KeyPairUse::PooledKey);
    KeyPair made = generate_key_pair(token_, algorithm_, t);
    made.public_key.destroy();  // a session object: no file to remove
    std::lock_guard lock(mutex_);
    ready_.push_back({std::move(spec.id), made.private_key});
    return true;
}

size_t KeyPool::available() {
    std::lock_guard lock(mutex_);
    load_once();
    return ready_.size();
}

std::vector<std::pair<std::string, size_t>> count_pool_keys(Token& token) {
    std::vector<std::pair<std::string, size_t>> out;
    for (auto algorithm : {KeyAlgorithm::Rsa2048, KeyAlgorithm::Rsa3072, KeyAlgorithm::Rsa4096,
                           KeyAlgorithm::EcP256, KeyAlgorithm::EcP384}) {
        KeyPool pool(token, algorithm, 0);
        if (size_t n = pool.available()) out.emplace_back(std::string(to_string(algorithm)), n);
    }
    return out;
}

}  // namespace inkan::hsm
