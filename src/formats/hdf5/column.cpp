#include "formats/hdf5/column.hpp"

#include <libdeflate.h>
#include <zlib.h>

#include <algorithm>
#include <cstring>

#include "formats/hdf5/handle.hpp"
#include "util/error.hpp"

namespace granary::hdf5 {
namespace {

// Bounds on sizes read from a granule before anything is allocated for them.
constexpr std::uint64_t kMaxElements = std::uint64_t{1} << 34;    // per dataset
constexpr std::uint64_t kMaxChunks = std::uint64_t{1} << 22;      // chunk entries kept per dataset
constexpr std::uint64_t kMaxChunkBytes = std::uint64_t{1} << 30;  // one decoded chunk (or a whole preloaded dataset)


ElementType element_type(hid_t dtype, const std::string& name) {
  ElementType t;
  t.size = H5Tget_size(dtype);
  const H5T_class_t cls = H5Tget_class(dtype);
  if (cls == H5T_FLOAT) {
    t.kind = 'f';
  } else if (cls == H5T_INTEGER) {
    t.kind = H5Tget_sign(dtype) == H5T_SGN_NONE ? 'u' : 'i';
  } else {
    fail("{}: not a numeric dataset", name);
  }
  if (t.size > 1 && H5Tget_order(dtype) != H5T_ORDER_LE) fail("{}: big-endian data is not supported", name);
  if (t.size != 1 && t.size != 2 && t.size != 4 && t.size != 8) fail("{}: unsupported element size {}", name, t.size);
  return t;
}

// HDF5's shuffle filter: byte k of every element is stored in plane k.
void unshuffle(const std::byte* in, std::size_t elements, std::size_t size, std::byte* out) {
  for (std::size_t k = 0; k < size; ++k) {
    const std::byte* plane = in + k * elements;
    for (std::size_t e = 0; e < elements; ++e) out[e * size + k] = plane[e];
  }
}

// Stored bytes fetched to decode a chunk's first element: a deflate stream's block header
// (its Huffman tables) and first values take 74-95 bytes on ATL06 columns; a stream that
// needs more is fetched again, 4x longer.
constexpr std::uint64_t kFirstElementPrefix = 256;

struct Inflater {
  libdeflate_decompressor* d = libdeflate_alloc_decompressor();
  ~Inflater() { libdeflate_free_decompressor(d); }
};

// Whether bytes [address, address + size) lie inside the file: addresses and sizes come from
// the file and are checked before anything is allocated or read for them.
bool inside_file(const io::RangeReader& bytes, std::uint64_t address, std::uint64_t size) {
  return size <= bytes.size() && address <= bytes.size() - size;
}

}  // namespace

bool link_exists(hid_t file, const std::string& path) {
  std::size_t pos = 0;
  while (true) {
    pos = path.find('/', pos + 1);
    const std::string prefix = path.substr(0, pos);
    if (!prefix.empty() && prefix != "/" && H5Lexists(file, prefix.c_str(), H5P_DEFAULT) <= 0) return false;
    if (pos == std::string::npos) return true;
  }
}

Column Column::describe(hid_t file, const std::string& path, std::shared_ptr<const io::RangeReader> bytes) {
  Column c;
  c.bytes_ = std::move(bytes);
  c.path_ = path;
  const std::string name = c.bytes_->name() + ":" + path;
  Handle ds(H5Dopen2(file, path.c_str(), H5P_DEFAULT), H5Dclose);
  if (!ds.valid()) fail("{}: cannot open dataset ({})", name, last_error_message());
  Handle space(H5Dget_space(ds.get()), H5Sclose);
  if (H5Sget_simple_extent_ndims(space.get()) != 1) fail("{}: expected a 1-D dataset", name);
  hsize_t dim = 0;
  H5Sget_simple_extent_dims(space.get(), &dim, nullptr);
  c.length_ = dim;
  if (c.length_ > kMaxElements) fail("{}: {} elements, more than the {} granary reads", name, c.length_, kMaxElements);
  Handle dtype(H5Dget_type(ds.get()), H5Tclose);
  c.type_ = element_type(dtype.get(), name);
  Handle dcpl(H5Dget_create_plist(ds.get()), H5Pclose);
  c.fill_.assign(c.type_.size, std::byte{0});
  H5D_fill_value_t fill_status;
  if (H5Pfill_value_defined(dcpl.get(), &fill_status) >= 0 && fill_status != H5D_FILL_VALUE_UNDEFINED)
    H5Pget_fill_value(dcpl.get(), dtype.get(), c.fill_.data());

  bool fast = true;
  const H5D_layout_t layout = H5Pget_layout(dcpl.get());
  if (layout == H5D_CHUNKED) {
    hsize_t chunk = 0;
    H5Pget_chunk(dcpl.get(), 1, &chunk);
    c.chunk_length_ = chunk;
    // Sizes from the file bound what is allocated for it (hdf5_granule_fuzz: a crafted extent
    // asked for 2^54 chunk entries). ATL06 beams have a few million elements in a few hundred chunks.
    if (c.chunk_length_ > kMaxChunkBytes / c.type_.size || c.chunk_count() > kMaxChunks)
      fail("{}: {} elements in chunks of {}: more than granary reads ({} chunks of at most {} bytes)", name, c.length_,
           c.chunk_length_, kMaxChunks, kMaxChunkBytes);
    const int nfilters = H5Pget_nfilters(dcpl.get());
    for (int i = 0; i < nfilters; ++i) {
      unsigned flags = 0, cd[8];
      std::size_t ncd = 8;
      const H5Z_filter_t id = H5Pget_filter2(dcpl.get(), static_cast<unsigned>(i), &flags, &ncd, cd, 0, nullptr, nullptr);
      if (id != H5Z_FILTER_DEFLATE && id != H5Z_FILTER_SHUFFLE && id != H5Z_FILTER_FLETCHER32) fast = false;
      c.filters_.push_back(id);
    }
    if (fast) {
      c.chunks_.resize(c.chunk_count());
      for (std::uint64_t k = 0; k < c.chunks_.size(); ++k) {
        hsize_t offset = k * c.chunk_length_;
        unsigned mask = 0;
        haddr_t addr = HADDR_UNDEF;
        hsize_t size = 0;
        if (H5Dget_chunk_info_by_coord(ds.get(), &offset, &mask, &addr, &size) < 0)
          fail("{}: cannot locate chunk {} ({})", name, k, last_error_message());
        if (addr == HADDR_UNDEF) continue;
        if (!inside_file(*c.bytes_, addr, size))
          fail("{}: chunk {} ({} bytes at {}) lies beyond the end of the file ({} bytes)", name, k, size, addr,
               c.bytes_->size());
        c.chunks_[k] = {addr, size, mask};
      }
    }
  } else if (layout == H5D_CONTIGUOUS) {
    c.contiguous_address_ = H5Dget_offset(ds.get());
    const std::uint64_t bytes = c.length_ * c.type_.size;
    if (c.contiguous_address_ != HADDR_UNDEF && !inside_file(*c.bytes_, c.contiguous_address_, bytes))
      fail("{}: {} bytes at {} lie beyond the end of the file ({} bytes)", name, bytes, c.contiguous_address_,
           c.bytes_->size());
    c.chunk_length_ = std::max<std::uint64_t>(1, (1u << 20) / c.type_.size);  // 1 MiB reads
  } else {
    fast = false;
  }
  if (!fast) {
    // Unusual layout (compact storage, szip, n-bit, ...): let libhdf5 decode it now, serially.
    if (c.length_ * c.type_.size > kMaxChunkBytes)
      fail("{}: {} bytes in a layout granary reads whole, more than {}", name, c.length_ * c.type_.size, kMaxChunkBytes);
    c.preloaded_ = std::make_shared<std::vector<std::byte>>(c.length_ * c.type_.size);
    if (c.length_ > 0 && H5Dread(ds.get(), dtype.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, c.preloaded_->data()) < 0)
      fail("{}: cannot read ({})", name, last_error_message());
    if (c.chunk_length_ == 0) c.chunk_length_ = std::max<std::uint64_t>(1, c.length_);
    c.chunks_.clear();
    c.filters_.clear();
  }
  return c;
}

std::uint64_t Column::chunk_elements(std::uint64_t k) const {
  const std::uint64_t first = k * chunk_length_;
  return first >= length_ ? 0 : std::min(chunk_length_, length_ - first);
}

std::uint64_t Column::stored_bytes(std::uint64_t k) const {
  if (preloaded_) return 0;
  if (!chunks_.empty()) return chunks_.at(k).stored_size;
  return chunk_elements(k) * type_.size;
}

void Column::read_range_bytes(std::uint64_t first, std::uint64_t count, std::byte* out) const {
  if (preloaded_) {
    std::memcpy(out, preloaded_->data() + first * type_.size, count * type_.size);
    return;
  }
  if (contiguous_address_ == HADDR_UNDEF) {  // contiguous but never written
    for (std::uint64_t i = 0; i < count; ++i) std::memcpy(out + i * type_.size, fill_.data(), type_.size);
    return;
  }
  bytes_->read(contiguous_address_ + first * type_.size, {out, count * type_.size});
  bytes_->note_needed(contiguous_address_ + first * type_.size, count * type_.size);
}

void Column::read_chunk(std::uint64_t k, std::vector<std::byte>& out) const {
  const std::uint64_t n = chunk_elements(k);
  if (n == 0) {
    out.clear();
    return;
  }
  if (chunks_.empty()) {  // contiguous or preloaded: a plain range
    out.resize(n * type_.size);
    read_range_bytes(k * chunk_length_, n, out.data());
    return;
  }
  const Chunk& ch = chunks_.at(k);
  if (ch.stored_size == 0) {
    out.resize(n * type_.size);
    for (std::uint64_t i = 0; i < n; ++i) std::memcpy(out.data() + i * type_.size, fill_.data(), type_.size);
    return;
  }
  // A chunk is stored whole (chunk_length elements) even at the end of the dataset.
  const std::size_t full = chunk_length_ * type_.size;
  // What the stored bytes can decode to, checked before anything is allocated for them (a
  // crafted chunk of a few bytes declared 1 GiB): deflate expands at most 1032:1 (zlib's
  // limit), shuffle keeps the size, fletcher32 adds 4 bytes.
  bool deflated = false;
  for (std::size_t i = 0; i < filters_.size(); ++i)
    deflated |= filters_[i] == H5Z_FILTER_DEFLATE && !(ch.filter_mask & (1u << i));
  if (deflated ? full / 1032 > ch.stored_size : ch.stored_size < full)
    fail("{}:{}: corrupt chunk {} ({} stored bytes cannot hold {} decoded bytes)", bytes_->name(), path_, k,
         ch.stored_size, full);
  thread_local std::vector<std::byte> stored, a, b;
  stored.resize(ch.stored_size);
  bytes_->read(ch.address, stored);
  bytes_->note_needed(ch.address, ch.stored_size);
  std::span<const std::byte> cur(stored);
  // Undo the pipeline in reverse order; a set bit in filter_mask means that filter was skipped.
  for (int i = static_cast<int>(filters_.size()) - 1; i >= 0; --i) {
    if (ch.filter_mask & (1u << i)) continue;
    std::vector<std::byte>& dst = (cur.data() == a.data()) ? b : a;
    switch (filters_[i]) {
      case H5Z_FILTER_FLETCHER32:
        if (cur.size() < 4) fail("{}:{}: corrupt chunk {} (too short for its checksum)", bytes_->name(), path_, k);
        cur = cur.first(cur.size() - 4);
        break;
      case H5Z_FILTER_DEFLATE: {
        thread_local Inflater inflater;
        dst.resize(full);
        std::size_t got = 0;
        const auto rc = libdeflate_zlib_decompress(inflater.d, cur.data(), cur.size(), dst.data(), full, &got);
        if (rc != LIBDEFLATE_SUCCESS || got != full)
          fail("{}:{}: corrupt chunk {} (deflate stream does not decode to {} bytes)", bytes_->name(), path_, k, full);
        cur = std::span<const std::byte>(dst.data(), full);
        break;
      }
      case H5Z_FILTER_SHUFFLE: {
        dst.resize(cur.size());
        unshuffle(cur.data(), cur.size() / type_.size, type_.size, dst.data());
        cur = std::span<const std::byte>(dst.data(), dst.size());
        break;
      }
    }
  }
  if (cur.size() < n * type_.size)
    fail("{}:{}: corrupt chunk {} ({} bytes decoded, {} expected)", bytes_->name(), path_, k, cur.size(), n * type_.size);
  out.resize(n * type_.size);
  std::memcpy(out.data(), cur.data(), n * type_.size);
}

void Column::read_first(std::uint64_t k, std::span<std::byte> out) const {
  if (out.size() != type_.size) fail("{}:{}: read_first wants one element", bytes_->name(), path_);
  const bool deflate_only = filters_.size() == 1 && filters_[0] == H5Z_FILTER_DEFLATE;
  if (chunks_.empty() || !deflate_only || chunks_.at(k).stored_size == 0 || chunks_.at(k).filter_mask != 0) {
    std::vector<std::byte> whole;
    read_chunk(k, whole);
    if (whole.size() < out.size()) fail("{}:{}: chunk {} is empty", bytes_->name(), path_, k);
    std::memcpy(out.data(), whole.data(), out.size());
    return;
  }
  // zlib's streaming inflate stops once the output buffer is full; the first element sits in
  // the first block of the stream, so a short prefix of the stored bytes suffices (more is
  // read only if the stream needs it).
  const Chunk& ch = chunks_.at(k);
  std::uint64_t have = std::min<std::uint64_t>(ch.stored_size, kFirstElementPrefix);
  std::vector<std::byte> stored;
  for (;;) {
    stored.resize(have);
    bytes_->read(ch.address, stored);
    z_stream z{};
    if (inflateInit(&z) != Z_OK) fail("{}:{}: zlib init failed", bytes_->name(), path_);
    z.next_in = reinterpret_cast<Bytef*>(stored.data());
    z.avail_in = static_cast<uInt>(stored.size());
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = static_cast<uInt>(out.size());
    int rc = Z_OK;
    while (z.avail_out > 0 && rc == Z_OK) rc = inflate(&z, Z_SYNC_FLUSH);
    const bool done = z.avail_out == 0;
    const std::uint64_t consumed = z.total_in;
    inflateEnd(&z);
    if (done) {
      bytes_->note_needed(ch.address, consumed);  // what the decoder used, not the prefix fetched
      return;
    }
    if ((rc != Z_OK && rc != Z_BUF_ERROR) || have == ch.stored_size)
      fail("{}:{}: corrupt chunk {} (deflate stream ends early)", bytes_->name(), path_, k);
    have = std::min<std::uint64_t>(ch.stored_size, have * 4);
  }
}

template <typename T>
void Column::read(std::uint64_t first, std::span<T> out) const {
  if (sizeof(T) != type_.size) fail("{}:{}: element size {} read as {}", bytes_->name(), path_, type_.size, sizeof(T));
  if (first + out.size() > length_) fail("{}:{}: read past the end", bytes_->name(), path_);
  std::vector<std::byte> buf;
  std::uint64_t i = first;
  const std::uint64_t end = first + out.size();
  while (i < end) {
    const std::uint64_t k = i / chunk_length_;
    read_chunk(k, buf);
    const std::uint64_t c0 = k * chunk_length_;
    const std::uint64_t take = std::min(end, c0 + chunk_elements(k)) - i;
    std::memcpy(out.data() + (i - first), buf.data() + (i - c0) * sizeof(T), take * sizeof(T));
    i += take;
  }
}

template void Column::read<double>(std::uint64_t, std::span<double>) const;
template void Column::read<float>(std::uint64_t, std::span<float>) const;
template void Column::read<std::int8_t>(std::uint64_t, std::span<std::int8_t>) const;
template void Column::read<std::int32_t>(std::uint64_t, std::span<std::int32_t>) const;

}  // namespace granary::hdf5
