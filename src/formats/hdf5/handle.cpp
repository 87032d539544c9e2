#include "formats/hdf5/handle.hpp"

#include <string>

namespace granary::hdf5 {

void silence_error_stack() { H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); }

namespace {
herr_t keep_innermost(unsigned n, const H5E_error2_t* err, void* data) {
  auto* out = static_cast<std::string*>(data);
  // H5E_WALK_UPWARD starts at the frame where the error was detected: keep that one, which
  // names the actual problem rather than the API's "unable to open file".
  if (out->empty() && err && err->desc) *out = err->desc;
  (void)n;
  return 0;
}
}  // namespace

std::string last_error_message() {
  std::string msg;
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, keep_innermost, &msg);
  return msg;
}

}  // namespace granary::hdf5
