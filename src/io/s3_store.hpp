#pragma once
// The s3:// driver (modelled on tensorstore's kvstore s3 driver): "s3://bucket/prefix" is
// a Store whose keys live under "prefix/". Requests go through io/http (libcurl, SigV4).
//
// Addressing: with no endpoint configured, AWS virtual-hosted style
// https://{bucket}.s3.{region}.amazonaws.com/{key} (path style for dotted bucket names,
// whose names break the TLS wildcard certificate). With a custom endpoint (MinIO, a test
// server) path style {endpoint}/{bucket}/{key}.
//
// Atomicity: a put below multipart_threshold is one PUT; above it a multipart upload whose
// object appears only when CompleteMultipartUpload succeeds. Any failure aborts the upload,
// so a reader sees the previous object or the new one, never a part.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "io/credentials.hpp"
#include "io/s3_http.hpp"
#include "io/store.hpp"

namespace granary::io {

struct S3Options {
  // Explicit credentials (e.g. a Lambda event's s3_credentials); otherwise the chain in
  // io/credentials.hpp (environment, ~/.aws profile, container, instance, else anonymous),
  // whose temporary keys are refreshed while the store lives.
  std::optional<s3::Credentials> credentials;
  bool anonymous = false;  // send unsigned requests even when the chain would find credentials
  std::string endpoint;  // e.g. "http://127.0.0.1:9000"; else AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL
  std::string region;    // else AWS_REGION / AWS_DEFAULT_REGION / the profile / us-east-1
  std::uint64_t multipart_threshold = 16ull << 20;  // objects this large or larger go multipart
  std::uint64_t part_size = 16ull << 20;            // >= 5 MiB (S3's minimum); grown to stay <= 10,000 parts
  int upload_threads = 4;                           // parts uploaded at once
  s3::RetryPolicy retry;
};

// Opens "s3://bucket[/prefix]". Nothing is sent until the first operation.
std::unique_ptr<Store> open_s3_store(const std::string& uri, const S3Options& options = {});

// The URL an encoded key is appended to (it ends in '/'): virtual-hosted for AWS, path
// style for a custom endpoint or a dotted bucket name.
std::string s3_bucket_url(const std::string& bucket, std::string endpoint, const std::string& region);

}  // namespace granary::io
