#include "support/product_compare.hpp"

#include <algorithm>
#include <sstream>

#include <gtest/gtest.h>

#include "support/test_support.hpp"
#include "util/files.hpp"

namespace granary::test {
namespace fs = std::filesystem;

std::vector<std::string> files_under(const fs::path& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (e.is_regular_file()) out.push_back(fs::relative(e.path(), dir).generic_string());
  std::sort(out.begin(), out.end());
  return out;
}

std::string dump_without_stamps(const fs::path& file) {
  auto r = run_command("ncdump -s -p 9,17 '" + file.string() +
                       "' | grep -v -E ':(date_created|date_issued|date_modified|date_metadata_modified|uuid) = '");
  EXPECT_EQ(r.exit_code, 0) << file << r.err;
  return r.out;
}

std::string first_difference(const std::string& got, const std::string& want) {
  if (got == want) return "";
  std::istringstream g(got), w(want);
  std::string gl, wl;
  for (int line = 1;; ++line) {
    const bool gok = static_cast<bool>(std::getline(g, gl)), wok = static_cast<bool>(std::getline(w, wl));
    if (!gok || !wok || gl != wl)
      return "line " + std::to_string(line) + ": got '" + (gok ? gl : "<end>") + "', want '" + (wok ? wl : "<end>") + "'";
  }
}

void expect_same_products(const fs::path& got, const fs::path& want) {
  auto products = [](const fs::path& dir) {
    auto all = files_under(dir);
    std::erase_if(all, [](const std::string& f) { return f.rfind("reports/", 0) == 0; });
    return all;
  };
  const auto files = products(want);
  ASSERT_FALSE(files.empty()) << want;
  ASSERT_EQ(products(got), files) << got << " vs " << want;
  for (const auto& f : files) {
    if (f.size() > 3 && f.compare(f.size() - 3, 3, ".nc") == 0)
      EXPECT_EQ(first_difference(dump_without_stamps(got / f), dump_without_stamps(want / f)), "") << f;
    else
      EXPECT_EQ(files::read_all(got / f), files::read_all(want / f)) << f;
  }
}

void expect_same_zarr(const fs::path& got, const fs::path& want) {
  std::size_t compared = 0;
  for (const auto& f : files_under(want)) {
    if (f.rfind(".granary/", 0) == 0) continue;
    EXPECT_EQ(files::read_all(got / f), files::read_all(want / f)) << f;
    ++compared;
  }
  EXPECT_GT(compared, 0u) << want << " holds no Zarr object";
}

}  // namespace granary::test
