#pragma once
#include <string>

#include "http/message.hpp"

namespace hrapp::http {

/// The response as it goes on the wire, in one buffer written at once: Beast's serializer cost
/// a third of a small response's CPU. HEAD gets GET's status and headers, Content-Length
/// included, and no body; 1xx, 204 and 304 have neither. `version` is 10 or 11.
std::string to_wire(Response&& response, unsigned version, bool keep_alive, bool head);

}  // namespace hrapp::http
