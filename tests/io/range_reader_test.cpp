// io::RangeReader's read economy: bytes fetched and requests count what storage sent, bytes
// needed is the union of what users declared, and a block cache in between fetches whole
// blocks for the bytes libhdf5 asks for.
#include <gtest/gtest.h>

#include <fstream>
#include <vector>

#include "io/block_cache.hpp"
#include "io/file_store.hpp"
#include "io/range_reader.hpp"
#include "support/test_support.hpp"

namespace granary::io {
namespace {

std::string write_object(const test::TempDir& dir, std::size_t size) {
  const auto path = (dir / "object.bin").string();
  std::ofstream out(path, std::ios::binary);
  for (std::size_t i = 0; i < size; ++i) out.put(static_cast<char>(i * 13));
  return path;
}

std::vector<std::byte> read(const RangeReader& r, std::uint64_t offset, std::size_t n) {
  std::vector<std::byte> out(n);
  r.read(offset, out);
  return out;
}

TEST(RangeReader, CountsFetchesRequestsAndTheUnionOfNeeds) {
  test::TempDir dir;
  auto r = open_local_file(write_object(dir, 10'000));
  read(*r, 100, 50);
  read(*r, 0, 10);
  read(*r, 100, 50);  // fetched twice: counted twice
  EXPECT_EQ(r->bytes_fetched(), 110u);
  EXPECT_EQ(r->requests(), 3u);
  EXPECT_EQ(r->bytes_needed(), 0u) << "a read alone is a fetch, not a need";

  r->note_needed(100, 50);
  r->note_needed(120, 50);   // overlaps: [100, 170)
  r->note_needed(170, 10);   // touches: [100, 180)
  r->note_needed(0, 10);
  r->note_needed(5000, 0);   // nothing
  r->note_needed(100, 50);   // again: counted once
  EXPECT_EQ(r->bytes_needed(), 90u);
  r->note_needed(5, 200);    // swallows both: [0, 205)
  EXPECT_EQ(r->bytes_needed(), 205u);
  r->note_needed(9'000, 1'000);
  EXPECT_EQ(r->bytes_needed(), 1'205u);
}

TEST(RangeReader, AStoreObjectCountsTheRequestThatSizedIt) {
  test::TempDir dir;
  write_object(dir, 4096);
  auto r = open_store_object(std::make_shared<FileStore>(dir.path()), "object.bin");
  EXPECT_EQ(r->size(), 4096u);
  EXPECT_EQ(r->requests(), 1u);
  EXPECT_EQ(r->bytes_fetched(), 0u);
  read(*r, 4000, 96);
  EXPECT_EQ(r->requests(), 2u);
  EXPECT_EQ(r->bytes_fetched(), 96u);
}

TEST(RangeReader, ABlockCacheFetchesBlocksForTheBytesAskedFor) {
  test::TempDir dir;
  auto r = open_local_file(write_object(dir, 10'000));
  r->record_trace(true);
  BlockCache cache(*r, {.block_size = 1024, .read_ahead = 0, .direct_size = 1024, .max_blocks = 8});
  std::vector<std::byte> out(100);
  cache.read(100, std::span(out).first(8));  // block 0
  cache.read(900, out);                      // block 0 again: no request
  cache.read(2000, out);                     // blocks 1 and 2, one request
  cache.read(9990, std::span(out).first(20));  // the short last block; 10 bytes past the end
  EXPECT_EQ(r->requests(), 3u);
  EXPECT_EQ(r->bytes_fetched(), 1024u + 2048u + (10'000u - 9 * 1024u));
  EXPECT_EQ(r->bytes_needed(), 8u + 100u + 100u + 10u);
  const std::vector<TracedRead> want = {
      {TracedRead::Kind::Need, 100, 8},    {TracedRead::Kind::Fetch, 0, 1024},
      {TracedRead::Kind::Need, 900, 100},  {TracedRead::Kind::Need, 2000, 100},
      {TracedRead::Kind::Fetch, 1024, 2048}, {TracedRead::Kind::Need, 9990, 10},
      {TracedRead::Kind::Fetch, 9216, 784}};
  const auto got = r->trace();
  ASSERT_EQ(got.size(), want.size());
  for (std::size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(got[i].kind, want[i].kind) << i;
    EXPECT_EQ(got[i].offset, want[i].offset) << i;
    EXPECT_EQ(got[i].length, want[i].length) << i;
  }
}

}  // namespace
}  // namespace granary::io
