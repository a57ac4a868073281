#include "api/client_address.h"

#include <pistache/peer.h>

namespace inkan::api {
namespace {

struct RequestState {
    std::string client_address;
    std::optional<OperatorIdentity> who;
};

thread_local RequestState current;

}  // namespace

const std::string& current_client_address() { return current.client_address; }

const OperatorIdentity* current_operator() { return current.who ? &*current.who : nullptr; }

std::string client_address_of(const Pistache::Rest::Request& request,
                              Pistache::Http::ResponseWriter& writer) {
    std::shared_ptr<Pistache::Tcp::Peer> peer;
    try {
        peer = writer.peer();
    } catch (const std::exception&) {
    }
    std::string address = peer ? peer->address().host() : "";
    if (peer && !peer->ssl()) {  // plain HTTP: behind the front, or the publication listener
        if (auto forwarded = request.headers().tryGetRaw(kClientAddressHeader)) {
            if (!forwarded->value().empty() && forwarded->value().size() <= 64)
                address = forwarded->value();
        }
    }
    return address;
}

RequestScope::RequestScope(std::string client_address) {
    current = RequestState{std::move(client_address), std::nullopt};
}

RequestScope::~RequestScope() { current = RequestState{}; }

void RequestScope::admit(OperatorIdentity who) { current.who = std::move(who); }

}  // namespace inkan::api
