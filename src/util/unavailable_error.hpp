#pragma once
// The one failure that is nobody's input: a service or resource (S3, CMR, a credentials
// endpoint) stayed unavailable after retries. It must never be reported as bad data (a
// granule "without latitude", an "invalid" store), and a rerun may succeed.
#include "util/error.hpp"

namespace granary {

class UnavailableError : public Error {
 public:
  using Error::Error;
};

}  // namespace granary
