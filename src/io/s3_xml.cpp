#include "io/s3_xml.hpp"

#include <charconv>
#include <sstream>

#include <pugixml.hpp>

namespace granary::io::s3 {
namespace {

pugi::xml_document parse(std::string_view xml, const char* what) {
  pugi::xml_document doc;
  auto result = doc.load_buffer(xml.data(), xml.size(), pugi::parse_default, pugi::encoding_utf8);
  if (!result)
    throw MalformedResponse(fmt::format("{}: the answer is not XML ({} at byte {})", what, result.description(),
                                        result.offset));
  return doc;
}

// The root element when its name is `name`; S3's documents carry a namespace but no prefix.
pugi::xml_node root_named(const pugi::xml_document& doc, const char* name, const char* what) {
  auto root = doc.document_element();
  if (std::string_view(root.name()) != name)
    throw MalformedResponse(fmt::format("{}: expected <{}>, got <{}>", what, name, root.name()));
  return root;
}

std::uint64_t parse_size(const char* text, const char* what) {
  std::string_view s(text);
  std::uint64_t value = 0;
  auto [end, error] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (s.empty() || error != std::errc() || end != s.data() + s.size())
    throw MalformedResponse(fmt::format("{}: bad <Size> '{}'", what, s));
  return value;
}

}  // namespace

ListPage parse_list_page(std::string_view xml) {
  constexpr const char* what = "ListObjectsV2";
  auto doc = parse(xml, what);
  auto root = root_named(doc, "ListBucketResult", what);
  ListPage page;
  for (auto contents : root.children("Contents")) {
    auto key = contents.child("Key");
    auto size = contents.child("Size");
    if (!key || !size) throw MalformedResponse(fmt::format("{}: a <Contents> without <Key> or <Size>", what));
    page.objects.push_back({key.text().get(), parse_size(size.text().get(), what)});
  }
  auto truncated = std::string_view(root.child("IsTruncated").text().get());
  if (truncated != "true" && truncated != "false")
    throw MalformedResponse(fmt::format("{}: <IsTruncated> is '{}'", what, truncated));
  page.truncated = truncated == "true";
  if (page.truncated) {
    page.next_token = root.child("NextContinuationToken").text().get();
    if (page.next_token.empty())
      throw MalformedResponse(fmt::format("{}: truncated but no <NextContinuationToken>", what));
  }
  return page;
}

std::optional<ErrorBody> parse_error(std::string_view xml) {
  pugi::xml_document doc;
  if (!doc.load_buffer(xml.data(), xml.size())) return std::nullopt;
  auto root = doc.document_element();
  if (std::string_view(root.name()) != "Error") return std::nullopt;
  return ErrorBody{root.child("Code").text().get(), root.child("Message").text().get(),
                   root.child("Region").text().get(), root.child("ActualObjectSize").text().get()};
}

std::string parse_upload_id(std::string_view xml) {
  constexpr const char* what = "CreateMultipartUpload";
  auto doc = parse(xml, what);
  std::string id = root_named(doc, "InitiateMultipartUploadResult", what).child("UploadId").text().get();
  if (id.empty()) throw MalformedResponse(fmt::format("{}: no <UploadId>", what));
  return id;
}

std::string complete_upload_request(const std::vector<std::string>& etags) {
  pugi::xml_document doc;
  auto root = doc.append_child("CompleteMultipartUpload");
  root.append_attribute("xmlns") = "http://s3.amazonaws.com/doc/2006-03-01/";
  for (std::size_t i = 0; i < etags.size(); ++i) {
    auto part = root.append_child("Part");
    part.append_child("PartNumber").text() = static_cast<unsigned long long>(i + 1);
    part.append_child("ETag").text() = etags[i].c_str();
  }
  std::ostringstream out;
  doc.save(out, "", pugi::format_raw | pugi::format_no_declaration);
  return out.str();
}

}  // namespace granary::io::s3
