#pragma once
// A command-line location that may be local or s3://: other schemes (gs://, https://, a
// mistyped s3:/x) are refused by the parser, naming the value, instead of becoming a local
// path such as "s3:/b/x".
#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include "io/store.hpp"
#include "util/uri_scheme.hpp"

namespace granary::cli {

// `local` checks local values (e.g. CLI::ExistingDirectory); nullptr accepts any local path.
inline CLI::Validator local_or_s3(const CLI::Validator* local = nullptr) {
  std::optional<CLI::Validator> check;
  if (local) check = *local;
  return CLI::Validator(
      [check](std::string& value) -> std::string {
        if (io::is_s3_uri(value)) return value.size() > 5 ? "" : value + ": no bucket name (expected s3://bucket/key)";
        if (uri_scheme(value))
          return value + ": only local paths and s3://bucket/key URIs are supported";
        return check ? (*check)(value) : std::string();
      },
      "PATH|S3_URI");
}

}  // namespace granary::cli
