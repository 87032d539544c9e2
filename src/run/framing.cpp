#include "run/framing.hpp"

#include <sys/socket.h>

#include <array>
#include <cerrno>
#include <cstdint>
#include <cstring>

#include "util/error.hpp"

namespace granary::run {
namespace {

// A JSON result is a few kilobytes; anything near this is a corrupt length, not a message.
constexpr std::uint64_t kMaxFrameBytes = std::uint64_t{1} << 32;

// false: the peer is gone.
bool send_all(int fd, const char* data, std::size_t size) {
  while (size > 0) {
    ssize_t n = ::send(fd, data, size, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EPIPE || errno == ECONNRESET) return false;
      fail("pool socket: send failed ({})", std::strerror(errno));
    }
    data += n;
    size -= static_cast<std::size_t>(n);
  }
  return true;
}

// Bytes read before EOF (== size when complete).
std::size_t recv_all(int fd, char* data, std::size_t size) {
  std::size_t got = 0;
  while (got < size) {
    ssize_t n = ::recv(fd, data + got, size - got, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == ECONNRESET) return got;
      fail("pool socket: recv failed ({})", std::strerror(errno));
    }
    if (n == 0) return got;
    got += static_cast<std::size_t>(n);
  }
  return got;
}

}  // namespace

bool send_frame(int fd, const std::string& message) {
  std::array<char, 8> header;
  std::uint64_t size = message.size();
  for (int b = 0; b < 8; ++b) header[b] = static_cast<char>((size >> (8 * b)) & 0xff);
  return send_all(fd, header.data(), header.size()) && send_all(fd, message.data(), message.size());
}

std::optional<std::string> recv_frame(int fd) {
  std::array<unsigned char, 8> header;
  if (recv_all(fd, reinterpret_cast<char*>(header.data()), header.size()) != header.size()) return std::nullopt;
  std::uint64_t size = 0;
  for (int b = 0; b < 8; ++b) size |= std::uint64_t{header[b]} << (8 * b);
  if (size > kMaxFrameBytes) fail("pool socket: frame of {} bytes is not a message (corrupt stream)", size);
  std::string message(size, '\0');
  if (recv_all(fd, message.data(), message.size()) != message.size()) return std::nullopt;
  return message;
}

}  // namespace granary::run
