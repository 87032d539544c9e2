#include "util/timer.hpp"

#include <sys/resource.h>

namespace granary {

long peak_rss_bytes() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss * 1024L;
}

}  // namespace granary
