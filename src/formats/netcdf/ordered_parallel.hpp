#pragma once
// Produce results on worker threads, consume them on the calling thread in index order.
// The raw-chunk writer uses it to compress chunks in parallel while every HDF5 call stays
// on one thread (HDF5 and netCDF-C are not thread-safe).
#include <cstddef>
#include <functional>
#include <vector>

namespace granary::nc {

using Buffer = std::vector<std::byte>;

// Calls produce(index, worker, out) for index in [0, count) on `workers` threads (worker in
// [0, workers), for per-thread state) and consume(index, out) on the calling thread in
// increasing index order. At most `window` results wait to be consumed (their buffers are
// reused, so memory stays bounded). The first exception from either side stops the work
// and is rethrown once all threads have finished.
void run_ordered(std::size_t count, unsigned workers, std::size_t window,
                 const std::function<void(std::size_t index, unsigned worker, Buffer& out)>& produce,
                 const std::function<void(std::size_t index, const Buffer& in)>& consume);

}  // namespace granary::nc
