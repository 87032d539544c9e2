#pragma once
// S3's XML documents, read and written with pugixml: ListObjectsV2 pages, <Error> bodies,
// multipart upload answers, and the CompleteMultipartUpload request. A document that does
// not parse, or lacks what its shape requires, throws MalformedResponse: on a healthy
// connection S3 never sends one, so callers treat it as a transport fault and retry.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/error.hpp"

namespace granary::io::s3 {

class MalformedResponse : public Error {
 public:
  using Error::Error;
};

struct ListedObject {
  std::string key;  // the full key, as S3 has it (the store strips its prefix)
  std::uint64_t size = 0;
};

struct ListPage {
  std::vector<ListedObject> objects;
  bool truncated = false;
  std::string next_token;  // set when truncated
};

// <ListBucketResult>: Contents/Key, Contents/Size, IsTruncated, NextContinuationToken.
ListPage parse_list_page(std::string_view xml);

// <Error><Code/><Message/>...</Error>: empty fields when absent; nullopt when `xml` is not
// an <Error> document (an empty body, as HEAD answers have, or anything else).
struct ErrorBody {
  std::string code, message, region, actual_object_size;
};
std::optional<ErrorBody> parse_error(std::string_view xml);

// <InitiateMultipartUploadResult><UploadId/>.
std::string parse_upload_id(std::string_view xml);

// <CompleteMultipartUpload><Part><PartNumber/><ETag/></Part>...; part i is number i + 1.
std::string complete_upload_request(const std::vector<std::string>& etags);

}  // namespace granary::io::s3
