#include "formats/hdf5/range_vfd.hpp"

#include <exception>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>

#include <H5FDpublic.h>
#include <spdlog/spdlog.h>

#include "util/error.hpp"

namespace granary::hdf5 {
namespace {

// What a file access property list carries to the driver's open callback.
struct DriverInfo {
  std::shared_ptr<const io::RangeReader> bytes;
  io::BlockCacheOptions cache;
};

// libhdf5 sees a File* as an H5FD_t*: the public part must come first (standard layout).
struct File {
  H5FD_t pub;
  DriverInfo* info;
  io::BlockCache* cache;
  haddr_t eoa;
};
static_assert(std::is_standard_layout_v<File>);

File* as_file(H5FD_t* f) { return reinterpret_cast<File*>(f); }
const File* as_file(const H5FD_t* f) { return reinterpret_cast<const File*>(f); }

// The first failed read since open_read_only began (take_read_error), kept whole so that
// its type (an unavailable service vs a truncated object) survives libhdf5's C frames.
// libhdf5 is serial, so the thread that opens is the thread that reads.
thread_local std::exception_ptr t_read_failure;

// Callbacks must not throw through libhdf5's C frames: errors go on its error stack.
void push_error(const char* func, hid_t minor, const std::string& message) {
  H5Epush2(H5E_DEFAULT, __FILE__, func, __LINE__, H5E_ERR_CLS, H5E_VFL, minor, "%s", message.c_str());
}

void* info_copy(const void* info) {
  try {
    return new DriverInfo(*static_cast<const DriverInfo*>(info));
  } catch (const std::exception& e) {
    push_error("info_copy", H5E_CANTCOPY, e.what());
    return nullptr;
  }
}

herr_t info_free(void* info) {
  delete static_cast<DriverInfo*>(info);
  return 0;
}

void* info_get(H5FD_t* file) { return info_copy(as_file(file)->info); }

H5FD_t* driver_open(const char* name, unsigned flags, hid_t fapl, haddr_t /*maxaddr*/) {
  if (flags & (H5F_ACC_RDWR | H5F_ACC_CREAT | H5F_ACC_TRUNC | H5F_ACC_EXCL)) {
    push_error("open", H5E_CANTOPENFILE, fmt::format("{}: this driver opens files read-only", name));
    return nullptr;
  }
  const auto* info = static_cast<const DriverInfo*>(H5Pget_driver_info(fapl));
  if (!info || !info->bytes) {
    push_error("open", H5E_BADVALUE, fmt::format("{}: no reader in the file access property list", name));
    return nullptr;
  }
  try {
    auto own_info = std::make_unique<DriverInfo>(*info);
    auto cache = std::make_unique<io::BlockCache>(*info->bytes, info->cache);
    auto* f = new File{};
    f->info = own_info.release();
    f->cache = cache.release();
    return &f->pub;
  } catch (const std::exception& e) {
    push_error("open", H5E_CANTOPENFILE, e.what());
    return nullptr;
  }
}

herr_t driver_close(H5FD_t* file) {
  File* f = as_file(file);
  const auto& s = f->cache->stats();
  spdlog::debug("{}: libhdf5 read {} bytes in {} reads ({} from cache); {} requests fetched {} bytes",
                f->info->bytes->name(), s.bytes, s.reads, s.hits, s.fetches, s.fetched_bytes);
  delete f->cache;
  delete f->info;
  delete f;
  return 0;
}

int driver_compare(const H5FD_t* a, const H5FD_t* b) {
  const auto* x = as_file(a)->info->bytes.get();
  const auto* y = as_file(b)->info->bytes.get();
  return x < y ? -1 : (x > y ? 1 : 0);
}

herr_t driver_query(const H5FD_t*, unsigned long* flags) {
  // Data sieving batches libhdf5's own raw reads of contiguous datasets; the metadata
  // accumulator would only duplicate the block cache.
  if (flags) *flags = H5FD_FEAT_DATA_SIEVE;
  return 0;
}

haddr_t driver_get_eoa(const H5FD_t* file, H5FD_mem_t) { return as_file(file)->eoa; }

herr_t driver_set_eoa(H5FD_t* file, H5FD_mem_t, haddr_t addr) {
  as_file(file)->eoa = addr;
  return 0;
}

haddr_t driver_get_eof(const H5FD_t* file, H5FD_mem_t) { return as_file(file)->info->bytes->size(); }

herr_t driver_get_handle(H5FD_t* file, hid_t, void** handle) {
  *handle = const_cast<io::RangeReader*>(as_file(file)->info->bytes.get());
  return 0;
}

herr_t driver_read(H5FD_t* file, H5FD_mem_t, hid_t, haddr_t addr, size_t size, void* buffer) {
  File* f = as_file(file);
  try {
    f->cache->read(addr, {static_cast<std::byte*>(buffer), size});
    return 0;
  } catch (const std::exception& e) {
    if (!t_read_failure) t_read_failure = std::current_exception();
    push_error("read", H5E_READERROR, e.what());
    return -1;
  }
}

herr_t driver_write(H5FD_t* file, H5FD_mem_t, hid_t, haddr_t, size_t, const void*) {
  push_error("write", H5E_WRITEERROR, fmt::format("{}: opened read-only", as_file(file)->info->bytes->name()));
  return -1;
}

constexpr haddr_t kMaxAddress = (haddr_t{1} << 63) - 1;

const H5FD_class_t kDriver = {
    .name = "granary_range",
    .maxaddr = kMaxAddress,
    .fc_degree = H5F_CLOSE_WEAK,
    .terminate = nullptr,
    .sb_size = nullptr,
    .sb_encode = nullptr,
    .sb_decode = nullptr,
    .fapl_size = sizeof(DriverInfo),
    .fapl_get = info_get,
    .fapl_copy = info_copy,
    .fapl_free = info_free,
    .dxpl_size = 0,
    .dxpl_copy = nullptr,
    .dxpl_free = nullptr,
    .open = driver_open,
    .close = driver_close,
    .cmp = driver_compare,
    .query = driver_query,
    .get_type_map = nullptr,
    .alloc = nullptr,
    .free = nullptr,
    .get_eoa = driver_get_eoa,
    .set_eoa = driver_set_eoa,
    .get_eof = driver_get_eof,
    .get_handle = driver_get_handle,
    .read = driver_read,
    .write = driver_write,
    .flush = nullptr,
    .truncate = nullptr,
    .lock = nullptr,
    .unlock = nullptr,
    .fl_map = H5FD_FLMAP_DICHOTOMY,
};

// Registered once per process (again if the library was closed and reopened).
hid_t driver_id() {
  static hid_t id = H5I_INVALID_HID;
  if (id < 0 || H5Iis_valid(id) <= 0) id = H5FDregister(&kDriver);
  if (id < 0) fail("libhdf5: cannot register the range-reader file driver ({})", last_error_message());
  return id;
}

}  // namespace

Handle open_read_only(std::shared_ptr<const io::RangeReader> bytes, const io::BlockCacheOptions& cache) {
  const std::string name = bytes->name();
  Handle fapl(H5Pcreate(H5P_FILE_ACCESS), H5Pclose);
  const DriverInfo info{std::move(bytes), cache};
  if (!fapl.valid() || H5Pset_driver(fapl.get(), driver_id(), &info) < 0)
    fail("{}: cannot set up libhdf5's file access ({})", name, last_error_message());
  t_read_failure = nullptr;
  Handle file(H5Fopen(name.c_str(), H5F_ACC_RDONLY, fapl.get()), H5Fclose);
  if (!file.valid()) {
    rethrow_read_error();
    const std::string why = last_error_message();
    fail("{}: cannot open as HDF5 ({})", name, why.empty() ? "not an HDF5 file" : why);
  }
  return file;
}

std::string take_read_error() {
  auto failure = std::exchange(t_read_failure, nullptr);
  if (!failure) return {};
  try {
    std::rethrow_exception(failure);
  } catch (const std::exception& e) {
    return e.what();
  }
}

void rethrow_read_error() {
  if (auto failure = std::exchange(t_read_failure, nullptr)) std::rethrow_exception(failure);
}

}  // namespace granary::hdf5
