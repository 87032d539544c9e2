#pragma once
// Where one product file goes and how it appears there whole. Local: netCDF-C writes a
// temporary sibling that is renamed into place. S3: the file is written in a private scratch
// directory, uploaded with Store::put (one PUT, or a multipart upload completed only when
// every part arrived and aborted otherwise), and the scratch copy removed. An S3 object
// never exists in part, so one that exists with bytes in it is a finished product.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "io/store.hpp"
#include "util/timer.hpp"

namespace granary::ecco {

class ProductOutput {
 public:
  // output_dir: processed_output_dir (local path or s3:// URI); relative: the product's path in it.
  ProductOutput(const std::string& output_dir, std::string relative);

  const std::string& uri() const { return uri_; }
  // Whether a finished output exists already (a resumed run skips it): a local file, or an
  // S3 object with a non-zero size (one HEAD).
  bool complete() const;

  struct Written {
    std::uint64_t bytes = 0;
    std::string sha256;
  };
  // produce(path) writes the file at `path` (atomically) and returns its size. Marks the
  // timer's "write" phase, and "upload" for S3.
  Written write(const std::function<std::uint64_t(const std::string& path)>& produce, PhaseTimer& timer);

 private:
  std::string relative_, uri_;
  std::unique_ptr<io::Store> store_;  // S3 only
};

}  // namespace granary::ecco
