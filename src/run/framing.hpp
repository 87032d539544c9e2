#pragma once
// Length-prefixed messages over a stream socket: an 8-byte little-endian length, then that
// many bytes (JSON text for the executors). Used between the pool parent and its workers.
#include <optional>
#include <string>

namespace granary::run {

// Writes the whole frame; false when the peer is gone (EPIPE, ECONNRESET). Never raises
// SIGPIPE. Other errors throw granary::Error.
bool send_frame(int fd, const std::string& message);

// Reads one whole frame; nullopt on a clean EOF or when the peer vanished mid-frame (a
// crashed worker). Throws granary::Error on a nonsensical length or an I/O error.
std::optional<std::string> recv_frame(int fd);

}  // namespace granary::run
