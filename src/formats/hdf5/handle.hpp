#pragma once
// Owning wrapper for HDF5 identifiers: every hid_t is closed exactly once, on every path
// (errors throw granary::Error through the readers).
#include <string>
#include <utility>

#include <hdf5.h>

namespace granary::hdf5 {

using Closer = herr_t (*)(hid_t);

class Handle {
 public:
  Handle() = default;
  Handle(hid_t id, Closer close) : id_(id), close_(close) {}
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  Handle(Handle&& o) noexcept : id_(std::exchange(o.id_, H5I_INVALID_HID)), close_(o.close_) {}
  Handle& operator=(Handle&& o) noexcept {
    if (this != &o) {
      reset();
      id_ = std::exchange(o.id_, H5I_INVALID_HID);
      close_ = o.close_;
    }
    return *this;
  }
  ~Handle() { reset(); }

  hid_t get() const { return id_; }
  bool valid() const { return id_ >= 0; }
  void reset() {
    if (id_ >= 0 && close_) close_(id_);
    id_ = H5I_INVALID_HID;
  }

 private:
  hid_t id_ = H5I_INVALID_HID;
  Closer close_ = nullptr;
};

// HDF5 prints its error stack to stderr by default; granary reports errors itself, with the
// file name and the most specific HDF5 message (see last_error_message).
void silence_error_stack();

// The innermost message of HDF5's current error stack ("" when empty), e.g. "truncated file:
// eof = 1000, sblock->base_addr = 0, stored_eof = 3145769".
std::string last_error_message();

}  // namespace granary::hdf5
