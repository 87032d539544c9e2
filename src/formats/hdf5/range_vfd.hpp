#pragma once
// libhdf5 over an io::RangeReader: a read-only HDF5 virtual file driver (HDF5 1.10
// H5FD_class_t) so that libhdf5 can describe a file it cannot open as a path, such as an
// s3:// object, by fetching only the bytes it needs.
//
// libhdf5 reads metadata in many small pieces (the superblock, object headers, B-tree nodes
// and heaps, bytes to a few KiB each), so the driver reads through an io::BlockCache:
// aligned blocks, fetched whole and kept LRU, so that those pieces cost a few requests
// rather than one request each. Reads of a block or more (raw data that libhdf5 itself
// decodes) go straight to the reader.
#include <memory>
#include <string>

#include "formats/hdf5/handle.hpp"
#include "io/block_cache.hpp"
#include "io/range_reader.hpp"

namespace granary::hdf5 {

// Opens the file read-only. The file keeps `bytes` alive until it is closed. Throws
// granary::Error: the reader's own message when a read failed (it names the object and
// the cause: 403, truncated object, network), else "<name>: cannot open as HDF5 (<libhdf5's
// reason>)". Later read failures (e.g. in H5Dopen) are libhdf5's innermost error message
// (last_error_message()).
Handle open_read_only(std::shared_ptr<const io::RangeReader> bytes, const io::BlockCacheOptions& cache = {});

// The message of the first read that failed in this driver on this thread since the last
// open_read_only (then cleared; "" when none). libhdf5 turns a failed read into its own
// errors (a link that "does not exist", a dataset it "cannot open"): this says why.
std::string take_read_error();
// Throws that first failed read's own exception (then cleared), if there was one.
void rethrow_read_error();

}  // namespace granary::hdf5
